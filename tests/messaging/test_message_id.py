"""Every attempt at a message carries the same Message-ID, so a repeat is recognisable."""

import datetime as dt

import pytest

from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_a_message_sent_again_after_its_lease_carries_the_same_message_id(
    daytime, clinic_settings, mailoutbox
):
    clinic_settings.CLINIC_MESSAGE_LEASE_SECONDS = 60
    MessageFactory()
    [(pk, first_claim)] = sending.messages_claim_due(now=daytime, limit=10)
    first = sending.email_for(Message.objects.get(pk=pk)).message()["Message-ID"]
    # The first attempt's worker died: the row is claimed again and sent.
    later = daytime + dt.timedelta(seconds=61)
    [(_pk, second_claim)] = sending.messages_claim_due(now=later, limit=10)
    assert second_claim != first_claim

    assert sending.message_send(message_id=pk, claim=second_claim) == "sent"

    [email] = mailoutbox
    message = Message.objects.get(pk=pk)
    assert email.message()["Message-ID"] == first == message.mail_id
    assert first.startswith(f"<message.{pk}.") and first.endswith("@clinic.example>")
    assert email.extra_headers["List-Unsubscribe"].startswith("<https://clinic.example/p/unsub")


def test_two_messages_have_different_message_ids(daytime, clinic_settings):
    one, two = MessageFactory(), MessageFactory()

    assert one.mail_id != two.mail_id
