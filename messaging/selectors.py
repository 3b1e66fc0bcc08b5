"""Reads about messages and pain feedback."""

import datetime as dt

from django.db.models import DateTimeField, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from courses.models import Course
from messaging.models import Message
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
