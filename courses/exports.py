"""Course summaries as CSV, JSON and an Excel workbook (.xlsx), a row at a time.

The CSV's and JSON's columns are an interface: spreadsheets and scripts read them by
name, so the header is fixed, in English whatever the interface language, and documented
in the README. Add columns at the end; never rename or reorder one. The workbook is for
people: the same rows and columns, headed and labelled in the active language.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import orjson
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from courses.models import Course, CourseKind, MassageKind, PainSource, SpineRegion
from courses.summaries import CourseSummary

Value = str | int | Decimal | bool | None


def _datetime(value: dt.datetime | None, zone: dt.tzinfo) -> str | None:
    # ISO 8601 in the clinic's time zone, to the second: what the staff saw on the day.
    return value.astimezone(zone).isoformat(timespec="seconds") if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


HEADER = [
    "course_id",
    "patient_id",
    "patient",
    "region",
    "kind",
    "massage_kind",
    "status",
    "therapist",
    "start_date",
    "end_date",
    "sessions_planned",
    "sessions_done",
    "sessions_missed",
    "sessions_cancelled",
    "pain_at_start",
    "pain_at_end",
    "pain_at_end_at",
    "pain_at_end_source",
    "pain_change_points",
    "pain_change_percent",
    "important_improvement",
    "next_repeat_reminder",
]


def summary_values(summary: CourseSummary, zone: dt.tzinfo | None = None) -> list[Value]:
    """One summary's values in ``HEADER``'s order, times in ``zone`` (by default the
    current time zone: an export reads it once, not once per row).

    One function building the row, not a getter per column: an export of 60,000 courses
    calls it 60,000 times.
    """
    zone = zone or timezone.get_current_timezone()
    s = summary
    return [
        s.course_id,
        s.patient_id,
        s.patient,
        s.region,
        s.kind,
        s.massage_kind,
        s.status,
        s.therapist,
        _date(s.start_date),
        _date(s.end_date),
        s.sessions_planned,
        s.sessions_done,
        s.sessions_missed,
        s.sessions_cancelled,
        s.pain_at_start,
        s.pain_at_end,
        _datetime(s.pain_at_end_at, zone),
        s.pain_at_end_source,
        s.pain_change,
        s.pain_change_percent,
        s.important_improvement,
        _datetime(s.next_repeat_reminder, zone),
    ]


# OWASP "CSV injection": a spreadsheet runs a cell starting with one of these as a
# formula. A leading single quote makes it plain text and shows nothing extra.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The columns people type (names); the others are numbers, dates and the clinic's codes.
FREE_TEXT = [HEADER.index("patient"), HEADER.index("therapist")]
_IMPROVEMENT = HEADER.index("important_improvement")


def summary_record(summary: CourseSummary, zone: dt.tzinfo | None = None) -> dict[str, Value]:
    """One summary as plain values keyed by the documented column names."""
    return dict(zip(HEADER, summary_values(summary, zone), strict=True))


def neutralise_formula(value: Value) -> Value:
    # Only text: the numbers we write (a pain change of -3) are numbers to a
    # spreadsheet, never formulas, and must stay numbers.
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_row(summary: CourseSummary, zone: dt.tzinfo) -> list[Value]:
    row = summary_values(summary, zone)
    for index in FREE_TEXT:
        row[index] = neutralise_formula(row[index])
    improvement = row[_IMPROVEMENT]
    if improvement is not None:
        row[_IMPROVEMENT] = "yes" if improvement else "no"
    return row


def _json_number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)  # one decimal place: exact enough as a JSON number
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _Line:
    """A file-like object whose ``write`` hands back the line instead of storing it."""

    def write(self, line: str) -> str:
        return line


# Excel takes a UTF-8 file without it for the machine's own code page (mojibake in a
# Russian Windows); scripts reading the CSV may not expect it, so it is asked for.
BYTE_ORDER_MARK = "\ufeff"


def csv_lines(summaries: Iterable[CourseSummary], *, bom: bool = False) -> Iterator[str]:
    """The header and one CSV line per summary (UTF-8 text, CRLF line ends), after a
    byte-order mark if ``bom``."""
    writer = csv.writer(_Line())
    zone = timezone.get_current_timezone()
    yield (BYTE_ORDER_MARK if bom else "") + writer.writerow(HEADER)
    for summary in summaries:
        yield writer.writerow(_csv_row(summary, zone))


def json_chunks(summaries: Iterable[CourseSummary]) -> Iterator[str]:
    """A JSON array of one object per summary, written an object at a time."""
    zone = timezone.get_current_timezone()
    yield "["
    separator = "\n"
    for summary in summaries:
        record = orjson.dumps(summary_record(summary, zone), default=_json_number)
        yield separator + record.decode()
        separator = ",\n"
    yield "\n]\n"


def _field_name(field: str):
    return Course._meta.get_field(field).verbose_name


# The workbook's headers, in the CSV's column order: the course's own field names where
# the column is a field, so a header reads as the course page names it.
XLSX_HEADERS = {
    "course_id": _("course id"),
    "patient_id": _("patient id"),
    "patient": _field_name("patient"),
    "region": _field_name("region"),
    "kind": _field_name("kind"),
    "massage_kind": _field_name("massage_kind"),
    "status": _field_name("status"),
    "therapist": _field_name("therapist"),
    "start_date": _field_name("start_date"),
    "end_date": _field_name("end_date"),
    "sessions_planned": _field_name("planned_sessions"),
    "sessions_done": _field_name("sessions_done"),
    "sessions_missed": _field_name("sessions_missed"),
    "sessions_cancelled": _field_name("sessions_cancelled"),
    "pain_at_start": _field_name("pain_at_start"),
    "pain_at_end": _field_name("pain_at_end"),
    "pain_at_end_at": _field_name("pain_at_end_at"),
    "pain_at_end_source": _field_name("pain_at_end_source"),
    "pain_change_points": _("pain change (points)"),
    "pain_change_percent": _("pain change (%)"),
    "important_improvement": _("important improvement"),
    "next_repeat_reminder": _("next repeat-course reminder"),
}
# Excel's built-in formats 14 and 22 follow the reader's regional settings: 24.11.2026 in
# a Russian Excel, 24/11/2026 in a British one, from the same file.
XLSX_DATE = "mm-dd-yy"
XLSX_DATETIME = "m/d/yy h:mm"
XLSX_PERCENT = "+0.0;-0.0;0.0"
XLSX_POINTS = "+0;-0;0"
# Code columns shown by their label in the active language, and the width each kind of
# column gets (the rows are not all read before the widths are written).
_LABELS = {
    "region": SpineRegion,
    "kind": CourseKind,
    "massage_kind": MassageKind,
    "status": Course.Status,
    "pain_at_end_source": PainSource,
}
_WIDTHS = {"patient": 32, "therapist": 24, "pain_at_end_at": 18, "next_repeat_reminder": 18}


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: the clinic's wall-clock time, as staff saw it.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# The cells that differ from the CSV's: dates and times as such, the percentage as a
# number; the codes go by their label.
_XLSX_VALUES: dict[str, Callable[[CourseSummary], object]] = {
    "start_date": lambda s: s.start_date,
    "end_date": lambda s: s.end_date,
    "pain_at_end_at": lambda s: _local(s.pain_at_end_at),
    "next_repeat_reminder": lambda s: _local(s.next_repeat_reminder),
    "pain_change_percent": lambda s: (
        None if s.pain_change_percent is None else float(s.pain_change_percent)
    ),
}


class _Labels(dict):
    """Each code's label in the active language, translated once per export, not per row."""

    def __missing__(self, key: tuple[str, str]) -> str:
        name, code = key
        self[key] = str(_LABELS[name](code).label)
        return self[key]


