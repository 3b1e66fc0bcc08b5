"""The pain chart of a course: pain before and after each done visit and the patient's
reports, on the 0-10 scale, over the days of the course.

Drawn once as a ReportLab drawing: the PDF embeds it as vector graphics and the admin
shows the same drawing rendered to SVG on the server, so no script is loaded anywhere.
"""

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from clinic.timeutils import clinic_date
from courses.models import PAIN_MAX, PAIN_MIN, Course, Visit
from courses.pdf_fonts import FONT_NAME, pdf_font_name
from courses.summaries import PatientReport

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, BOTTOM, TOP = 34, 12, 30, 28
BEFORE_COLOUR = colors.HexColor("#c0392b")
AFTER_COLOUR = colors.HexColor("#2471a3")
REPORT_COLOUR = colors.HexColor("#d68910")


@dataclass(frozen=True)
class PainPoint:
    day: int  # days since the course started, in the clinic's calendar
    pain: int


@dataclass(frozen=True)
class PainSeries:
    before: list[PainPoint]
    after: list[PainPoint]
    reports: list[PainPoint]

    @property
    def is_empty(self) -> bool:
        return not (self.before or self.after or self.reports)


def pain_series(
    course: Course, visits: Sequence[Visit], reports: Sequence[PatientReport]
) -> PainSeries:
    before, after = [], []
    for visit in visits:
        if not visit.is_done:
            continue
        day = (visit.calendar_date - course.start_date).days
        before.append(PainPoint(day, visit.pain_before))
        after.append(PainPoint(day, visit.pain_after))
    return PainSeries(
        before=before,
        after=after,
        reports=[
            PainPoint((clinic_date(r.reported_at) - course.start_date).days, r.pain)
            for r in reports
        ],
    )


def pain_chart(series: PainSeries) -> Drawing:
    font = pdf_font_name()
    drawing = Drawing(WIDTH, HEIGHT)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - BOTTOM - TOP
    points = series.before + series.after + series.reports
    last_day = max([p.day for p in points] + [1])

    def x(day: int) -> float:
        return LEFT + plot_w * day / last_day

    def y(pain: int) -> float:
        return BOTTOM + plot_h * (pain - PAIN_MIN) / (PAIN_MAX - PAIN_MIN)

    drawing.add(Rect(LEFT, BOTTOM, plot_w, plot_h, fillColor=None, strokeColor=colors.grey))
    for pain in range(PAIN_MIN, PAIN_MAX + 1, 2):
        drawing.add(Line(LEFT, y(pain), LEFT + plot_w, y(pain), strokeColor=colors.lightgrey))
        drawing.add(
            String(LEFT - 6, y(pain) - 3, str(pain), fontName=font, fontSize=8, textAnchor="end")
        )
    for day in _day_ticks(last_day):
        drawing.add(
            String(x(day), BOTTOM - 12, str(day), fontName=font, fontSize=8, textAnchor="middle")
        )
    drawing.add(
        String(
            LEFT + plot_w / 2,
            4,
            _("Days since the course started"),
            fontName=font,
            fontSize=8,
            textAnchor="middle",
        )
    )

    for points_, colour in ((series.before, BEFORE_COLOUR), (series.after, AFTER_COLOUR)):
        if len(points_) > 1:
            drawing.add(
                PolyLine(
                    [c for p in points_ for c in (x(p.day), y(p.pain))],
                    strokeColor=colour,
                    strokeWidth=1.5,
                )
            )
        for p in points_:
            drawing.add(Circle(x(p.day), y(p.pain), 2.5, fillColor=colour, strokeColor=colour))
    for p in series.reports:
        drawing.add(
            Rect(
                x(p.day) - 3,
                y(p.pain) - 3,
                6,
                6,
                fillColor=REPORT_COLOUR,
                strokeColor=REPORT_COLOUR,
            )
        )

    legend = [
        (_("Pain before"), BEFORE_COLOUR),
        (_("Pain after"), AFTER_COLOUR),
        (_("Patient report"), REPORT_COLOUR),
    ]
    for index, (label, colour) in enumerate(legend):
        left = LEFT + index * 130
        drawing.add(Rect(left, HEIGHT - 14, 8, 8, fillColor=colour, strokeColor=colour))
        drawing.add(String(left + 12, HEIGHT - 13, label, fontName=font, fontSize=8))
    if series.is_empty:
        drawing.add(
            String(
                LEFT + plot_w / 2,
                BOTTOM + plot_h / 2,
                _("No pain scores yet"),
                fontName=font,
                fontSize=10,
                textAnchor="middle",
            )
        )
    return drawing


def _day_ticks(last_day: int) -> list[int]:
    step = max(1, -(-last_day // 10))  # at most about ten labels
    return list(range(0, last_day + 1, step))


def pain_chart_svg_data_uri(series: PainSeries) -> str:
    """The chart as an SVG ``data:`` URI for an <img>: an image cannot run script."""
    svg = renderSVG.drawToString(pain_chart(series))
    # The PDF's font is registered with ReportLab only; a browser drawing the SVG does not
    # know it and would fall back to a serif face. Any sans-serif reads the same.
    svg = svg.replace(f"font-family: {FONT_NAME}", "font-family: 'DejaVu Sans', sans-serif")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
