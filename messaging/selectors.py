"""Reads about messages and pain feedback."""

import datetime as dt

from django.db.models import Count, DateTimeField, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from courses.models import Course
from messaging.models import Message, past_lease
from patients.models import Patient


def _next_repeat_reminder(patient_ref: str) -> Subquery:
    return Subquery(
        Message.objects.open()
        .filter(kind=Message.Kind.REPEAT_COURSE_REMINDER, patient=OuterRef(patient_ref))
        .order_by("due_at")
        .values("due_at")[:1],
        output_field=DateTimeField(),
    )


def patients_with_next_repeat_reminder(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    """Each patient with ``next_repeat_reminder_at``, in the same query."""
    return queryset.annotate(next_repeat_reminder_at=_next_repeat_reminder("pk"))


def courses_with_next_repeat_reminder(queryset: QuerySet[Course]) -> QuerySet[Course]:
    """Each course with its patient's ``next_repeat_reminder_at``, in the same query: a
    fact about the patient, changed by every message sent or cancelled, so read where
    it is kept rather than copied onto the courses."""
    return queryset.annotate(next_repeat_reminder_at=_next_repeat_reminder("patient_id"))


# How many rows a home-page list shows; the message admin has the rest.
HOME_LIST_LIMIT = 20


def patients_due_for_repeat_course(
    *,
    now: dt.datetime | None = None,
    limit: int = HOME_LIST_LIMIT,
    among: QuerySet[Patient] | None = None,
) -> list[Patient]:
    """Patients whose repeat-course reminder has fallen due and who have not started a new
    course, longest overdue first; each with ``repeat_course_due_at``, their earliest
    reminder fallen due. Only patients of ``among`` when given.

    The reminders are walked in due order (``message_repeat_due_idx``) and each
    patient is taken at their earliest one, so the query stops after ``limit`` patients
    instead of grouping every reminder ever sent by patient first.
    """
    now = now or timezone.now()
    statuses = [*Message.OPEN_STATUSES, Message.Status.SENT, Message.Status.UNCERTAIN]
    due = Message.objects.filter(
        kind=Message.Kind.REPEAT_COURSE_REMINDER, due_at__lte=now, status__in=statuses
    )
    earlier = due.filter(patient=OuterRef("patient")).filter(
        Q(due_at__lt=OuterRef("due_at")) | Q(due_at=OuterRef("due_at"), pk__lt=OuterRef("pk"))
    )
    new_course = Course.objects.open().filter(patient=OuterRef("patient"))
    if among is not None:
        return _among_due_for_repeat_course(due.filter(~Exists(new_course)), among, limit)
    reminders = due.filter(~Exists(earlier), ~Exists(new_course))
    patients = []
    for reminder in reminders.select_related("patient").order_by(
        "due_at", "patient__last_name", "patient_id"
    )[:limit]:
        reminder.patient.repeat_course_due_at = reminder.due_at
        patients.append(reminder.patient)
    return patients


def _among_due_for_repeat_course(
    due: QuerySet[Message], among: QuerySet[Patient], limit: int
) -> list[Patient]:
    """``patients_due_for_repeat_course`` for a few patients (a therapist's): their
    reminders grouped by patient, where walking every patient's reminders in due order
    would pass thousands of other patients' before finding theirs."""
    firsts = list(
        due.filter(patient__in=among.values("pk"))
        .values("patient_id")
        .annotate(due_since=Min("due_at"))
        .order_by("due_since", "patient__last_name", "patient_id")[:limit]
    )
    found = Patient.objects.in_bulk([row["patient_id"] for row in firsts])
    patients = []
    for row in firsts:
        patient = found[row["patient_id"]]
        patient.repeat_course_due_at = row["due_since"]
        patients.append(patient)
    return patients


def messages_failed(*, limit: int = HOME_LIST_LIMIT) -> list[Message]:
    """Messages given up on after their last attempt, newest first."""
    return list(
        Message.objects.filter(status=Message.Status.FAILED)
        .select_related("patient")
        .order_by("-due_at", "-id")[:limit]
    )


def messages_needing_attention(
    *, now: dt.datetime | None = None, limit: int = HOME_LIST_LIMIT
) -> list[Message]:
    """Being sent past their lease, or that may have arrived; oldest first."""
    now = now or timezone.now()
    return list(
        Message.objects.needing_attention(now)
        .select_related("patient")
        .order_by("due_at", "id")[:limit]
    )


def message_backlog(*, now: dt.datetime | None = None) -> dict:
    """What waits to be sent, for monitoring, in one query: messages due and not yet
    claimed (``due``), being sent past their lease (``past_lease``: a sender died or
    lost the database or Redis), that may have arrived (``may_have_arrived``), failed,
    and the time the oldest due one fell due (``oldest_due_at``, None when none is)."""
    now = now or timezone.now()
    due = Q(status=Message.Status.PENDING, due_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return Message.objects.filter(
        status__in=[*Message.OPEN_STATUSES, Message.Status.UNCERTAIN, Message.Status.FAILED]
    ).aggregate(
        due=Count("id", filter=due),
        past_lease=Count("id", filter=past_lease(now)),
        may_have_arrived=Count("id", filter=Q(status=Message.Status.UNCERTAIN)),
        failed=Count("id", filter=Q(status=Message.Status.FAILED)),
        oldest_due_at=Min("due_at", filter=due | past_lease(now)),
    )
