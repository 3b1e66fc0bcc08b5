"""Dispatching and sending messages: claim due rows, send each once, record the outcome.

Delivery is at least once. A dispatch claims due rows (status ``sending``, a fresh
claim id and time) in one transaction and, after commit, enqueues one send task per
batch of up to ``SEND_BATCH_SIZE`` of them. The task sends its batch over one SMTP
connection, each message on its own: it acts on a message only while the row still
carries its claim (renewing the lease for that attempt), and marks it sent with a
conditional UPDATE on that claim. A message the server refuses, or that fails, is put
back or given up alone; the others of the batch go on. If a worker dies after the SMTP
server accepted a message but before that UPDATE commits, the claim's lease runs out,
the next dispatch claims the row again and the message goes out a second time; a task
that Redis redelivers later finds a different claim and does nothing. So the messages
sent twice are at most those in flight in the killed worker (one per worker process,
with ``CELERY_WORKER_PREFETCH_MULTIPLIER = 1`` and late acks). See the README.
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
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from messaging import services, smtp, timing
from messaging.emails import email_for
from messaging.models import Message, past_lease

__all__ = ["email_for"]  # the tests and the admin preview read the e-mail from here

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
            for pk in Message.objects.filter(claim=claim)
            .order_by("due_at", "id")
            .values_list("id", flat=True)
        ]


# Messages one send task takes: one read and one SMTP connection serve them all, and a
# dispatch of CLINIC_DISPATCH_BATCH_SIZE (500) still makes enough tasks to keep every
# worker process busy. A message that fails is put back alone, so a batch holds none
# of the others back.
SEND_BATCH_SIZE = 50


def messages_dispatch(
    *,
    enqueue: Callable[[list[int], str], object],
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> list[int]:
    """Claim what is due and hand it, ``SEND_BATCH_SIZE`` messages at a time, to
    ``enqueue(ids, claim)`` (the send task, or a command sending in its own process)
    once the claim commits.

    Outside the sending hours nothing is claimed: what fell due at night waits for the
    morning's first dispatch.
    """
    now = now or timezone.now()
    if not timing.within_sending_hours(now):
        return []
    with transaction.atomic():
        claimed = messages_claim_due(now=now, limit=limit or settings.CLINIC_DISPATCH_BATCH_SIZE)
        ids = [pk for pk, _claim in claimed]
        for start in range(0, len(ids), SEND_BATCH_SIZE):
            batch, claim = ids[start : start + SEND_BATCH_SIZE], claimed[0][1]
            transaction.on_commit(lambda batch=batch, claim=claim: enqueue(batch, claim))
    return ids


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


class _Connection:
    """One SMTP connection for a batch, opened at its first message and again after it
    broke. ``send`` raises what the attempt at one message raised."""

    def __init__(self) -> None:
        self.backend = get_connection()
        self.is_open = False

    def send(self, email: EmailMessage) -> None:
        reused = self.is_open  # opened for an earlier message
        try:
            self._send(email)
        except smtplib.SMTPServerDisconnected as error:
            self.close()
            if not reused or isinstance(error.__context__, TimeoutError):
                raise
            # The server dropped the connection kept open since the last message (an
            # idle timeout, a restart) before this one's content was complete, or the
            # end-of-data wait would have said ``NoReplyToData``: nothing of it arrived,
            # so it goes again on a new connection, within the same attempt.
            logger.info("The mail server closed the connection between messages: %s", error)
            self._send(email)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
            # The server answered (a refused recipient, a full mailbox): smtplib reset
            # the conversation and the connection serves the next message, unless the
            # server said it was closing it.
            if getattr(error, "smtp_code", None) == 421:
                self.close()
            raise
        except BaseException:
            # A timeout, a lost connection, the task's time limit: the conversation is
            # in an unknown state, so the next message starts on a new connection.
            self.close()
            raise

    def _send(self, email: EmailMessage) -> None:
        self.backend.open()
        self.is_open = True
        email.connection = self.backend
        email.send()

    def close(self) -> None:
        self.is_open = False
        try:
            self.backend.close()
        except Exception as error:  # noqa: BLE001 - closing a broken connection
            logger.info("Closing the SMTP connection failed: %s", error)
            self.backend.connection = None


def messages_send(
    *,
    message_ids: list[int],
    claim: str,
    now: dt.datetime | None = None,
    start_within: float | None = None,
) -> tuple[dict[int, str], list[int]]:
    """Send claimed messages over one SMTP connection; returns what happened to each,
    and the ids left for another task.

    With ``start_within``, a message is started only within that many seconds of the
    first (the send task's time limits are one attempt's; see ``tasks``); the rest,
    still claimed, are left over. So is the rest after the task's soft time limit.
    """
    started = time.monotonic()
    claimed = Message.objects.filter(
        pk__in=message_ids, claim=claim, status=Message.Status.SENDING
    )
    # Everything the checks and the e-mail read, for the whole batch in one query.
    messages = {
        message.pk: message
        for message in claimed.select_related(
            # The therapist's preferences: a staff alert is written in their language.
            "patient",
            "course__therapist__preferences",
            "visit",
        ).with_new_course()
    }
    outcomes = dict.fromkeys((pk for pk in message_ids if pk not in messages), "not-claimed")
    todo = [pk for pk in message_ids if pk in messages]
    smtp_connection = _Connection()
    try:
        for position, pk in enumerate(todo):
            if start_within is not None and position and time.monotonic() - started > start_within:
                return outcomes, todo[position:]
            try:
                outcomes[pk] = _send_one(messages[pk], claim, smtp_connection, now=now)
            except _OutOfTime as out_of_time:
                outcomes[pk] = out_of_time.outcome
                return outcomes, todo[position + 1 :]
    finally:
        smtp_connection.close()
    return outcomes, []


def message_send(*, message_id: int, claim: str, now: dt.datetime | None = None) -> str:
    """Send one claimed message; returns what happened (``_send_one``)."""
    outcomes, _left = messages_send(message_ids=[message_id], claim=claim, now=now)
    return outcomes[message_id]


class _OutOfTime(Exception):
    """The task's soft time limit ended an attempt: the batch stops there."""

    def __init__(self, outcome: str) -> None:
        self.outcome = outcome


