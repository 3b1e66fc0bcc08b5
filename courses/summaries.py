"""The course summary: the one place that says how a course went.

Its figures (sessions done, missed and cancelled; the pain at the start and at the end,
and where the end was measured; a rise in pain no therapist has acknowledged) are
defined once, by ``summary_columns``: expressions over the course's visits and its
patient's answers. The services write them onto the course row with every change to
either (``CourseQuerySet.summaries_refresh``), so the course list sorts and filters on
them in the database, and the list, the page, the exports and the PDF read them without
reading a visit. ``CourseSummary`` adds what follows from them (the change, the
clinically important improvement) and the next repeat-course reminder: a fact about the
patient that the messaging area keeps and that is read with the courses, in the same
query.
"""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, IsNull
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from clinic.staff import staff_name
from courses.models import Course, CourseKind, MassageKind, PainSource, SpineRegion, Visit
from messaging.models import Feedback
from messaging.selectors import courses_with_next_repeat_reminder
from patients.models import Patient

# Rows fetched from the database at a time when streaming: memory stays flat for any
# list size, and a fetch is rare enough not to show in the time.
CHUNK_SIZE = 200


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
    def pain_change_percent_text(self) -> str | None:
        """The percentage as staff read it: signed, one decimal, with the language's
        decimal mark ("-33.3%", in Russian "-33,3%")."""
        percent = self.pain_change_percent
        if percent is None:
            return None
        return ("+" if percent > 0 else "") + number_format(percent, decimal_pos=1) + "%"

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
            "percent": self.pain_change_percent_text or "—",
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


def _visits_counted(visits: QuerySet[Visit], status: str) -> Expression:
    return Coalesce(
        Subquery(
            visits.filter(status=status)
            .order_by()
            .values("course")
            .annotate(n=Count("pk"))
            # Only the count: "course" would otherwise be selected too.
            .values("n")
        ),
        0,
    )


def summary_columns() -> dict[str, Expression]:
    """The summary of each course, as an expression per ``Course.SUMMARY_FIELDS`` over
    the course's own visits and answers (``OuterRef("pk")``): what the services write
    and what ``manage.py course_summaries --check`` compares the columns with."""
    visits = Visit.objects.filter(course=OuterRef("pk"))
    answers = Feedback.objects.filter(course=OuterRef("pk")).order_by("-submitted_at", "id")
    last_done = visits.latest_done_first()
    visit_at = Subquery(last_done.values("performed_at")[:1])
    report_at = Subquery(answers.values("submitted_at")[:1])
    # A report the patient sent after the last session is the latest word on the pain.
    report_is_latest = Q(IsNull(report_at, False)) & (
        Q(IsNull(visit_at, True)) | Q(GreaterThan(report_at, visit_at))
    )
    return {
        "sessions_done": _visits_counted(visits, Visit.Status.DONE),
        "sessions_missed": _visits_counted(visits, Visit.Status.MISSED),
        "sessions_cancelled": _visits_counted(visits, Visit.Status.CANCELLED),
        "pain_at_start": Subquery(visits.earliest_done_first().values("pain_before")[:1]),
        "pain_at_end": Case(
            When(report_is_latest, then=Subquery(answers.values("pain")[:1])),
            default=Subquery(last_done.values("pain_after")[:1]),
        ),
        "pain_at_end_at": Case(When(report_is_latest, then=report_at), default=visit_at),
        "pain_at_end_source": Case(
            When(report_is_latest, then=Value(PainSource.PATIENT_REPORT.value)),
            When(IsNull(visit_at, False), then=Value(PainSource.VISIT.value)),
            default=Value(""),
        ),
        "pain_flagged": Exists(
            Feedback.objects.unacknowledged_rises().filter(course=OuterRef("pk"))
        ),
    }


