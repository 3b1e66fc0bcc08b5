"""A mail server that accepts the connection and never answers: the attempt times out
and the message waits for its next attempt with the error."""

import socket

import pytest

from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_server():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)  # connections complete in the backlog; nothing ever replies
        yield server.getsockname()[1]


def test_a_mail_server_that_never_answers_times_out_and_the_message_waits_to_retry(
    daytime, settings, silent_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        silent_server,
        1,
    )
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)

    outcome = sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    assert outcome == "retry"
    assert (message.status, message.attempts) == (Message.Status.PENDING, 1)
    assert "timed out" in message.last_error
