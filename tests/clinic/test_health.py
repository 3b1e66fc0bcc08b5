"""The load balancer's liveness check and the monitoring status report."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging.models import Message
from tests.factories import MessageFactory
from tests.messaging.real_parts import REDIS_URL, free_port

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-monitoring-token"


@pytest.fixture
def broker_down(settings):
    """The broker at a port nothing listens on."""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    return settings


@pytest.fixture
def broker_up(settings):
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    return settings


def status(client, token=TOKEN):
    return client.get("/status/", headers={"Authorization": f"Bearer {token}"})


def test_liveness_answers_200_with_one_query_and_no_data(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/health/")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert len(queries) == 1
    assert "Set-Cookie" not in response.headers


def test_liveness_stays_200_while_the_broker_is_unreachable(client, broker_down):
    assert client.get("/health/").status_code == 200


def test_liveness_answers_whatever_host_name_the_load_balancer_asks_by(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/health/", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


def test_liveness_answers_503_when_the_database_does_not(client, monkeypatch):
    from clinic import health

    monkeypatch.setattr(health, "_database_answers", lambda: False)

    assert client.get("/health/").status_code == 503


def test_the_status_report_is_not_there_without_a_token_set(client, settings):
    settings.CLINIC_STATUS_TOKEN = ""

    assert status(client, token="").status_code == 404


def test_the_status_report_refuses_a_wrong_token(client, settings):
    settings.CLINIC_STATUS_TOKEN = TOKEN

    response = status(client, token="guess")

    assert response.status_code == 401
    assert "messages" not in response.json()


def test_the_status_report_says_the_broker_is_down_with_a_503(client, settings, broker_down):
    settings.CLINIC_STATUS_TOKEN = TOKEN

    response = status(client)

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]


def test_the_status_report_counts_the_message_backlog(client, settings, broker_up):
    settings.CLINIC_STATUS_TOKEN = TOKEN
    settings.CLINIC_MESSAGE_LEASE_SECONDS = 900
    now = timezone.now()
    course = MessageFactory(due_at=now - dt.timedelta(hours=2)).course  # due two hours ago
    MessageFactory(course=course, due_at=now - dt.timedelta(minutes=5))  # due
    MessageFactory(course=course, due_at=now + dt.timedelta(hours=1))  # not yet due
    MessageFactory(  # waiting for its next attempt
        course=course,
        due_at=now - dt.timedelta(hours=3),
        next_attempt_at=now + dt.timedelta(minutes=1),
    )
    MessageFactory(  # being sent, within its lease
        course=course,
        status=Message.Status.SENDING,
        claim="6f1c5e2a-0000-4000-8000-000000000001",
        claimed_at=now - dt.timedelta(minutes=1),
    )
    MessageFactory(  # being sent past its lease
        course=course,
        status=Message.Status.SENDING,
        claim="6f1c5e2a-0000-4000-8000-000000000002",
        claimed_at=now - dt.timedelta(minutes=20),
        due_at=now - dt.timedelta(minutes=30),
    )
    MessageFactory(course=course, status=Message.Status.UNCERTAIN)
    MessageFactory(course=course, status=Message.Status.FAILED)
    MessageFactory(course=course, status=Message.Status.SENT)

    with CaptureQueriesContext(connection) as queries:
        response = status(client)

    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["broker"] == {"ok": True, "kind": "redis", "error": ""}
    oldest = body["messages"].pop("oldest_due_seconds")
    assert body["messages"] == {"due": 2, "past_lease": 1, "may_have_arrived": 1, "failed": 1}
    assert 2 * 3600 <= oldest < 2 * 3600 + 60
    assert len(queries) == 1