class _Held:
    """A message's row while this sender holds its claim: every write applies only while
    the row still carries the claim and is being sent, so a message cancelled, or
    claimed again after its lease ran out, is left alone (the write reports False)."""

    def __init__(self, message_id: int, claim: str) -> None:
        self.message_id, self.claim = message_id, claim
        self._where = [message_id, _prepared("claim", claim), Message.Status.SENDING.value]

    def update(self, **fields) -> bool:
        """Any other write, through the ORM (the query is built only when one is made)."""
        rows = Message.objects.filter(
            pk=self.message_id, claim=self.claim, status=Message.Status.SENDING
        )
        return bool(rows.update(**fields))

    def renew(self, now: dt.datetime) -> bool:
        """Renew the lease for an attempt, and count the attempt."""
        return self._write(
            "claimed_at = %s, attempts = attempts + 1", [_prepared("claimed_at", now)]
        )

    def mark_sent(self, now: dt.datetime) -> bool:
        return self._write(
            "status = %s, sent_at = %s, last_error = ''",
            [Message.Status.SENT.value, _prepared("sent_at", now)],
        )

    def _write(self, assignments: str, values: list) -> bool:
        # The two writes every message makes, in SQL: the ORM took as long to build each
        # UPDATE as the database took to run it (docs/benchmarks.md, the dispatch).
        table = connection.ops.quote_name(Message._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {assignments} WHERE id = %s AND claim = %s AND status = %s",
                values + self._where,
            )
            return cursor.rowcount > 0


def _prepared(field: str, value: object) -> object:
    """``value`` as the database takes it for the message's ``field`` (a UUID is text
    on SQLite, an aware time is naive UTC there)."""
    return Message._meta.get_field(field).get_db_prep_save(value, connection)


def _send_one(
    message: Message, claim: str, smtp_connection: _Connection, *, now: dt.datetime | None
) -> str:
    """Send one message of a batch, read with its claim; returns what happened.

    A transient error puts the message back, unclaimed, with its next attempt time
    (``retry_wait``) while it still matters (``Message.retry_deadline``); after that, or
    at once on a permanent error, it is marked failed.
    """
    now = now or timezone.now()
    mine = _Held(message.pk, claim)
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
    # Renew the lease for this attempt; the lease covers one attempt only. Conditional,
    # so a message cancelled (or claimed again) since the batch was read is not sent.
    if not mine.renew(now):
        return "not-claimed"
    try:
        smtp_connection.send(email_for(message))
    except Exception as error:
        outcome = _after_failure(mine, message, error, now=now)
        if isinstance(error, SoftTimeLimitExceeded):
            raise _OutOfTime(outcome) from error
        return outcome
    return _mark_sent(mine, message)


def _after_failure(mine: _Held, message: Message, error: Exception, *, now: dt.datetime) -> str:
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
        message,
        went_out=may_have_arrived,
        write=lambda: mine.update(
            status=status, may_have_arrived=may_have_arrived, last_error=text
        ),
    )
    return status.value


def _record_end(message: Message, *, went_out: bool, write: Callable[[], bool]) -> bool:
    """Record how the last attempt ended with ``write``, which reports whether the row
    was still this sender's. A repeat-course reminder that went out, or may have, leads
    to the next one, as the patient may have read it either way."""
    if not (went_out and message.kind == Message.Kind.REPEAT_COURSE_REMINDER):
        return write()
    with transaction.atomic():
        if not write():
            return False
        services.repeat_reminder_schedule_next(sent=message)
    return True


def _record_sent(mine: _Held, message: Message) -> str:
    now = timezone.now()
    recorded = _record_end(message, went_out=True, write=lambda: mine.mark_sent(now))
    return "sent" if recorded else "sent-but-cancelled"


def _mark_sent(mine: _Held, message: Message) -> str:
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
