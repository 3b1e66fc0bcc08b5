"""Reads about courses and visits."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.roles import sees_only_own_patients
from clinic.timeutils import clinic_day_bounds
from courses.models import Course, Visit
from patients.models import Patient, PatientContraindication


def courses_with_progress(queryset: QuerySet[Course]) -> QuerySet[Course]:
    """Annotate each course with its done visits, the pain before its first done visit
    and the pain after its latest one, in the same query as the courses."""
    visits = Visit.objects.filter(course=OuterRef("pk"))
    return queryset.annotate(
        done_count=Count("visits", filter=Q(visits__status=Visit.Status.DONE)),
        pain_at_start=Subquery(
            visits.earliest_done_first().values("pain_before")[:1],
            output_field=IntegerField(),
        ),
        latest_pain=Subquery(
            visits.latest_done_first().values("pain_after")[:1],
            output_field=IntegerField(),
        ),
    )


# --- who reads whose record -----------------------------------------------------------


def courses_of(user) -> QuerySet[Course]:
    """A therapist's own courses: those they run and those with a session booked with
    them (covering a colleague's session counts; a cancelled booking does not)."""
    booked = Visit.objects.filter(therapist=user).exclude(status=Visit.Status.CANCELLED)
    return Course.objects.filter(Q(therapist=user) | Q(pk__in=booked.values("course_id")))


def patients_in_care_of(user) -> QuerySet[Patient]:
    """The patients whose clinical record ``user`` reads: every patient, except for a
    therapist (``clinic.roles.sees_only_own_patients``), who reads those with a course
    of theirs or a session booked with them."""
    if not sees_only_own_patients(user):
        return Patient.objects.all()
    return Patient.objects.filter(pk__in=courses_of(user).values("patient_id"))


def in_care_of(queryset: QuerySet, user, *, patient: str = "patient") -> QuerySet:
    """``queryset`` narrowed to the rows about patients in ``user``'s care, ``patient``
    naming the path from its model to the patient."""
    if not sees_only_own_patients(user):
        return queryset
    return queryset.filter(**{f"{patient}__in": patients_in_care_of(user).values("pk")})


def own_courses(queryset: QuerySet[Course], user) -> QuerySet[Course]:
    """``queryset`` narrowed to ``user``'s own courses when they see only their own
    patients: what a therapist exports."""
    if not sees_only_own_patients(user):
        return queryset
    return queryset.filter(pk__in=courses_of(user).values("pk"))


def patient_open_contraindications(patient_id: int) -> list[PatientContraindication]:
    return list(
        PatientContraindication.objects.unresolved()
        .filter(patient_id=patient_id)
        .select_related("contraindication")
        .order_by("contraindication__kind", "noted_on")
    )


# --- the staff home page --------------------------------------------------------------


def visits_on_day(
    day: dt.date,
    *,
    therapist_id: int | None = None,
    still_open: bool = False,
    limit: int | None = None,
) -> list[Visit]:
    """The visits booked for one clinic-local day, cancelled ones left out, in time order;
    only those booked with ``therapist_id`` when given, only those still to happen or to
    log (scheduled) when ``still_open``, and at most ``limit``."""
    start, end = clinic_day_bounds(day)
    visits = Visit.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    if therapist_id is not None:
        visits = visits.filter(therapist_id=therapist_id)
    if still_open:
        visits = visits.filter(status=Visit.Status.SCHEDULED)
    visits = (
        visits.exclude(status=Visit.Status.CANCELLED)
        .select_related("course__patient", "therapist")
        .order_by("scheduled_at", "id")
    )
    return list(visits if limit is None else visits[:limit])


def visit_counts_on_day(day: dt.date) -> dict[str, int]:
    """How many visits one clinic-local day holds, by status, cancelled ones left out:
    ``booked`` (all of them), ``done``, ``scheduled`` (still to happen or to log) and
    ``missed``."""
    start, end = clinic_day_bounds(day)
    return Visit.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end).aggregate(
        booked=Count("id", filter=~Q(status=Visit.Status.CANCELLED)),
        done=Count("id", filter=Q(status=Visit.Status.DONE)),
        scheduled=Count("id", filter=Q(status=Visit.Status.SCHEDULED)),
        missed=Count("id", filter=Q(status=Visit.Status.MISSED)),
    )


