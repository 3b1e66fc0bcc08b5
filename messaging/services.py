"""Writes for messages: scheduling them as the clinic's work happens, cancelling them,
and storing a patient's pain feedback.

The course and patient services call these directly (no signals), inside their own
transactions, so a message row exists exactly when the change that causes it commits.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import Course, Visit
from messaging import timing
from messaging.models import AnswerAttempts, Feedback, Message
from patients.models import Patient


def message_schedule(
    *,
    kind: str,
    patient: Patient,
    due_at: dt.datetime,
    course: Course | None = None,
    visit: Visit | None = None,
    feedback: Feedback | None = None,
    number: int = 1,
) -> Message | None:
    """Create the message unless it exists; None when the patient takes no messages.

    Idempotent: the unique constraints name the message, so calling twice (a retried
    task, a double click) finds the first row instead of making a second.
    """
    if kind != Message.Kind.STAFF_ALERT and patient.why_not_messaged(
        repeat_course_reminder=kind == Message.Kind.REPEAT_COURSE_REMINDER
    ):
        return None
    key = Message.identity(kind, course=course, visit=visit, feedback=feedback, number=number)
    due = timing.next_sending_time(due_at)
    defaults = {
        "patient": patient,
        "course": course,
        "visit": visit,
        "feedback": feedback,
        "number": number,
        "due_at": due,
    }
    message = Message.objects.filter(**key).first()
    if message is not None and message.status == Message.Status.CANCELLED:
        # What cancelled it was undone (a visit booked again, a course completed again):
        # the same message is due again, not a second one.
        message.status, message.due_at, message.last_error = Message.Status.PENDING, due, ""
        message.claim = message.claimed_at = message.next_attempt_at = None
        message.save(
            update_fields=[
                "status",
                "due_at",
                "last_error",
                "claim",
                "claimed_at",
                "next_attempt_at",
            ]
        )
    if message is None:
        message = Message(**defaults, kind=kind)
        # The database enforces the constraints, the unique link key and the foreign
        # keys (rows the caller holds); checking them here too cost a query each, nine
        # on every message the clinic schedules.
        message.full_clean(
            exclude=["patient", "course", "visit", "feedback"],
            validate_unique=False,
            validate_constraints=False,
        )
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            # Another process made the same message between our check and our insert.
            # Anything else broke a rule the services never break: raised as it is.
            message = Message.objects.filter(**key).first()
            if message is None:
                raise
    return message


def messages_cancel(*, queryset: QuerySet[Message], reason: str = "") -> int:
    """Cancel the open messages among ``queryset`` in one UPDATE; returns how many."""
    return queryset.open().update(status=Message.Status.CANCELLED, last_error=reason)


def patient_messages_cancel(*, patient: Patient) -> int:
    """Consent withdrawn: stop every message to the patient at once."""
    return messages_cancel(
        queryset=Message.objects.to_patients().filter(patient=patient),
        reason=_("The patient withdrew consent to messages."),
    )


def patient_messages_forget(*, patient: Patient) -> None:
    """The patient asked to be forgotten: stop every message about them, staff alerts
    included, and drop the personal text the message log holds.

    A mail server's error can quote the patient's address, and a comment is the
    patient's own words; the pain scores stay, as anonymous statistics.
    """
    messages_cancel(
        queryset=Message.objects.filter(patient=patient),
        reason=_("The patient was anonymised."),
    )
    Message.objects.filter(patient=patient).exclude(last_error="").exclude(
        status=Message.Status.CANCELLED
    ).update(last_error="")
    Feedback.objects.filter(patient=patient).exclude(comment="").update(comment="")


def patient_repeat_reminders_cancel(*, patient: Patient, reason: str = "") -> int:
    """A new course answers the repeat-course reminders (or the patient stopped them)."""
    return messages_cancel(
        queryset=Message.objects.filter(patient=patient, kind=Message.Kind.REPEAT_COURSE_REMINDER),
        reason=reason or _("The patient has a new course."),
    )


def course_messages_on_completion(*, course: Course) -> None:
    """A course completed: the follow-up, and the first repeat-course reminder unless
    the patient already has another course open."""
    patient = course.patient
    if settings.CLINIC_MAX_REPEAT_REMINDERS and not patient.courses.open().exists():
        # This course's reminders replace those of the patient's earlier courses.
        patient_repeat_reminders_cancel(patient=patient)
        message_schedule(
            kind=Message.Kind.REPEAT_COURSE_REMINDER,
            patient=patient,
            course=course,
            number=1,
            due_at=timing.morning_of(course.end_date + timing.repeat_course_interval()),
        )
    message_schedule(
        kind=Message.Kind.END_OF_COURSE_FOLLOW_UP,
        patient=patient,
        course=course,
        due_at=timing.morning_of(
            course.end_date + dt.timedelta(days=settings.CLINIC_FOLLOW_UP_DAYS)
        ),
    )


def course_messages_on_reopening(*, course: Course) -> None:
    """A completed course runs again: it has not ended, so no follow-up nor reminder."""
    messages_cancel(
        queryset=Message.objects.filter(
            course=course,
            kind__in=[Message.Kind.END_OF_COURSE_FOLLOW_UP, Message.Kind.REPEAT_COURSE_REMINDER],
        ),
        reason=_("The course was reopened."),
    )


def visit_messages_sync(*, visits: Iterable[Visit], now: dt.datetime | None = None) -> None:
    """Bring the reminder and check-in of each visit in line with the visit as saved."""
    now = now or timezone.now()
    for visit in visits:
        patient = visit.course.patient
        reminder = Message.objects.filter(kind=Message.Kind.VISIT_REMINDER, visit=visit)
        if visit.status == Visit.Status.SCHEDULED and visit.scheduled_at > now:
            # A visit booked for tomorrow morning is reminded as soon as allowed.
            day_before = timing.same_time_days_later(visit.scheduled_at, -1)
            due = timing.next_sending_time(max(day_before, now))
            if due >= visit.scheduled_at:
                # Too soon for a reminder: one due for the time it was booked before goes.
                messages_cancel(
                    queryset=reminder.filter(status=Message.Status.PENDING),
                    reason=_("The visit moved too close to remind of it."),
                )
                continue
            # Moved visit: the pending reminder moves with it.
            reminder.filter(status=Message.Status.PENDING).exclude(due_at=due).update(due_at=due)
            message_schedule(
                kind=Message.Kind.VISIT_REMINDER,
                patient=patient,
                course=visit.course,
                visit=visit,
                due_at=due,
            )
        else:
            messages_cancel(queryset=reminder, reason=_("The visit no longer takes place."))
        check_in = Message.objects.filter(kind=Message.Kind.POST_VISIT_CHECK_IN, visit=visit)
        if visit.status == Visit.Status.DONE and visit.performed_at:
            due = timing.next_sending_time(timing.same_time_days_later(visit.performed_at, 1))
            check_in.filter(status=Message.Status.PENDING).exclude(due_at=due).update(due_at=due)
            message_schedule(
                kind=Message.Kind.POST_VISIT_CHECK_IN,
                patient=patient,
                course=visit.course,
                visit=visit,
                due_at=due,
            )
        else:
            messages_cancel(queryset=check_in, reason=_("The visit was not done."))


def repeat_reminder_schedule_next(*, sent: Message) -> Message | None:
    """After reminder N went out unanswered, reminder N+1, up to the settable maximum."""
    if sent.number >= settings.CLINIC_MAX_REPEAT_REMINDERS:
        return None
    if _has_newer_course(sent):
        return None
    due_day = timezone.localdate(sent.due_at) + timing.repeat_course_interval()
    return message_schedule(
        kind=Message.Kind.REPEAT_COURSE_REMINDER,
        patient=sent.patient,
        course=sent.course,
        number=sent.number + 1,
        due_at=timing.morning_of(due_day),
    )


def _has_newer_course(message: Message) -> bool:
    return (
        Course.objects.filter(patient_id=message.patient_id)
        .exclude(pk=message.course_id)
        .filter(created_at__gt=message.course.created_at)
        .exclude(status=Course.Status.CANCELLED)
        .exists()
    )


def _patient_has_new_course(message: Message) -> bool:
    # Read with the batch (``MessageQuerySet.with_new_course``) when it was sent in one.
    known = getattr(message, "patient_has_new_course", None)
    if known is not None:
        return known
    return _has_newer_course(message) or message.patient.courses.open().exists()


def why_not_send(message: Message) -> str | None:
    """Why a due message must not go out any more, or None to send it."""
    if message.kind == Message.Kind.STAFF_ALERT:
        if not message.course.therapist.email:
            return _("The therapist has no e-mail address.")
        return None
    reason = message.patient.why_not_messaged(
        repeat_course_reminder=message.kind == Message.Kind.REPEAT_COURSE_REMINDER
    )
    if reason:
        return reason
    if message.kind == Message.Kind.REPEAT_COURSE_REMINDER and _patient_has_new_course(message):
        return _("The patient has a new course.")
    if message.kind == Message.Kind.VISIT_REMINDER and (
        message.visit.status != Visit.Status.SCHEDULED
        or message.visit.scheduled_at <= timezone.now()
    ):
        return _("The visit no longer takes place.")
    return None


# --- answers from patients ------------------------------------------------------------


class AlreadyAnswered(ValidationError):
    """The message was answered before: a double click, a replayed form, a second go."""


@transaction.atomic
def answer_attempt_register(
    *, message: Message, now: dt.datetime | None = None
) -> dt.datetime | None:
    """Count one answer posted through ``message``'s link.

    Returns None when it may go ahead, else when the link takes answers again: at most
    ``CLINIC_ANSWER_ATTEMPTS`` in a window of ``CLINIC_ANSWER_WINDOW_MINUTES`` from the
    first. Counted per message, so every link to the same question shares one count.
    """
    now = now or timezone.now()
    # The message row is locked so that two requests at once cannot both take the
    # last attempt, nor both create the count.
    Message.objects.select_for_update().filter(pk=message.pk).values_list("pk").first()
    attempts, created = AnswerAttempts.objects.get_or_create(
        message_id=message.pk, defaults={"window_started_at": now, "count": 1}
    )
    if created:
        return None
    window = dt.timedelta(minutes=settings.CLINIC_ANSWER_WINDOW_MINUTES)
    if now >= attempts.window_started_at + window:
        attempts.window_started_at, attempts.count = now, 0
    if attempts.count >= settings.CLINIC_ANSWER_ATTEMPTS:
        return attempts.window_started_at + window
    attempts.count += 1
    attempts.save(update_fields=["window_started_at", "count"])
    return None


@transaction.atomic
def feedback_submit(*, message: Message, pain: int, comment: str = "") -> Feedback:
    """Store a patient's answer to a check-in or follow-up; alert the therapist when the
    pain rose by the alert threshold or more over the pain before the visit."""
    locked = (
        Message.objects.select_for_update(of=("self",))
        .select_related("course", "visit")
        .get(pk=message.pk)
    )
    if not locked.asks_for_feedback:
        raise ValidationError(_("This message does not ask for an answer."))
    if Feedback.objects.filter(message=locked).exists():
        raise AlreadyAnswered(_("This question has already been answered. Thank you."))
    visit = locked.visit
    if visit is None:
        visit = locked.course.visits.latest_done_first().first()
    pain_before = visit.pain_before if visit else None
    feedback = Feedback(
        message=locked,
        patient_id=locked.patient_id,
        course=locked.course,
        visit=locked.visit,
        pain=pain,
        comment=comment,
        pain_before_visit=pain_before,
        raises_alert=pain_before is not None
        and pain >= pain_before + settings.CLINIC_PAIN_ALERT_RISE,
    )
    feedback.full_clean()
    feedback.save()
    _course_summaries_refresh({feedback.course_id})
    if feedback.raises_alert:
        message_schedule(
            kind=Message.Kind.STAFF_ALERT,
            patient=locked.patient,
            course=locked.course,
            visit=locked.visit,
            feedback=feedback,
            due_at=timezone.now(),
        )
    return feedback


def _answer_label(answer: Feedback) -> str:
    return _("The answer of %(day)s (pain %(pain)d/10)") % {
        "day": date_format(timezone.localtime(answer.submitted_at), "DATE_FORMAT"),
        "pain": answer.pain,
    }


@transaction.atomic
def feedback_acknowledge(
    *, feedback: Iterable[Feedback], by: AbstractBaseUser, now: dt.datetime | None = None
) -> list[Feedback]:
    """A therapist has seen the patient's reported rise in pain: record who and when,
    which takes the flag off the course until the patient reports a new rise.

    All or nothing: an answer that reported no rise, or that someone has already
    acknowledged, refuses the whole lot, so that nothing is recorded as seen by mistake.
    """
    if not by.has_perm("messaging.acknowledge_feedback"):
        raise PermissionDenied(
            _("Only therapists and managers can acknowledge a reported rise in pain.")
        )
    # Locked, so that two therapists acknowledging at once cannot both record it.
    answers = list(
        Feedback.objects.select_for_update()
        .filter(pk__in=[answer.pk for answer in feedback])
        .order_by("submitted_at", "id")
    )
    if not answers:
        raise ValidationError(_("Choose at least one reported rise in pain to acknowledge."))
    errors = []
    for answer in answers:
        if not answer.raises_alert:
            errors.append(
                _("%(answer)s reported no rise in pain: there is nothing to acknowledge.")
                % {"answer": _answer_label(answer)}
            )
        elif answer.acknowledged_at is not None:
            errors.append(
                _("%(answer)s was already acknowledged %(acknowledgement)s.")
                % {"answer": _answer_label(answer), "acknowledgement": answer.acknowledgement()}
            )
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    for answer in answers:
        answer.acknowledged_at, answer.acknowledged_by = now, by
        answer.full_clean(validate_unique=False)
        # Outside a web request the history would not know who acknowledged.
        answer._history_user = by
        answer.save(update_fields=["acknowledged_at", "acknowledged_by"])
    _course_summaries_refresh({answer.course_id for answer in answers})
    return answers


def _course_summaries_refresh(course_ids: set[int]) -> None:
    """An answer changes its course's summary (the pain at the end, the flag). The
    courses are locked first, so that the summary is read after any visit write that
    holds them has committed."""
    courses = Course.objects.filter(pk__in=course_ids)
    list(courses.select_for_update().order_by("pk").values_list("pk", flat=True))
    courses.summaries_refresh()
