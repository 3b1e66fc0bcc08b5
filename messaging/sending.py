"""Dispatching and sending messages: claim due rows, send each once, record the outcome.

Delivery is at least once. A dispatch claims due rows (status ``sending``, a fresh
claim id and time) in one transaction and enqueues one send task per row after commit.
A send task acts only while the row still carries its claim, and marks it sent with a
conditional UPDATE on that claim. If a worker dies after the SMTP server accepted a
message but before that UPDATE commits, the claim's lease runs out, the next dispatch
claims the row again and the message goes out a second time; a task that Redis
redelivers later finds a different claim and does nothing. So the messages sent twice
are at most those in flight in the killed worker (one per worker process, with
``CELERY_WORKER_PREFETCH_MULTIPLIER = 1`` and late acks). See the README.
"""

import datetime as dt
import logging
import random
import smtplib
import socket
import time
import uuid
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic import ics
from messaging import services, smtp, timing, tokens
from messaging.models import Message, past_lease

logger = logging.getLogger(__name__)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=Message.Status.PENDING, due_at__lte=now) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ) | past_lease(now)


def messages_claim_due(*, now: dt.datetime, limit: int) -> list[tuple[int, str]]:
    """Claim up to ``limit`` due messages for this dispatch; returns (id, claim) pairs.

    Several dispatches may run at once on several machines. On PostgreSQL each skips the
    rows another has locked; on SQLite the transaction takes the write lock at its start
    (``transaction_mode = IMMEDIATE``), so dispatches queue. Either way the UPDATE
    re-checks the condition, so a row is claimed by one dispatch only.
    """
    claim = uuid.uuid4()
    with transaction.atomic():
        due = Message.objects.filter(_claimable(now)).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        superseded = list(
            Message.objects.filter(past_lease(now), id__in=ids).values_list("id", flat=True)
        )
        if superseded:
            # Their sender died or lost the database or Redis: they may go out twice.
            logger.warning(
                "Messages %s were being sent past their lease: claimed again.", superseded
            )
        Message.objects.filter(_claimable(now), id__in=ids).update(
            status=Message.Status.SENDING, claim=claim, claimed_at=now
        )
        return [
            (pk, str(claim))
            for pk in Message.objects.filter(claim=claim).values_list("id", flat=True)
        ]


