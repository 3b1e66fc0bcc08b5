"""Transient mail-server errors are retried as rows on a schedule with a floor, for as
long as the message matters: an outage of a minute or half an hour fails nothing."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server_down_until(monkeypatch):
    """The mail server refuses every connection until the given moment."""
    until = {"moment": None}

    def send(self, *args, **kwargs):
        if timezone.now() < until["moment"]:
            raise smtplib.SMTPConnectError(421, b"Service not available")
        return send.original(self, *args, **kwargs)

    send.original = mail.EmailMultiAlternatives.send
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", send)

    def down(moment: dt.datetime) -> None:
        until["moment"] = moment

    return down


def run_beat(time_machine, settings, *, start: dt.datetime, for_: dt.timedelta) -> list[str]:
    """Dispatch every CLINIC_DISPATCH_INTERVAL_SECONDS as beat does, sending in-process."""
    outcomes = []
    moment = start
    while moment < start + for_:
        time_machine.move_to(moment, tick=False)
        batches: list[tuple[list[int], str]] = []
        with TestCase.captureOnCommitCallbacks(execute=True):
            sending.messages_dispatch(
                now=moment, enqueue=lambda *args, into=batches: into.append(args)
            )
        for ids, claim in batches:
            sent, _left = sending.messages_send(message_ids=ids, claim=claim)
            outcomes += [sent[pk] for pk in ids]
        moment += dt.timedelta(seconds=settings.CLINIC_DISPATCH_INTERVAL_SECONDS)
    return outcomes


@pytest.mark.parametrize(
    ("attempts", "figure"), [(1, 60), (2, 120), (3, 240), (4, 300), (40, 300)]
)
def test_the_wait_after_a_failure_doubles_to_five_minutes_and_never_drops_below_four_fifths(
    monkeypatch, attempts, figure
):
    monkeypatch.setattr(sending.random, "uniform", lambda low, high: low)
    shortest = sending.retry_wait(attempts)
    monkeypatch.setattr(sending.random, "uniform", lambda low, high: high)
    longest = sending.retry_wait(attempts)

    assert shortest == dt.timedelta(seconds=figure * 0.8)
    assert longest == dt.timedelta(seconds=figure * 1.2)


@pytest.mark.parametrize("outage", [dt.timedelta(seconds=60), dt.timedelta(minutes=30)])
def test_a_mail_server_outage_of_a_minute_or_half_an_hour_fails_nothing(
    daytime, settings, time_machine, mailoutbox, mail_server_down_until, outage
):
    messages = MessageFactory.create_batch(3)
    mail_server_down_until(daytime + outage)

    outcomes = run_beat(time_machine, settings, start=daytime, for_=outage + dt.timedelta(hours=1))

    assert "failed" not in outcomes
    assert outcomes.count("sent") == 3
    assert Message.objects.filter(status=Message.Status.SENT).count() == len(messages)
    assert len(mailoutbox) == 3


def test_a_check_in_is_given_up_after_its_kind_s_hours_and_marked_failed(
    daytime, settings, time_machine, mailoutbox, mail_server_down_until
):
    settings.CLINIC_DISPATCH_INTERVAL_SECONDS = 300
    visit = VisitFactory(done=True)
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN, visit=visit, course=visit.course, due_at=daytime
    )
    mail_server_down_until(daytime + dt.timedelta(days=7))

    outcomes = run_beat(time_machine, settings, start=daytime, for_=dt.timedelta(hours=30))

    check_in.refresh_from_db()
    assert outcomes[-1] == "failed"
    assert outcomes.count("failed") == 1
    assert check_in.status == Message.Status.FAILED
    # The last attempt was within the day it mattered (24 hours by default).
    assert check_in.claimed_at <= daytime + dt.timedelta(hours=24)
    assert "SMTPConnectError" in check_in.last_error
    assert mailoutbox == []


def test_a_visit_reminder_is_retried_until_its_visit_only(
    daytime, settings, time_machine, mail_server_down_until
):
    visit = VisitFactory(scheduled_at=daytime + dt.timedelta(hours=2))
    reminder = MessageFactory(
        kind=Message.Kind.VISIT_REMINDER, visit=visit, course=visit.course, due_at=daytime
    )
    mail_server_down_until(daytime + dt.timedelta(days=1))

    run_beat(time_machine, settings, start=daytime, for_=dt.timedelta(hours=3))

    reminder.refresh_from_db()
    assert reminder.status == Message.Status.FAILED
    assert reminder.claimed_at < visit.scheduled_at
    assert reminder.attempts > 1
