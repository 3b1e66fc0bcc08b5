"""Sending hours in the clinic's time zone, including the days the clocks change
(Europe/London: last Sunday of March forward, last Sunday of October back)."""

import datetime as dt

import pytest

from messaging import sending, timing
from tests.factories import MessageFactory

UTC = dt.UTC


@pytest.fixture(autouse=True)
def london(settings):
    settings.TIME_ZONE = "Europe/London"
    settings.CLINIC_SENDING_HOURS = (dt.time(9), dt.time(20))


@pytest.mark.parametrize(
    ("due", "goes_out"),
    [
        # Winter (GMT = UTC): 22:00 waits for 09:00 next day.
        (dt.datetime(2026, 1, 14, 22, 0, tzinfo=UTC), dt.datetime(2026, 1, 15, 9, 0, tzinfo=UTC)),
        # Inside the hours: at once.
        (dt.datetime(2026, 1, 14, 12, 0, tzinfo=UTC), dt.datetime(2026, 1, 14, 12, 0, tzinfo=UTC)),
        # Night before the spring change (29 March 2026): 09:00 BST is 08:00 UTC.
        (dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC), dt.datetime(2026, 3, 29, 8, 0, tzinfo=UTC)),
        # 19:30 UTC on the spring day is 20:30 BST: already closed.
        (dt.datetime(2026, 3, 29, 19, 30, tzinfo=UTC), dt.datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
        # Evening before the autumn change (25 October 2026): 22:00 BST, opens 09:00 GMT.
        (
            dt.datetime(2026, 10, 24, 21, 0, tzinfo=UTC),
            dt.datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
        ),
        # 08:30 UTC on the autumn day is 08:30 GMT: still closed until 09:00.
        (
            dt.datetime(2026, 10, 25, 8, 30, tzinfo=UTC),
            dt.datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
        ),
        # 19:30 UTC on the autumn day is 19:30 GMT: still open.
        (
            dt.datetime(2026, 10, 25, 19, 30, tzinfo=UTC),
            dt.datetime(2026, 10, 25, 19, 30, tzinfo=UTC),
        ),
    ],
)
def test_what_falls_due_at_night_goes_out_when_the_sending_hours_open(due, goes_out):
    assert timing.next_sending_time(due) == goes_out


def test_the_day_before_a_visit_keeps_the_wall_clock_time_across_the_spring_change():
    # A visit at 10:00 BST on Monday 30 March 2026 (09:00 UTC) is reminded at 10:00 on
    # Sunday the 29th, which is 09:00 UTC too; 10:00 on Saturday 28th would be 10:00 UTC.
    visit_at = dt.datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert timing.same_time_days_later(visit_at, -1) == dt.datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    assert timing.same_time_days_later(visit_at, -2) == dt.datetime(2026, 3, 28, 10, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_dispatch_at_night_claims_nothing_and_the_morning_one_claims_it(mailoutbox):
    message = MessageFactory(due_at=dt.datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    enqueued = []

    night = sending.messages_dispatch(
        now=dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), enqueue=lambda *a: enqueued.append(a)
    )
    morning = sending.messages_dispatch(
        now=dt.datetime(2026, 10, 25, 9, 0, tzinfo=UTC), enqueue=lambda *a: enqueued.append(a)
    )

    assert night == []
    assert morning == [message.pk]


@pytest.mark.django_db
def test_a_send_task_that_waited_into_the_night_puts_the_message_back_for_the_morning():
    message = MessageFactory(due_at=dt.datetime(2026, 3, 28, 18, 0, tzinfo=UTC))
    [(pk, claim)] = sending.messages_claim_due(
        now=dt.datetime(2026, 3, 28, 18, 0, tzinfo=UTC), limit=10
    )

    outcome = sending.message_send(
        message_id=pk,
        claim=claim,
        now=dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
    )

    message.refresh_from_db()
    assert outcome == "deferred"
    assert (message.status, message.claim) == ("pending", None)
    assert message.due_at == dt.datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["9-20", "20:00-09:00", "09:00", "09:00-25:00"])
def test_sending_hours_that_cannot_be_used_stop_the_process_at_start(monkeypatch, raw):
    from django.core.exceptions import ImproperlyConfigured

    from clinic.env import env_time_window

    monkeypatch.setenv("CLINIC_SENDING_HOURS", raw)

    with pytest.raises(ImproperlyConfigured, match="CLINIC_SENDING_HOURS"):
        env_time_window("CLINIC_SENDING_HOURS", "09:00-20:00")


def test_sending_hours_may_run_until_midnight(monkeypatch):
    from clinic.env import env_time_window

    monkeypatch.setenv("CLINIC_SENDING_HOURS", "00:00-24:00")

    assert env_time_window("CLINIC_SENDING_HOURS", "09:00-20:00") == (dt.time(0), dt.time.max)
