"""The reply to the end of a message's content is awaited as RFC 5321 says (10 minutes
by default), not the short command timeout; a reply that never comes means the message
may have arrived: it is sent again once, with the same Message-ID, and never failed."""

import contextlib
import datetime as dt
import signal

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_the_wait_for_the_end_of_data_reply_is_ten_minutes_by_default():
    from django.conf import settings

    assert settings.EMAIL_DATA_TIMEOUT == 600


def test_a_server_answering_the_end_of_data_after_the_command_timeout_gets_the_message_once(
    daytime, settings, smtp
):
    settings.EMAIL_DATA_TIMEOUT = 10
    smtp.inbox.delay = 2  # twice EMAIL_TIMEOUT
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)

    outcome = sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    assert outcome == "sent"
    assert message.status == Message.Status.SENT
    assert smtp.inbox.message_ids() == {pk: 1}


def test_a_server_that_never_answers_the_end_of_data_gets_it_twice_at_most_and_it_is_not_failed(
    daytime, settings, smtp
):
    settings.EMAIL_DATA_TIMEOUT = 1
    smtp.inbox.delay = 2
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)

    first = sending.message_send(message_id=pk, claim=claim)
    message.refresh_from_db()
    assert (first, message.status, message.may_have_arrived) == ("retry", "pending", True)
    later = message.next_attempt_at + dt.timedelta(seconds=1)
    [(_pk, claim)] = sending.messages_claim_due(now=later, limit=10)
    second = sending.message_send(message_id=pk, claim=claim, now=later)

    message.refresh_from_db()
    assert second == "uncertain"
    assert message.get_status_display() == "May have arrived"
    assert sending.messages_claim_due(now=later + dt.timedelta(days=1), limit=10) == []
    # Retrying failed messages leaves it alone.
    assert sending.messages_retry_failed(queryset=Message.objects.all()) == 0
    # The server took the content twice, both with the message's one Message-ID.
    assert [m["Message-ID"] for m in smtp.inbox.taken] == [message.mail_id] * 2


@contextlib.contextmanager
def soft_time_limit_after(seconds: float):
    """What Celery does when a send task reaches its soft time limit: the exception is
    raised in the task wherever it is at that moment."""

    def expire(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    ("slow_reply", "taken", "may_have_arrived"),
    [
        # The server has the whole message and has not answered: it may have arrived.
        ("delay", 1, True),
        # The server is slow to accept the recipient, before any content: a plain retry.
        ("rcpt_delay", 0, False),
    ],
)
def test_the_soft_time_limit_reached_mid_conversation_is_a_retry_never_a_failure(
    daytime, settings, smtp, slow_reply, taken, may_have_arrived
):
    settings.EMAIL_TIMEOUT, settings.EMAIL_DATA_TIMEOUT = 5, 10
    setattr(smtp.inbox, slow_reply, 3)
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)

    with soft_time_limit_after(1):
        outcome = sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    assert len(smtp.inbox.taken) == taken
    assert (outcome, message.status) == ("retry", Message.Status.PENDING)
    assert message.may_have_arrived is may_have_arrived
    assert "SoftTimeLimitExceeded" in message.last_error


def test_a_repeat_course_reminder_that_may_have_arrived_leads_to_the_next_one_as_a_sent_one_does(
    daytime, settings, smtp
):
    settings.EMAIL_DATA_TIMEOUT = 1
    smtp.inbox.delay = 2
    reminder = MessageFactory(kind=Message.Kind.REPEAT_COURSE_REMINDER, number=1)
    reminder.may_have_arrived = True  # its first attempt got no reply to its content
    reminder.save()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)

    outcome = sending.message_send(message_id=pk, claim=claim)

    assert outcome == "uncertain"
    following = Message.objects.get(kind=Message.Kind.REPEAT_COURSE_REMINDER, number=2)
    assert following.status == Message.Status.PENDING
    assert following.due_at > daytime + dt.timedelta(days=150)
