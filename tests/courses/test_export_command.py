import csv
import datetime as dt
import io
import json
import sys

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from courses import exports
from courses.models import Course
from tests.factories import CourseFactory, UserFactory, VisitFactory, summary_course

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("export_courses", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_csv_goes_to_standard_output_by_default():
    course = summary_course()

    rows = list(csv.DictReader(io.StringIO(_run())))

    assert [row["course_id"] for row in rows] == [str(course.pk)]
    assert rows[0]["pain_at_end_at"] == "2026-06-07T10:00:00+01:00"


def test_json_written_to_a_file_holds_the_same_fields(tmp_path):
    course = summary_course(first_name="Зоя 🌿")
    output = tmp_path / "courses.json"

    _run("--format", "json", "--output", str(output))

    data = json.loads(output.read_text(encoding="utf-8"))
    assert data[0]["course_id"] == course.pk
    assert data[0]["patient"] == "Зоя 🌿 Petrova"
    assert data[0]["important_improvement"] is True
    assert list(tmp_path.iterdir()) == [output]  # no temporary file left behind


def test_status_since_and_until_choose_the_courses():
    wanted = summary_course()  # completed, started 2026-06-01
    CourseFactory(status=Course.Status.ACTIVE, start_date=dt.date(2026, 6, 2))
    CourseFactory(status=Course.Status.COMPLETED, start_date=dt.date(2026, 5, 31))
    CourseFactory(status=Course.Status.COMPLETED, start_date=dt.date(2026, 7, 1))

    output = _run("--status", "completed", "--since", "2026-06-01", "--until", "2026-06-30")

    assert [row["course_id"] for row in csv.DictReader(io.StringIO(output))] == [str(wanted.pk)]


def test_several_statuses_can_be_given():
    summary_course()
    CourseFactory(status=Course.Status.ACTIVE)
    CourseFactory(status=Course.Status.PLANNED)

    output = _run("--status", "completed", "--status", "active")

    statuses = sorted(row["status"] for row in csv.DictReader(io.StringIO(output)))
    assert statuses == ["active", "completed"]


def test_pdf_of_one_course_is_written_to_a_file(tmp_path):
    course = summary_course(first_name="Анна", last_name="Петрова")
    output = tmp_path / "course.pdf"

    _run("--format", "pdf", "--course", str(course.pk), "--output", str(output))

    text = " ".join(PdfReader(output).pages[0].extract_text().split())
    assert "Анна Петрова" in text
    assert "clinically important improvement" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "give its id with --course"),
        (["--format", "pdf", "--course", "999999"], "no course with id 999999"),
        (["--since", "2026-07-01", "--until", "2026-06-01"], "--since must not be after --until"),
        (["--since", "1/6/2026"], "Dates are written YYYY-MM-DD"),
        (["--output", "no-such-folder/x.csv"], "does not exist"),
    ],
)
def test_bad_input_gets_a_specific_error(args, message):
    summary_course()

    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_a_failed_export_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    summary_course()
    output = tmp_path / "courses.csv"
    output.write_text("the previous export")

    def broken(summaries):
        yield "course_id\r\n"
        raise RuntimeError("database went away")

    monkeypatch.setitem(exports.FORMATS, "csv", exports.ExportFormat(broken, "text/csv", "csv"))
    with pytest.raises(RuntimeError):
        _run("--output", str(output))

    assert output.read_text() == "the previous export"
    assert list(tmp_path.iterdir()) == [output]


def test_a_progress_bar_shows_when_writing_a_file_from_a_terminal(tmp_path, capsys, monkeypatch):
    summary_course()
    CourseFactory()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)

    _run("--output", str(tmp_path / "courses.csv"))

    assert "2/2" in capsys.readouterr().err


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys, monkeypatch):
    summary_course()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)

    _run("--output", str(tmp_path / "courses.csv"))

    assert "1/1" not in capsys.readouterr().err


def test_therapist_exports_their_own_courses_covered_sessions_included():
    anna = UserFactory(username="anna.export")
    own = CourseFactory(therapist=anna)
    covered = CourseFactory(region="cervical")
    VisitFactory(course=covered, therapist=anna)
    CourseFactory(region="thoracic")

    data = json.loads(_run("--format", "json", "--therapist", "anna.export"))

    assert sorted(row["course_id"] for row in data) == sorted([own.pk, covered.pk])
    with pytest.raises(CommandError, match="no user named nobody"):
        _run("--therapist", "nobody")
