"""The PDF of one course, to hand to the patient or send to a referring doctor.

Written in the active language, its labels and its dates (the language's formats: in
Russian "1 июня 2026 г." and 01.06.2026), in a font that draws any script's letters.
"""

import io
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clinic.timeutils import clinic_today
from courses.charts import pain_chart, pain_series
from courses.models import Course, Visit
from courses.pdf_fonts import pdf_font_name
from courses.summaries import (
    CourseSummary,
    course_patient_reports,
    course_summary,
    course_visit_log,
)


def _styles() -> dict[str, ParagraphStyle]:
    font, bold = pdf_font_name(), pdf_font_name(bold=True)
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=15, leading=19),
        "heading": ParagraphStyle(
            "heading", fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "body": ParagraphStyle("body", fontName=font, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=10),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads a little markup: a name with "<" or "&" must stay text.
    return Paragraph(escape(str(text)), style)


def _visit_rows(visits: list[Visit], style: ParagraphStyle) -> list[list]:
    techniques = dict(Visit.Technique.choices)
    rows = [
        [
            _p(h, style)
            for h in (
                _("No."),
                _("Date"),
                _("Status"),
                _("Duration (min)"),
                _("Techniques"),
                _("Intensity"),
                _("Pain before"),
                _("Pain after"),
            )
        ]
    ]
    for visit in visits:
        rows.append(
            [
                _p(value, style)
                for value in (
                    visit.sequence,
                    date_format(visit.calendar_date, "SHORT_DATE_FORMAT")
                    if visit.calendar_date
                    else "",
                    visit.get_status_display(),
                    visit.duration_minutes or "",
                    ", ".join(str(techniques.get(t, t)) for t in visit.techniques or []),
                    visit.get_intensity_display(),
                    "" if visit.pain_before is None else visit.pain_before,
                    "" if visit.pain_after is None else visit.pain_after,
                )
            ]
        )
    return rows


def _details(summary: CourseSummary, style: ParagraphStyle) -> Table:
    rows = [
        (_("Patient"), summary.patient),
        (_("Spine region"), summary.region_label),
        (_("Kind"), summary.kind_label),
        (_("Massage kind"), summary.massage_kind_label),
        (_("Therapist"), summary.therapist),
        (_("Status"), summary.status_label),
        (_("Start date"), date_format(summary.start_date)),
        (_("End date"), date_format(summary.end_date) if summary.end_date else "—"),
        (
            _("Sessions"),
            _("%(done)d done of %(planned)d planned; %(missed)d missed, %(cancelled)d cancelled")
            % {
                "done": summary.sessions_done,
                "planned": summary.sessions_planned,
                "missed": summary.sessions_missed,
                "cancelled": summary.sessions_cancelled,
            },
        ),
    ]
    table = Table([[_p(k, style), _p(v, style)] for k, v in rows], colWidths=[40 * mm, None])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def course_pdf_write(*, course_id: int, output: BinaryIO) -> None:
    """Write the PDF of one course to ``output``; raises Course.DoesNotExist."""
    summary = course_summary(course_id)
    course = Course.objects.get(pk=course_id)
    visits = course_visit_log(course_id)
    reports = course_patient_reports(course_id)
    styles = _styles()

    story = [
        _p(settings.CLINIC_NAME, styles["title"]),
        _p(settings.CLINIC_ADDRESS, styles["body"]),
        Spacer(1, 6 * mm),
        _p(_("Massage course summary"), styles["heading"]),
        _details(summary, styles["body"]),
        _p(_("Visits"), styles["heading"]),
    ]
    if visits:
        table = Table(
            _visit_rows(visits, styles["small"]),
            colWidths=[10 * mm, 22 * mm, 20 * mm, 18 * mm, None, 22 * mm, 15 * mm, 15 * mm],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    else:
        story.append(_p(_("No visits recorded."), styles["body"]))
    story += [
        _p(_("Pain chart"), styles["heading"]),
        pain_chart(pain_series(course, visits, reports)),
        _p(_("Outcome"), styles["heading"]),
        _p(summary.outcome, styles["body"]),
        Spacer(1, 14 * mm),
        _p(_("Therapist: %(name)s") % {"name": summary.therapist}, styles["body"]),
        Spacer(1, 10 * mm),
        _p(_("Signature: ______________________________    Date: ____________"), styles["body"]),
        Spacer(1, 6 * mm),
        _p(_("Printed on %(date)s") % {"date": date_format(clinic_today())}, styles["small"]),
    ]
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Course summary"),
        author=settings.CLINIC_NAME,
        # Fixed so that the same course gives the same file; the print date is on the page.
        invariant=True,
        creator=settings.CLINIC_NAME,
    )
    document.build(story)


def course_pdf(course_id: int) -> bytes:
    buffer = io.BytesIO()
    course_pdf_write(course_id=course_id, output=buffer)
    return buffer.getvalue()


def course_pdf_filename(course_id: int) -> str:
    # An id and a date only: a patient's name in a file name leaks into mail and folders.
    return f"course-{course_id}-{timezone.localdate().isoformat()}.pdf"