def course_summary_from(
    course: Course, *, next_reminder: dt.datetime | None = None
) -> CourseSummary:
    """The summary of one course read with its patient and therapist."""
    return CourseSummary(
        course_id=course.pk,
        patient_id=course.patient_id,
        patient=course.patient.full_name,
        region=course.region,
        kind=course.kind,
        massage_kind=course.massage_kind,
        status=course.status,
        therapist=staff_name(course.therapist),
        start_date=course.start_date,
        end_date=course.end_date,
        sessions_planned=course.planned_sessions,
        sessions_done=course.sessions_done,
        sessions_missed=course.sessions_missed,
        sessions_cancelled=course.sessions_cancelled,
        pain_at_start=course.pain_at_start,
        pain_at_end=course.pain_at_end,
        pain_at_end_at=course.pain_at_end_at,
        pain_at_end_source=course.pain_at_end_source or None,
        next_repeat_reminder=next_reminder,
    )


# What a streamed summary reads of each course: plain values, not model instances,
# which cost more to build than the whole row's query.
_ROW = (
    "pk",
    "patient_id",
    "patient__first_name",
    "patient__last_name",
    "patient__patronymic",
    "region",
    "kind",
    "massage_kind",
    "status",
    "therapist_id",
    "start_date",
    "end_date",
    "planned_sessions",
    "sessions_done",
    "sessions_missed",
    "sessions_cancelled",
    "pain_at_start",
    "pain_at_end",
    "pain_at_end_at",
    "pain_at_end_source",
    "next_repeat_reminder_at",
)


def course_summaries(
    queryset: QuerySet[Course], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[CourseSummary]:
    """Summaries of the courses in ``queryset``, in its order, streamed.

    One query, read with a database cursor so that memory stays flat, and one more for
    the names of the therapists it meets (a clinic has a handful).
    """
    rows = (
        courses_with_next_repeat_reminder(queryset)
        .values_list(*_ROW)
        .iterator(chunk_size=chunk_size)
    )
    therapists = _TherapistNames()
    for (
        course_id,
        patient_id,
        first_name,
        last_name,
        patronymic,
        region,
        kind,
        massage_kind,
        status,
        therapist_id,
        start_date,
        end_date,
        planned,
        done,
        missed,
        cancelled,
        pain_at_start,
        pain_at_end,
        pain_at_end_at,
        source,
        next_reminder,
    ) in rows:
        yield CourseSummary(
            course_id=course_id,
            patient_id=patient_id,
            patient=Patient.name_of(first_name, last_name, patronymic),
            region=region,
            kind=kind,
            massage_kind=massage_kind,
            status=status,
            therapist=therapists[therapist_id],
            start_date=start_date,
            end_date=end_date,
            sessions_planned=planned,
            sessions_done=done,
            sessions_missed=missed,
            sessions_cancelled=cancelled,
            pain_at_start=pain_at_start,
            pain_at_end=pain_at_end,
            pain_at_end_at=pain_at_end_at,
            pain_at_end_source=source or None,
            next_repeat_reminder=next_reminder,
        )


class _TherapistNames(dict):
    """Therapists' names by id, all read at the first one asked for."""

    def __missing__(self, therapist_id: int) -> str:
        if not self:
            # All the staff at once: far fewer than the courses, and one query instead
            # of one per new name. Someone no longer staff is read alone, below.
            users = get_user_model().objects.filter(is_staff=True)
            self.update({user.pk: staff_name(user) for user in users})
        if therapist_id not in self:
            self[therapist_id] = staff_name(get_user_model().objects.get(pk=therapist_id))
        return self[therapist_id]


def course_summary(course_id: int) -> CourseSummary:
    """The summary of one course; raises Course.DoesNotExist."""
    for summary in course_summaries(Course.objects.filter(pk=course_id)):
        return summary
    raise Course.DoesNotExist(f"No course with id {course_id}.")


def course_patient_reports(course_id: int) -> list[PatientReport]:
    """Every pain report the patient sent during the course, oldest first (for charts)."""
    rows = Feedback.objects.filter(course_id=course_id).values_list("submitted_at", "pain")
    return [
        PatientReport(reported_at=submitted_at, pain=pain)
        for submitted_at, pain in rows.order_by("submitted_at", "id")
    ]


def course_visit_log(course_id: int) -> list[Visit]:
    """Every visit of a course in session order, for the PDF and the pain chart."""
    return list(Visit.objects.filter(course_id=course_id).order_by("sequence"))
