"""Reads about messages and pain feedback."""

from django.db.models import DateTimeField, Exists, OuterRef, QuerySet, Subquery

from courses.models import Course
from messaging.models import Feedback, Message
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
    """Each course with ``pain_flagged``: a patient reported pain that rose after a visit."""
    return queryset.annotate(
        pain_flagged=Exists(Feedback.objects.filter(course=OuterRef("pk"), raises_alert=True))
    )
