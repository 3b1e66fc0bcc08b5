"""A message the mail server accepted is marked sent even when the database drops out
for a moment: the mark is tried again, never the send."""

import logging

import psycopg
import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import OperationalError, connection

from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr(sending.time, "sleep", lambda seconds: None)


@pytest.fixture
def database_down_for(monkeypatch):
    """Make the next ``failures`` marks fail as a restarting database does."""

    def down(failures: int) -> None:
        record = sending._record_sent

        def flaky(*args, **kwargs):
            nonlocal failures
            if failures:
                failures -= 1
                raise OperationalError("terminating connection due to administrator command")
            return record(*args, **kwargs)

        monkeypatch.setattr(sending, "_record_sent", flaky)

    return down


@pytest.mark.django_db
def test_the_sent_mark_is_retried_until_the_database_answers_and_the_mail_goes_once(
    daytime, mailoutbox, no_sleep, database_down_for, caplog
):
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)
    database_down_for(3)

    with caplog.at_level(logging.WARNING, logger="messaging.sending"):
        outcome = sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    assert outcome == "sent"
    assert message.status == Message.Status.SENT
    assert len(mailoutbox) == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert all(f"Message {pk} was accepted by the mail server" in text for text in warnings)


@pytest.mark.django_db
def test_a_mark_still_failing_at_the_end_of_its_window_is_logged_and_nothing_is_resent(
    daytime, settings, mailoutbox, no_sleep, database_down_for, caplog
):
    settings.CLINIC_MESSAGE_MARK_RETRY_SECONDS = 0
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)
    database_down_for(1)

    with pytest.raises(OperationalError):
        sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    # Left to the lease: the next claim sends it again, with the same Message-ID.
    assert message.status == Message.Status.SENDING
    assert len(mailoutbox) == 1
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"Message {pk} was accepted by the mail server but could not be marked" in (
        error.getMessage()
    )


@pytest.mark.django_db(transaction=True)
def test_the_sender_s_postgresql_connection_terminated_after_acceptance_still_marks_it_sent(
    daytime, mailoutbox, no_sleep, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL.")
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [sender_pid] = cursor.fetchone()
    db = connection.settings_dict
    accept = EmailBackend.send_messages

    def accept_then_cut_the_database(self, messages):
        sent = accept(self, messages)
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            dbname=db["NAME"],
            password=db["PASSWORD"] or None,
            autocommit=True,
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [sender_pid])
        return sent

    monkeypatch.setattr(EmailBackend, "send_messages", accept_then_cut_the_database)

    outcome = sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    assert outcome == "sent"
    assert message.status == Message.Status.SENT
    assert len(mailoutbox) == 1
