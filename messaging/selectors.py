"""Reads about messages and pain feedback."""

import datetime as dt

from django.db.models import Count, DateTimeField, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from courses.models import Course
from messaging.models import Feedback, Message, past_lease
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


def courses_with_pain_flag(queryset: QuerySet[Course]) -> QuerySet[Course]:
    """Each course with ``pain_flagged``: the patient reported a rise in pain after a visit
    that no therapist has acknowledged yet."""
    return queryset.annotate(
        pain_flagged=Exists(Feedback.objects.unacknowledged_rises().filter(course=OuterRef("pk")))
    )


# How many rows a home-page list shows; the message admin has the rest.
HOME_LIST_LIMIT = 20


def patients_due_for_repeat_course(
    *,
    now: dt.datetime | None = None,
    limit: int = HOME_LIST_LIMIT,
    among: QuerySet[Patient] | None = None,
) -> list[Patient]:
    """Patients whose repeat-course reminder has fallen due and who have not started a new
    course, longest overdue first; each with ``repeat_course_due_at``. Only patients of
    ``among`` when given."""
    now = now or timezone.now()
    due = Message.objects.filter(
        kind=Message.Kind.REPEAT_COURSE_REMINDER,
        due_at__lte=now,
        status__in=[*Message.OPEN_STATUSES, Message.Status.SENT, Message.Status.UNCERTAIN],
    )
    patients = Patient.objects.filter(pk__in=due.values("patient_id"))
    if among is not None:
        patients = patients.filter(pk__in=among.values("pk"))
    return list(
        patients.exclude(courses__status__in=Course.OPEN_STATUSES)
        .annotate(
            repeat_course_due_at=Min(
                "messages__due_at",
                filter=Q(messages__kind=Message.Kind.REPEAT_COURSE_REMINDER),
            )
        )
        .order_by("repeat_course_due_at", "last_name", "id")[:limit]
    )


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
