"""Course summaries as an Excel workbook: the CSV's rows and columns, typed cells, headers
and labels in the active language, offered wherever the CSV is."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from courses.exports import HEADER, XLSX_CONTENT_TYPE, xlsx_chunks
from courses.models import Course
from courses.summaries import course_summaries
from tests.factories import CourseFactory, summary_course

pytestmark = pytest.mark.django_db

EXPORT_URL = "admin:courses_course_export"


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def _workbook(queryset=None):
    queryset = Course.objects.order_by("pk") if queryset is None else queryset
    return _sheet(b"".join(xlsx_chunks(course_summaries(queryset))))


def _row(sheet, number: int) -> dict:
    return {name: cell for name, cell in zip(HEADER, sheet[number], strict=True)}


def test_the_workbook_has_a_header_and_one_row_per_course_in_the_csvs_columns():
    summary_course()
    CourseFactory.create_batch(2)

    sheet = _workbook()

    assert sheet.max_row == 4
    assert sheet.max_column == len(HEADER)
    assert [cell.value for cell in sheet[1]][:3] == ["Course id", "Patient id", "Patient"]


def test_the_workbooks_cells_are_typed_dates_as_dates_numbers_as_numbers():
    course = summary_course(first_name="Мария", last_name="Иванова", patronymic="Петровна")

    row = _row(_workbook(), 2)

    assert row["course_id"].value == course.pk
    assert row["patient"].value == "Иванова Мария Петровна"
    assert row["start_date"].is_date
    assert row["start_date"].value == dt.datetime(2026, 6, 1)
    assert row["pain_at_end_at"].value == dt.datetime(2026, 6, 7, 10, 0)  # clinic time
    assert row["pain_at_end_at"].is_date
    assert row["sessions_done"].value == 3
    assert row["pain_change_points"].value == -4
    assert row["pain_change_percent"].value == pytest.approx(-57.1)
    assert row["pain_change_percent"].data_type == "n"
    assert row["important_improvement"].value is True
    assert row["next_repeat_reminder"].value is None
    assert row["region"].value == "Lumbar / lumbosacral"


def test_a_course_not_yet_ended_leaves_its_unknown_cells_empty():
    CourseFactory(status=Course.Status.PLANNED)

    row = _row(_workbook(), 2)

    for name in ("end_date", "pain_at_start", "pain_change_percent", "important_improvement"):
        assert row[name].value is None


def test_headers_and_labels_go_through_the_active_languages_catalogue(monkeypatch):
    summary_course()
    monkeypatch.setattr(translation._trans, "gettext", lambda message: f"«{message}»")
    monkeypatch.setattr(translation._trans, "pgettext", lambda context, message: f"«{message}»")

    with translation.override("ru"):
        sheet = _workbook()

    headers = [cell.value for cell in sheet[1]]
    assert all(header.startswith("«") and header.endswith("»") for header in headers), headers
    assert _row(sheet, 2)["status"].value == "«Completed»"


def test_a_russian_workbook_has_russian_headers_and_labels():
    summary_course()

    with translation.override("ru"):
        sheet = _workbook()

    headers = [cell.value.lower() for cell in sheet[1]]
    assert "пациент" in headers and "id курса" in headers, headers
    assert _row(sheet, 2)["status"].value == "Завершён"


def test_the_header_row_is_frozen_and_the_columns_are_wide_enough_for_their_headers():
    summary_course()

    sheet = _workbook()

    assert sheet.freeze_panes == "A2"
    for cell in sheet[1]:
        assert sheet.column_dimensions[cell.column_letter].width >= min(len(cell.value), 38)


def test_a_name_that_looks_like_a_formula_stays_text():
    summary_course(first_name='=HYPERLINK("http://evil.test")', last_name="X")

    cell = _row(_workbook(), 2)["patient"]

    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_the_course_list_offers_the_workbook_with_its_filters(admin_client):
    completed = summary_course()
    CourseFactory(status=Course.Status.ACTIVE)
    changelist = admin_client.get(
        reverse("admin:courses_course_changelist"), {"status__exact": "completed"}
    )
    assert reverse(EXPORT_URL, args=["xlsx"]) + "?status__exact=completed" in changelist.text

    response = admin_client.get(reverse(EXPORT_URL, args=["xlsx"]), {"status__exact": "completed"})

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = _sheet(b"".join(response.streaming_content))
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [completed.pk]


def test_the_admin_action_exports_the_selected_courses_as_a_workbook(admin_client):
    chosen = summary_course()
    CourseFactory()

    response = admin_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_xlsx", "_selected_action": [chosen.pk]},
    )

    sheet = _sheet(b"".join(response.streaming_content))
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [chosen.pk]


def test_the_command_writes_a_workbook_to_a_file(tmp_path):
    course = summary_course()
    output = tmp_path / "courses.xlsx"

    call_command(
        "export_courses", "--format", "xlsx", "--output", str(output), stdout=io.StringIO()
    )

    sheet = load_workbook(output).active
    assert sheet.max_row == 2
    assert sheet["A2"].value == course.pk


def test_the_command_will_not_write_a_workbook_to_a_text_only_output():
    summary_course()

    with pytest.raises(CommandError, match="use --output FILE"):
        call_command("export_courses", "--format", "xlsx", stdout=io.StringIO())
