"""The course summary: the one place that says how a course went.

The admin, the CSV and JSON exports and the PDF all read a course through
``course_summaries``, so "pain at the end" or "clinically important improvement" mean
the same thing everywhere. A whole list costs a constant number of queries: the counts
and pain scores are annotations on the course query, and the two lookups that live in
the messaging area run once per chunk of courses, never once per course.
"""

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from clinic.staff import staff_name
from courses.models import Course, CourseKind, MassageKind, SpineRegion, Visit
from courses.selectors import courses_with_progress
from messaging.models import Feedback, Message

# Rows fetched from the database at a time when streaming. Large enough that the
# per-chunk lookups are rare, small enough that memory stays flat for any list size.
CHUNK_SIZE = 200


class PainSource:
    """Where the pain at the end of a course was measured."""

    VISIT = "visit"
    PATIENT_REPORT = "patient_report"


@dataclass(frozen=True)
class PatientReport:
    """A pain score the patient sent after a session (through the messaging area)."""

    reported_at: dt.datetime
    pain: int


@dataclass(frozen=True)
class CourseSummary:
    course_id: int
    patient_id: int
    patient: str
    region: str
    kind: str
    massage_kind: str
    status: str
    therapist: str
    start_date: dt.date
    end_date: dt.date | None
    sessions_planned: int
    sessions_done: int
    sessions_missed: int
    sessions_cancelled: int
    pain_at_start: int | None
    pain_at_end: int | None
    pain_at_end_at: dt.datetime | None
    pain_at_end_source: str | None
    next_repeat_reminder: dt.datetime | None

    # Labels on demand: translating four of them for every row of a 2,000-course
    # export cost more than the query itself.
    @property
    def region_label(self) -> str:
        return str(SpineRegion(self.region).label)

    @property
    def kind_label(self) -> str:
        return str(CourseKind(self.kind).label)

    @property
    def massage_kind_label(self) -> str:
        return str(MassageKind(self.massage_kind).label)

    @property
    def status_label(self) -> str:
        return str(Course.Status(self.status).label)

    @property
    def pain_change(self) -> int | None:
        """Points gained (positive) or lost (negative) from the start to the end."""
        if self.pain_at_start is None or self.pain_at_end is None:
            return None
        return self.pain_at_end - self.pain_at_start

    @property
    def pain_change_percent(self) -> Decimal | None:
        """The change as a percentage of the pain at the start, to one decimal place.

        None when there was no pain at the start: a percentage of zero means nothing.
        """
        change = self.pain_change
        if change is None or not self.pain_at_start:
            return None
        percent = Decimal(change * 100) / Decimal(self.pain_at_start)
        return percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def important_improvement(self) -> bool | None:
        """Whether pain fell by the clinic's thresholds in points AND in percent; None
        until there is a pain score at both ends."""
        change = self.pain_change
        if change is None:
            return None
        if not self.pain_at_start:
            return False
        drop = -change
        return (
            drop >= settings.CLINIC_IMPORTANT_IMPROVEMENT_POINTS
            and drop * 100 >= settings.CLINIC_IMPORTANT_IMPROVEMENT_PERCENT * self.pain_at_start
        )

    @property
    def outcome(self) -> str:
        """One sentence on how the pain changed, for the admin and the PDF."""
        if self.pain_change is None:
            return _("No pain scores at both ends of the course yet.")
        values = {
            "start": self.pain_at_start,
            "end": self.pain_at_end,
            "points": f"{self.pain_change:+d}",
            "percent": f"{self.pain_change_percent:+}%"
            if self.pain_change_percent is not None
            else "—",
        }
        if self.important_improvement:
            text = _(
                "Pain went from %(start)d to %(end)d (%(points)s points, %(percent)s): "
                "a clinically important improvement."
            )
        else:
            text = _(
                "Pain went from %(start)d to %(end)d (%(points)s points, %(percent)s): "
                "not a clinically important improvement."
            )
        return text % values


def courses_with_summary(queryset: QuerySet[Course]) -> QuerySet[Course]:
    """The courses with every figure a summary needs, in the same query as the courses."""
    done = Q(visits__status=Visit.Status.DONE)
    return (
        courses_with_progress(queryset)
        .select_related("patient", "therapist")
        .annotate(
            missed_count=Count("visits", filter=Q(visits__status=Visit.Status.MISSED)),
            cancelled_count=Count("visits", filter=Q(visits__status=Visit.Status.CANCELLED)),
            # The instant of the visit whose pain_after is latest_pain.
            last_done_at=Max("visits__performed_at", filter=done),
        )
    )


