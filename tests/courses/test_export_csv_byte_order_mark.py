"""The CSV with a UTF-8 byte-order mark, for Excel, wherever the CSV is offered; the plain
CSV stays as it was, without one."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.exports import HEADER
from tests.factories import CourseFactory, summary_course

pytestmark = pytest.mark.django_db

BOM = "\ufeff".encode()
EXPORT_URL = "admin:courses_course_export"


def _rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_the_plain_csv_has_no_byte_order_mark(admin_client):
    summary_course()

    content = b"".join(admin_client.get(reverse(EXPORT_URL, args=["csv"])).streaming_content)

    assert content.startswith(b"course_id,")


def test_the_csv_for_excel_starts_with_a_byte_order_mark_then_the_same_csv(admin_client):
    summary_course(first_name="Мария", last_name="Иванова")
    plain = b"".join(admin_client.get(reverse(EXPORT_URL, args=["csv"])).streaming_content)

    response = admin_client.get(reverse(EXPORT_URL, args=["csv-bom"]))
    content = b"".join(response.streaming_content)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert content == BOM + plain
    assert list(_rows(content)[0]) == HEADER
    assert _rows(content)[0]["patient"] == "Мария Иванова"


def test_the_course_list_offers_the_csv_for_excel_with_its_filters(admin_client):
    page = admin_client.get(
        reverse("admin:courses_course_changelist"), {"status__exact": "completed"}
    )

    assert reverse(EXPORT_URL, args=["csv-bom"]) + "?status__exact=completed" in page.text


def test_the_admin_action_exports_the_selected_courses_with_a_byte_order_mark(admin_client):
    chosen = summary_course()
    CourseFactory()

    response = admin_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_csv_with_bom", "_selected_action": [chosen.pk]},
    )

    content = b"".join(response.streaming_content)
    assert content.startswith(BOM)
    assert [row["course_id"] for row in _rows(content)] == [str(chosen.pk)]


def test_the_command_writes_a_byte_order_mark_only_when_asked(tmp_path):
    summary_course()
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"

    call_command("export_courses", "--output", str(plain), stdout=io.StringIO())
    call_command("export_courses", "--bom", "--output", str(marked), stdout=io.StringIO())

    assert not plain.read_bytes().startswith(BOM)
    assert marked.read_bytes() == BOM + plain.read_bytes()


def test_the_command_refuses_a_byte_order_mark_for_anything_but_the_csv():
    with pytest.raises(CommandError, match="--bom is for the CSV only"):
        call_command("export_courses", "--format", "json", "--bom", stdout=io.StringIO())
