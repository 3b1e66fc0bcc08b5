"""Course summaries as CSV and JSON, streamed a row at a time.

The columns are an interface: spreadsheets and scripts read them by name, so the header
is fixed, in English whatever the interface language, and documented in the README.
Add columns at the end; never rename or reorder one.
"""

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.utils import timezone

from courses.summaries import CourseSummary

Value = str | int | Decimal | bool | None


def _datetime(value: dt.datetime | None) -> str | None:
    # ISO 8601 in the clinic's time zone, to the second: what the staff saw on the day.
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


COLUMNS: list[tuple[str, Callable[[CourseSummary], Value]]] = [
    ("course_id", lambda s: s.course_id),
    ("patient_id", lambda s: s.patient_id),
    ("patient", lambda s: s.patient),
    ("region", lambda s: s.region),
    ("kind", lambda s: s.kind),
    ("massage_kind", lambda s: s.massage_kind),
    ("status", lambda s: s.status),
    ("therapist", lambda s: s.therapist),
    ("start_date", lambda s: _date(s.start_date)),
    ("end_date", lambda s: _date(s.end_date)),
    ("sessions_planned", lambda s: s.sessions_planned),
    ("sessions_done", lambda s: s.sessions_done),
    ("sessions_missed", lambda s: s.sessions_missed),
    ("sessions_cancelled", lambda s: s.sessions_cancelled),
    ("pain_at_start", lambda s: s.pain_at_start),
    ("pain_at_end", lambda s: s.pain_at_end),
    ("pain_at_end_at", lambda s: _datetime(s.pain_at_end_at)),
    ("pain_at_end_source", lambda s: s.pain_at_end_source),
    ("pain_change_points", lambda s: s.pain_change),
    ("pain_change_percent", lambda s: s.pain_change_percent),
    ("important_improvement", lambda s: s.important_improvement),
    ("next_repeat_reminder", lambda s: _datetime(s.next_repeat_reminder)),
]
HEADER = [name for name, _ in COLUMNS]

# OWASP "CSV injection": a spreadsheet runs a cell starting with one of these as a
# formula. A leading single quote makes it plain text and shows nothing extra.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def summary_record(summary: CourseSummary) -> dict[str, Value]:
    """One summary as plain values keyed by the documented column names."""
    return {name: get(summary) for name, get in COLUMNS}


def neutralise_formula(value: Value) -> Value:
    # Only text: the numbers we write (a pain change of -3) are numbers to a
    # spreadsheet, never formulas, and must stay numbers.
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value: Value) -> Value:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return neutralise_formula(value)


def _json_number(value: object) -> float:
    if isinstance(value, Decimal):
        return float(value)  # one decimal place: exact enough as a JSON number
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _Line:
    """A file-like object whose ``write`` hands back the line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(summaries: Iterable[CourseSummary]) -> Iterator[str]:
    """The header and one CSV line per summary (UTF-8 text, CRLF line ends)."""
    writer = csv.writer(_Line())
    yield writer.writerow(HEADER)
    for summary in summaries:
        yield writer.writerow([_csv_cell(get(summary)) for _, get in COLUMNS])


def json_chunks(summaries: Iterable[CourseSummary]) -> Iterator[str]:
    """A JSON array of one object per summary, written an object at a time."""
    # One encoder for the whole export: json.dumps with options builds a new one per call.
    encode = json.JSONEncoder(ensure_ascii=False, default=_json_number).encode
    yield "["
    separator = "\n"
    for summary in summaries:
        yield separator + encode(summary_record(summary))
        separator = ",\n"
    yield "\n]\n"


FORMATS: dict[str, tuple[Callable[[Iterable[CourseSummary]], Iterator[str]], str, str]] = {
    "csv": (csv_lines, "text/csv; charset=utf-8", "csv"),
    "json": (json_chunks, "application/json", "json"),
}


def export_filename(extension: str) -> str:
    # No patient name in it: file names end up in e-mails and download folders.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"course-summaries-{stamp}.{extension}"