def course_summary_from(
    course: Course,
    *,
    report: PatientReport | None = None,
    next_reminder: dt.datetime | None = None,
) -> CourseSummary:
    """The summary of one course annotated by ``courses_with_summary``."""
    pain_at_end, pain_at_end_at, source = course.latest_pain, course.last_done_at, None
    if pain_at_end is not None:
        source = PainSource.VISIT
    # A report the patient sent after the last session is the latest word on the pain.
    if report is not None and (pain_at_end_at is None or report.reported_at > pain_at_end_at):
        pain_at_end, pain_at_end_at, source = (
            report.pain,
            report.reported_at,
            PainSource.PATIENT_REPORT,
        )
    therapist = course.therapist
    return CourseSummary(
        course_id=course.pk,
        patient_id=course.patient_id,
        patient=course.patient.full_name,
        region=course.region,
        kind=course.kind,
        massage_kind=course.massage_kind,
        status=course.status,
        therapist=staff_name(therapist),
        start_date=course.start_date,
        end_date=course.end_date,
        sessions_planned=course.planned_sessions,
        sessions_done=course.done_count,
        sessions_missed=course.missed_count,
        sessions_cancelled=course.cancelled_count,
        pain_at_start=course.pain_at_start,
        pain_at_end=pain_at_end,
        pain_at_end_at=pain_at_end_at,
        pain_at_end_source=source,
        next_repeat_reminder=next_reminder,
    )


def course_summaries(
    queryset: QuerySet[Course], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[CourseSummary]:
    """Summaries of the courses in ``queryset``, in its order, streamed chunk by chunk.

    One query for the courses (read with a database cursor, so memory stays flat) and,
    per chunk, one lookup each for patient reports and repeat-course reminders.
    """
    courses = courses_with_summary(queryset).iterator(chunk_size=chunk_size)
    while True:
        chunk = list(islice(courses, chunk_size))
        if not chunk:
            return
        reports = _latest_patient_reports([course.pk for course in chunk])
        reminders = _next_repeat_reminders({course.patient_id for course in chunk})
        for course in chunk:
            yield course_summary_from(
                course,
                report=reports.get(course.pk),
                next_reminder=reminders.get(course.patient_id),
            )
        # Let the chunk go before the next one is read, so only one is ever held.
        del chunk, reports, reminders, course


def course_summary(course_id: int) -> CourseSummary:
    """The summary of one course; raises Course.DoesNotExist."""
    for summary in course_summaries(Course.objects.filter(pk=course_id)):
        return summary
    raise Course.DoesNotExist(f"No course with id {course_id}.")


def course_patient_reports(course_id: int) -> list[PatientReport]:
    """Every pain report the patient sent during the course, oldest first (for charts)."""
    return sorted(_patient_reports([course_id]).get(course_id, []), key=lambda r: r.reported_at)


def course_visit_log(course_id: int) -> list[Visit]:
    """Every visit of a course in session order, for the PDF and the pain chart."""
    return list(Visit.objects.filter(course_id=course_id).order_by("sequence"))


# --- From the messaging area ---------------------------------------------------------
# Patient reports and repeat-course reminders are stored by the messaging area. Each
# lookup is ONE query for all the ids it is given, so a chunk of summaries costs the
# same however many courses it holds.


def _patient_reports(course_ids: Iterable[int]) -> Mapping[int, list[PatientReport]]:
    """All pain reports per course id."""
    reports: dict[int, list[PatientReport]] = {}
    rows = Feedback.objects.filter(course_id__in=list(course_ids)).values_list(
        "course_id", "submitted_at", "pain"
    )
    for course_id, submitted_at, pain in rows.order_by("submitted_at", "id"):
        reports.setdefault(course_id, []).append(
            PatientReport(reported_at=submitted_at, pain=pain)
        )
    return reports


def _latest_patient_reports(course_ids: Iterable[int]) -> Mapping[int, PatientReport]:
    """The latest pain report per course id."""
    return {
        course_id: max(reports, key=lambda r: r.reported_at)
        for course_id, reports in _patient_reports(course_ids).items()
        if reports
    }


def _next_repeat_reminders(patient_ids: Iterable[int]) -> Mapping[int, dt.datetime]:
    """When the next repeat-course reminder is due, per patient id."""
    rows = (
        Message.objects.open()
        .filter(kind=Message.Kind.REPEAT_COURSE_REMINDER, patient_id__in=list(patient_ids))
        .values("patient_id")
        .annotate(due=Min("due_at"))
        .values_list("patient_id", "due")
    )
    return dict(rows)