def messages_dispatch(
    *,
    enqueue: Callable[[int, str], object],
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> list[int]:
    """Claim what is due and hand each message to ``enqueue(id, claim)`` (the send task,
    or a command sending in its own process) once the claim commits.

    Outside the sending hours nothing is claimed: what fell due at night waits for the
    morning's first dispatch.
    """
    now = now or timezone.now()
    if not timing.within_sending_hours(now):
        return []
    with transaction.atomic():
        claimed = messages_claim_due(now=now, limit=limit or settings.CLINIC_DISPATCH_BATCH_SIZE)
        # One task per message: a message whose server keeps refusing retries on its own
        # and holds nothing else back.
        for pk, claim in claimed:
            transaction.on_commit(lambda pk=pk, claim=claim: enqueue(pk, claim))
    return [pk for pk, _claim in claimed]


def messages_due(*, now: dt.datetime | None = None, limit: int | None = None) -> list[Message]:
    """What a dispatch would claim now (for ``send_due_messages --dry-run``)."""
    now = now or timezone.now()
    if not timing.within_sending_hours(now):
        return []
    return list(
        Message.objects.filter(_claimable(now))
        .select_related("patient")
        .order_by("due_at", "id")[: limit or settings.CLINIC_DISPATCH_BATCH_SIZE]
    )


def _is_transient(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    # The attempt's time ran out before the server had the whole message (after that,
    # ``smtp.NoReplyToData``): a slow server, tried again later.
    return isinstance(
        error,
        smtplib.SMTPServerDisconnected
        | smtplib.SMTPConnectError
        | socket.timeout
        | OSError
        | SoftTimeLimitExceeded,
    )


def retry_wait(attempts: int) -> dt.timedelta:
    """How long a message waits after its ``attempts``-th transient failure.

    Doubling from CLINIC_MESSAGE_RETRY_BACKOFF up to CLINIC_MESSAGE_RETRY_BACKOFF_MAX,
    spread by a fifth either way so that messages refused together do not all come back
    together. Never drawn from zero (Celery's "full jitter"), which let a short outage
    use up the retries within seconds.
    """
    figure = min(
        settings.CLINIC_MESSAGE_RETRY_BACKOFF * 2 ** min(attempts - 1, 30),
        settings.CLINIC_MESSAGE_RETRY_BACKOFF_MAX,
    )
    return dt.timedelta(seconds=figure * random.uniform(0.8, 1.2))


def message_send(*, message_id: int, claim: str, now: dt.datetime | None = None) -> str:
    """Send one claimed message; returns what happened.

    A transient error puts the message back, unclaimed, with its next attempt time
    (``retry_wait``) while it still matters (``Message.retry_deadline``); after that, or
    at once on a permanent error, it is marked failed.
    """
    now = now or timezone.now()
    mine = Message.objects.filter(pk=message_id, claim=claim, status=Message.Status.SENDING)
    message = mine.select_related("patient", "course__therapist", "visit").first()
    if message is None:
        return "not-claimed"
    reason = services.why_not_send(message)
    if reason:
        mine.update(status=Message.Status.CANCELLED, last_error=reason)
        return "cancelled"
    if not timing.within_sending_hours(now):
        # Waited in the queue past the evening: back to pending for the morning.
        mine.update(
            status=Message.Status.PENDING,
            claim=None,
            claimed_at=None,
            due_at=timing.next_sending_time(now),
        )
        return "deferred"
    # Renew the lease for this attempt; the lease covers one attempt only.
    if not mine.update(claimed_at=now, attempts=F("attempts") + 1):
        return "not-claimed"
    try:
        email_for(message).send()
    except Exception as error:
        return _after_failure(mine, message, error, now=now)
    return _mark_sent(mine, message)


def _after_failure(mine, message: Message, error: Exception, *, now: dt.datetime) -> str:
    """Put the message back for a later attempt, or give up on it, after ``error``."""
    text = f"{type(error).__name__}: {error}"[:2000]
    attempts = message.attempts + 1
    retry_at = now + retry_wait(attempts)
    no_reply = isinstance(error, smtp.NoReplyToData)
    # Sent again once only: a second copy is tolerable (it has the same Message-ID), a
    # stream of them is not.
    worth_retrying = not message.may_have_arrived if no_reply else _is_transient(error)
    # A dispatch picks the retry up within one interval of its time.
    picked_up = retry_at + dt.timedelta(seconds=settings.CLINIC_DISPATCH_INTERVAL_SECONDS)
    retry = worth_retrying and picked_up < message.retry_deadline()
    may_have_arrived = message.may_have_arrived or no_reply
    if retry:
        logger.warning(
            "Message %s: attempt %d %s, next attempt at %s: %s",
            message.pk,
            attempts,
            "got no reply to its content, it may have arrived" if no_reply else "failed",
            retry_at.isoformat(timespec="seconds"),
            text,
        )
        mine.update(
            status=Message.Status.PENDING,
            claim=None,
            claimed_at=None,
            next_attempt_at=retry_at,
            may_have_arrived=may_have_arrived,
            last_error=text,
        )
        return "retry"
    # A message that may have arrived is never "failed": retrying failed messages would
    # send it yet again.
    status = Message.Status.UNCERTAIN if may_have_arrived else Message.Status.FAILED
    logger.warning("Message %s %s after %d attempts: %s", message.pk, status.label, attempts, text)
    _record_end(
        mine,
        message,
        went_out=may_have_arrived,
        status=status,
        may_have_arrived=may_have_arrived,
        last_error=text,
    )
    return status.value


def _record_end(mine, message: Message, *, went_out: bool, **fields) -> bool:
    """Record how the last attempt ended, if the row is still this sender's. A
    repeat-course reminder that went out, or may have, leads to the next one, as the
    patient may have read it either way."""
    with transaction.atomic():
        if not mine.update(**fields):
            return False
        if went_out and message.kind == Message.Kind.REPEAT_COURSE_REMINDER:
            services.repeat_reminder_schedule_next(sent=message)
    return True


def _record_sent(mine, message: Message) -> str:
    fields = {"status": Message.Status.SENT, "sent_at": timezone.now(), "last_error": ""}
    if not _record_end(mine, message, went_out=True, **fields):
        return "sent-but-cancelled"
    return "sent"


def _mark_sent(mine, message: Message) -> str:
    """Record that the mail server accepted the message, through a brief database outage.

    Only the mark is tried again, never the send: a message left ``sending`` goes out a
    second time after its lease. The send task's time limits leave
    ``CLINIC_MESSAGE_MARK_RETRY_SECONDS`` for this after the longest SMTP conversation.
    """
    deadline = time.monotonic() + settings.CLINIC_MESSAGE_MARK_RETRY_SECONDS
    wait = 0.5
    while True:
        try:
            return _record_sent(mine, message)
        except (OperationalError, InterfaceError) as error:
            if time.monotonic() + wait > deadline:
                logger.error(
                    "Message %s was accepted by the mail server but could not be marked "
                    "sent; it goes out again, with the same Message-ID, after its lease: %s",
                    message.pk,
                    error,
                )
                raise
            logger.warning(
                "Message %s was accepted by the mail server; marking it sent failed, "
                "trying again in %.1f s: %s",
                message.pk,
                wait,
                error,
            )
            # A terminated connection stays broken: drop it so the next query reconnects
            # (a caller's transaction, as in tests, keeps its connection).
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
            time.sleep(wait)
            wait = min(wait * 2, 5)


def messages_send_now(*, queryset) -> int:
    """Admin: make pending or failed messages due now; the next dispatch sends them."""
    return queryset.filter(status__in=[Message.Status.PENDING, Message.Status.FAILED]).update(
        status=Message.Status.PENDING,
        due_at=timezone.now(),
        claim=None,
        claimed_at=None,
        next_attempt_at=None,
        attempts=0,
    )


def messages_retry_failed(*, queryset) -> int:
    return messages_send_now(queryset=queryset.filter(status=Message.Status.FAILED))


# --- the e-mail -----------------------------------------------------------------------

# What a lock screen or a shared inbox shows: the clinic's name and neutral words, never
# what the patient is treated for or how they feel (the body says no more either).
SUBJECTS = {
    Message.Kind.REPEAT_COURSE_REMINDER: lambda: _("Time to book your next course"),
    Message.Kind.VISIT_REMINDER: lambda: _("Reminder of your visit"),
    Message.Kind.POST_VISIT_CHECK_IN: lambda: _("A quick question"),
    Message.Kind.END_OF_COURSE_FOLLOW_UP: lambda: _("A quick question"),
    Message.Kind.STAFF_ALERT: lambda: _("A patient's answer needs your attention"),
}


def _absolute(path: str) -> str:
    return settings.CLINIC_SITE_URL + path


def email_for(message: Message) -> EmailMultiAlternatives:
    """The e-mail for a message: first name, clinic, dates and links only, never health
    details (e-mail is not a safe place for them)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "message": message,
            "first_name": message.patient.first_name,
            "clinic_name": settings.CLINIC_NAME,
            "clinic_address": settings.CLINIC_ADDRESS,
        }
        headers = {"Message-ID": message.mail_id, "X-Clinic-Message": str(message.pk)}
        if message.kind == Message.Kind.STAFF_ALERT:
            to = [message.course.therapist.email]
            context["course_url"] = _absolute(
                reverse("admin:courses_course_change", args=[message.course_id])
            )
        else:
            to = [message.patient.email]
            unsubscribe = _absolute(
                reverse(
                    "messaging:unsubscribe",
                    args=[tokens.unsubscribe_token(patient=message.patient)],
                )
            )
            context["unsubscribe_url"] = unsubscribe
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            if message.asks_for_feedback:
                context["feedback_url"] = _absolute(
                    reverse(
                        "messaging:feedback",
                        args=[tokens.feedback_token(message=message)],
                    )
                )
            if message.visit_id:
                context["visit_at"] = timezone.localtime(message.visit.scheduled_at)
        template = f"emails/{message.kind}"
        email = EmailMultiAlternatives(
            subject=f"{SUBJECTS[message.kind]()} — {settings.CLINIC_NAME}",
            body=render_to_string(f"{template}.txt", context),
            to=to,
            headers=headers,
        )
        email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
        if message.kind == Message.Kind.VISIT_REMINDER:
            email.attach("visit.ics", visit_ics(message.visit), "text/calendar")
    return email


def visit_ics(visit) -> str:
    """The visit as a calendar event for the patient: the clinic, the place and the
    time, no health details. Published with the same UID for the visit every time, so
    the reminder of a visit that moved updates the event the patient already added."""
    calendar = ics.calendar_new(method="PUBLISH")
    calendar.add_component(
        ics.event_new(
            uid=ics.event_uid("visit", visit.pk),
            starts_at=visit.scheduled_at,
            ends_at=visit.ends_at,
            summary=_("Massage session at %(clinic)s") % {"clinic": settings.CLINIC_NAME},
            location=settings.CLINIC_ADDRESS,
            stamp=timezone.now(),
        )
    )
    return calendar.to_ical().decode()
