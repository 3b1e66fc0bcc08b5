"""Export course summaries (CSV, JSON or an Excel workbook) or one course's PDF.

python manage.py export_courses --format csv --status completed --since 2026-01-01
python manage.py export_courses --format xlsx --output courses.xlsx
python manage.py export_courses --format csv --bom --output for-excel.csv
python manage.py export_courses --format pdf --course 42 --output course-42.pdf
python manage.py export_courses --therapist anna.kowalska   # her own courses only
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from courses import exports
from courses.models import Course
from courses.pdf import course_pdf_write
from courses.selectors import courses_of
from courses.summaries import course_summaries


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        # argparse turns this into a usage error naming the option.
        raise argparse.ArgumentTypeError(
            _("Dates are written YYYY-MM-DD, e.g. 2026-03-31; got %(value)r.") % {"value": value}
        ) from None


@contextmanager
def _atomic_file(path: Path, mode: str, **kwargs) -> Iterator[IO]:
    """A file that appears at ``path`` only once it is complete: a failed export leaves
    neither a half-written file nor a clobbered earlier one."""
    if not path.parent.is_dir():
        raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": path.parent})
    with tempfile.NamedTemporaryFile(
        mode, dir=path.parent, prefix=f".{path.name}.", delete=False, **kwargs
    ) as handle:
        try:
            yield handle
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.replace(handle.name, path)


class Command(BaseCommand):
    help = gettext_lazy("Export course summaries as CSV, JSON or .xlsx, or one course as a PDF.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json", "xlsx", "pdf"], default="csv")
        parser.add_argument(
            "--bom",
            action="store_true",
            help=gettext_lazy(
                "Start the CSV with a UTF-8 byte-order mark, which Excel needs to read it."
            ),
        )
        parser.add_argument(
            "--status",
            action="append",
            choices=Course.Status.values,
            help=_("Only courses with this status; repeat for several."),
        )
        parser.add_argument("--since", type=_date, help=_("Courses that started on or after."))
        parser.add_argument("--until", type=_date, help=_("Courses that started on or before."))
        parser.add_argument("--course", type=int, help=_("One course by id (required for pdf)."))
        parser.add_argument("--output", type=Path, help=_("File to write; default stdout."))
        parser.add_argument(
            "--therapist",
            help=_(
                "Only this user name's own courses (run by them or with a session booked "
                "with them): what the therapist may export in the admin."
            ),
        )

    def handle(self, *args, **options) -> None:
        if options["since"] and options["until"] and options["since"] > options["until"]:
            raise CommandError(_("--since must not be after --until."))
        if options["bom"] and options["format"] != "csv":
            raise CommandError(_("--bom is for the CSV only."))
        if options["format"] == "pdf":
            self._pdf(options["course"], options["output"])
        else:
            self._summaries(options)

    def _pdf(self, course_id: int | None, output: Path | None) -> None:
        if course_id is None:
            raise CommandError(_("A PDF is of one course: give its id with --course."))
        if not Course.objects.filter(pk=course_id).exists():
            raise CommandError(_("There is no course with id %(id)d.") % {"id": course_id})
        if output is None:
            stream = getattr(self.stdout, "buffer", None)
            if stream is None:
                raise CommandError(_("This output cannot take a PDF; use --output FILE."))
            course_pdf_write(course_id=course_id, output=stream)
            return
        with _atomic_file(output, "wb") as handle:
            course_pdf_write(course_id=course_id, output=handle)

    def _summaries(self, options: dict) -> None:
        queryset = Course.objects.order_by("start_date", "id")
        if options["status"]:
            queryset = queryset.filter(status__in=options["status"])
        if options["since"]:
            queryset = queryset.filter(start_date__gte=options["since"])
        if options["until"]:
            queryset = queryset.filter(start_date__lte=options["until"])
        if options["course"] is not None:
            queryset = queryset.filter(pk=options["course"])
        if options["therapist"]:
            therapist = get_user_model().objects.filter(username=options["therapist"]).first()
            if therapist is None:
                raise CommandError(
                    _("There is no user named %(name)s.") % {"name": options["therapist"]}
                )
            queryset = queryset.filter(pk__in=courses_of(therapist).values("pk"))
        export = exports.FORMATS["csv-bom" if options["bom"] else options["format"]]
        summaries = course_summaries(queryset)
        output: Path | None = options["output"]
        if output is None:
            if export.binary:
                stream = getattr(self.stdout, "buffer", None)
                if stream is None:
                    raise CommandError(_("This output cannot take a workbook; use --output FILE."))
                for chunk in export.render(summaries):
                    stream.write(chunk)
                return
            try:
                for chunk in export.render(summaries):
                    self.stdout.write(chunk, ending="")
            except BrokenPipeError:
                # The reader (`| head`) has had enough: stop quietly, and point stdout
                # at /dev/null so that Python's exit flush does not fail again.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        # A bar only for a person watching: not in cron, not when stderr is a log file.
        if sys.stderr.isatty():
            summaries = tqdm(summaries, total=queryset.count(), unit=_("course"), file=sys.stderr)
        text = {} if export.binary else {"encoding": "utf-8", "newline": ""}
        with _atomic_file(output, "wb" if export.binary else "w", **text) as handle:
            for chunk in export.render(summaries):
                handle.write(chunk)
        # Standard output is free, as the export went to the file.
        self.stdout.write(self.style.SUCCESS(_("Wrote %(path)s.") % {"path": output}))
