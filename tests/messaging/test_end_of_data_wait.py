"""The reply to the end of a message's content is awaited as RFC 5321 says (10 minutes
by default), not the short command timeout; a reply that never comes means the message
may have arrived: it is sent again once, with the same Message-ID, and never failed."""

import datetime as dt

import pytest

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
