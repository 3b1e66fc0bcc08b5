"""After an outage the operator sees the rows left "being sent" past their lease and
those that may have arrived: a filter on the message log and a list on the home page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.selectors import staff_home
from messaging.models import Message
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(settings):
    settings.CLINIC_MESSAGE_LEASE_SECONDS = 900
    now = timezone.now()

    def sending(minutes_ago: int) -> Message:
        return MessageFactory(
            status=Message.Status.SENDING,
            claim="6a0a3c1e-36a4-4b39-9c43-2a39f3cb4b55",
            claimed_at=now - dt.timedelta(minutes=minutes_ago),
        )

    return {
        "stuck": sending(minutes_ago=40),
        "in_flight": sending(minutes_ago=1),
        "uncertain": MessageFactory(status=Message.Status.UNCERTAIN, may_have_arrived=True),
        "failed": MessageFactory(status=Message.Status.FAILED),
    }


def test_the_message_log_filters_rows_stuck_past_their_lease_and_those_that_may_have_arrived(
    admin_client, rows
):
    url = reverse("admin:messaging_message_changelist")

    stuck = admin_client.get(url, {"attention": "stuck"}).context["cl"].result_list
    uncertain = admin_client.get(url, {"attention": "uncertain"}).context["cl"].result_list

    assert [m.pk for m in stuck] == [rows["stuck"].pk]
    assert [m.pk for m in uncertain] == [rows["uncertain"].pk]


def test_the_home_page_lists_them_with_their_age(admin_client, rows):
    page = admin_client.get(reverse("admin:index")).text

    assert {m.pk for m in staff_home().messages_needing_attention} == {
        rows["stuck"].pk,
        rows["uncertain"].pk,
    }
    assert "being sent for 40\xa0minutes" in page
    assert "may have arrived; due" in page
    assert reverse("admin:messaging_message_change", args=[rows["in_flight"].pk]) not in page


def test_the_dispatch_runs_on_its_own_queue_which_every_worker_takes_from():
    from clinic.celery import app

    route = app.amqp.router.route({}, "messaging.tasks.dispatch_due_messages_task")
    send_route = app.amqp.router.route({}, "messaging.tasks.send_message_task")

    assert route["queue"].name == "dispatch"
    assert send_route["queue"].name == "celery"
    assert {queue.name for queue in app.amqp.queues.consume_from.values()} >= {
        "celery",
        "dispatch",
    }