_NUMBER_FORMATS = {
    "start_date": XLSX_DATE,
    "end_date": XLSX_DATE,
    "pain_at_end_at": XLSX_DATETIME,
    "next_repeat_reminder": XLSX_DATETIME,
    "pain_change_points": XLSX_POINTS,
    "pain_change_percent": XLSX_PERCENT,
}


def xlsx_chunks(summaries: Iterable[CourseSummary]) -> Iterator[bytes]:
    """A workbook of one sheet: a frozen header row, then one row per summary.

    openpyxl's write-only mode writes each row to a temporary file as it is appended, so
    memory stays flat; the finished file is then read out in pieces.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(capfirst(Course._meta.verbose_name_plural)))
    sheet.freeze_panes = "A2"
    headers = [str(capfirst(XLSX_HEADERS[name])) for name in HEADER]
    for index, (name, header) in enumerate(zip(HEADER, headers, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            _WIDTHS.get(name, 12), min(len(header) + 2, 40)
        )
    sheet.append(headers)
    labels = _Labels()
    zone = timezone.get_current_timezone()
    for summary in summaries:
        row = []
        for name, value in zip(HEADER, summary_values(summary, zone), strict=True):
            if name in _XLSX_VALUES:
                value = _XLSX_VALUES[name](summary)
            if name in _LABELS and value is not None:
                value = labels[name, value]
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(cell.value, str):
                # openpyxl makes a formula of text starting with "="; a name is text.
                cell.data_type = "s"
            if name in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[name]
            row.append(cell)
        sheet.append(row)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk


@dataclass(frozen=True)
class ExportFormat:
    render: Callable[[Iterable[CourseSummary]], Iterator[str] | Iterator[bytes]]
    content_type: str
    extension: str
    binary: bool = False


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(csv_lines, "text/csv; charset=utf-8", "csv"),
    # The same CSV after a byte-order mark, for Excel.
    "csv-bom": ExportFormat(partial(csv_lines, bom=True), "text/csv; charset=utf-8", "csv"),
    "json": ExportFormat(json_chunks, "application/json", "json"),
    "xlsx": ExportFormat(xlsx_chunks, XLSX_CONTENT_TYPE, "xlsx", binary=True),
}


def export_filename(extension: str) -> str:
    # No patient name in it: file names end up in e-mails and download folders.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"course-summaries-{stamp}.{extension}"
