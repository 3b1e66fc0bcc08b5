"""seed_demo names the courses it counts by their statuses, in the clinic's language."""

from io import StringIO

import pytest
from django.core.management import call_command

from courses.demo import DemoClinic
from tests.translation_files import write_mo

COUNTS = {"planned": 3, "active": 6, "completed": 10, "completed early": 2, "cancelled": 1}


@pytest.fixture
def built_demo(monkeypatch):
    """The command's output without building a clinic: what it prints is under test."""
    clinic = DemoClinic(usernames=["manager"], password="pw", courses_by_status=COUNTS)
    monkeypatch.setattr(
        "courses.management.commands.seed_demo.demo_clinic_build", lambda **kwargs: clinic
    )


def seed_demo_output() -> str:
    out = StringIO()
    call_command("seed_demo", password="pw", stdout=out)
    return out.getvalue()


def test_course_counts_are_named_by_their_status_labels_in_the_statuses_order(built_demo):
    assert "Courses: Planned 3, Active 6, Completed 10, Completed early 2, Cancelled 1" in (
        seed_demo_output()
    )


def test_course_counts_are_printed_in_the_clinics_language(built_demo, settings, tmp_path):
    write_mo(
        tmp_path / "ru" / "LC_MESSAGES" / "django.mo",
        {
            "Courses: %(counts)s": "Курсы: %(counts)s",
            "Active": "Активен",
            "Completed early": "Завершён досрочно",
            "a course status and how many courses have it\x04%(status)s %(count)d": (
                "%(status)s — %(count)d"
            ),
        },
    )
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGE_CODE = "ru"

    assert "Курсы: Planned — 3, Активен — 6, Completed — 10, Завершён досрочно — 2" in (
        seed_demo_output()
    )
