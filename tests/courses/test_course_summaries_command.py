"""``manage.py course_summaries``: --check finds a summary column that no longer says
what the visits say, --fix puts it right (after a bulk load, a write past the services)."""

import io

import pytest
from django.core.management import CommandError, call_command

from courses.models import Course
from courses.services import course_summaries_recompute
from tests.factories import summary_course

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("course_summaries", *args, stdout=out)
    return out.getvalue()


def test_check_passes_when_every_column_matches_the_visits():
    summary_course()

    assert "Every course summary matches" in run("--check")


def test_check_names_a_tampered_course_and_fails_until_fixed():
    course = summary_course()
    Course.objects.filter(pk=course.pk).update(pain_at_start=9, sessions_missed=4)

    with pytest.raises(CommandError, match="1 course summaries differ"):
        out = io.StringIO()
        call_command("course_summaries", "--check", stdout=out)
    assert f"Course {course.pk}: " in out.getvalue()
    assert "pain_at_start 9 (visits say 7)" in out.getvalue()
    assert "sessions_missed 4 (visits say 1)" in out.getvalue()

    assert "Summaries recomputed: 1." in run("--fix")
    assert "Every course summary matches" in run("--check")


def test_recompute_fills_courses_loaded_in_bulk_in_batches():
    course = summary_course()
    Course.objects.update(sessions_done=0, pain_at_end=None, pain_at_end_source="")

    assert course_summaries_recompute(batch_size=1) == 1

    course.refresh_from_db()
    assert (course.sessions_done, course.pain_at_end, course.pain_at_end_source) == (
        3,
        3,
        "visit",
    )