def courses_ending_by(
    day: dt.date, *, patients: QuerySet[Patient] | None = None, limit: int | None = None
) -> list[Course]:
    """Active courses expected to finish by ``day`` (the end of the week on the home page).

    A course is expected to finish when the sessions it has left are all booked by
    ``day``, or are at most one week's sessions at its rhythm: clinics do not always book
    the last sessions ahead, and reception wants to see those courses too. Each course
    carries ``sessions_left``, ``booked_by_day`` and ``ending_count`` (how many courses
    match in all, whatever ``limit``). Only courses of ``patients`` when given; at most
    ``limit``, fewest sessions left first.

    The sessions done are the course's summary column, and the week's bookings are
    counted once for every course together: a chain has thousands of active courses, most
    of them booked this week, and a count per course grew with them.
    """
    _, end = clinic_day_bounds(day)

    def visits_counted(**conditions) -> Coalesce:
        counted = (
            Visit.objects.filter(course=OuterRef("pk"), **conditions)
            .order_by()
            .values("course")
            .annotate(n=Count("*"))
            .values("n")[:1]
        )
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    booked = {
        "status": Visit.Status.SCHEDULED,
        "scheduled_at__gte": timezone.now(),
        "scheduled_at__lt": end,
    }
    # The courses whose sessions left are all booked by ``day``: the week's bookings
    # counted in one pass, rather than a count per active course.
    fully_booked = (
        Visit.objects.filter(**booked)
        .order_by()
        .values("course_id")
        .annotate(n=Count("id"))
        .filter(n__gte=F("course__planned_sessions") - F("course__sessions_done"))
    )
    courses = Course.objects.filter(status=Course.Status.ACTIVE)
    if patients is not None:
        courses = courses.filter(patient__in=patients.values("pk"))
    courses = (
        courses.annotate(
            # The course's own count of done sessions, kept by the visit services.
            sessions_left=F("planned_sessions") - F("sessions_done"),
            booked_by_day=visits_counted(**booked),
        )
        .filter(
            Q(sessions_left__lte=F("visits_per_week")) | Q(pk__in=fully_booked.values("course_id"))
        )
        .annotate(ending_count=Window(Count("id")))
        .select_related("patient", "therapist")
        .order_by("sessions_left", "patient__last_name", "id")
    )
    return list(courses if limit is None else courses[:limit])


def therapists() -> QuerySet:
    """Who can be a course's or a visit's therapist: active staff who may log sessions
    (the Therapist and Manager roles, superusers), and anyone already on a course, so
    that older courses stay valid when someone changes role."""
    User = get_user_model()
    logs_visits = Q(codename="log_visit", content_type__app_label="courses")
    permission_ids = Permission.objects.filter(logs_visits).values("pk")
    granted = User.objects.filter(
        Q(groups__permissions__in=permission_ids) | Q(user_permissions__in=permission_ids)
    )
    # Subqueries rather than joins: the joins multiplied the users into thousands of
    # rows, which made PostgreSQL hash every course instead of probing its index per user.
    return User.objects.filter(
        Q(is_active=True, is_staff=True) & (Q(is_superuser=True) | Q(pk__in=granted.values("pk")))
        | Exists(Course.objects.filter(therapist=OuterRef("pk")))
    ).order_by("first_name", "last_name", "username")


def course_therapists() -> QuerySet:
    """Who runs at least one course, by name: the course list's therapist filter. One
    index probe per staff member, where collecting the therapists of every course would
    read them all."""
    return (
        get_user_model()
        .objects.filter(Exists(Course.objects.filter(therapist=OuterRef("pk"))))
        .order_by("first_name", "last_name", "username")
    )
