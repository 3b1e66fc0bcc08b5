"""Lockout after repeated failed logins, password rules, sessions that expire."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _login(client: Client, password: str):
    return client.post(
        reverse("admin:login"),
        {"username": "therapist", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR="203.0.113.7",
    )


@pytest.fixture
def staff(db):
    return UserFactory(username="therapist")


def test_the_right_password_logs_in(staff, settings):
    response = _login(Client(), PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_after_the_failure_limit_even_the_right_password_is_refused(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        assert _login(client, "wrong").status_code == 200

    third = _login(client, "wrong")
    after = _login(client, PASSWORD)

    assert third.status_code == 429
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_holds_only_for_that_user_name_and_address(staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _login(Client(), "wrong")

    elsewhere = Client().post(
        reverse("admin:login"),
        {"username": "therapist", "password": PASSWORD, "next": reverse("admin:index")},
        REMOTE_ADDR="198.51.100.20",
    )

    assert elsewhere.status_code == 302


def test_a_successful_login_resets_the_failure_count(staff, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    _login(client, "wrong")
    _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302


def test_the_test_clients_login_still_works_beside_the_lockout(staff):
    client = Client()
    assert client.login(username="therapist", password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("weak", ["password", "12345678901", "therapist1", "short"])
def test_weak_passwords_are_refused(weak, staff):
    with pytest.raises(ValidationError):
        validate_password(weak, user=staff)


def test_a_request_a_minute_after_signing_in_pushes_the_session_expiry_forward(staff, settings):
    client = Client()
    client.force_login(staff)
    session = Session.objects.get()
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(seconds=120)
    )

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        client.get(reverse("admin:index"))
        expiry = Session.objects.get(pk=session.pk).expire_date
        assert expiry > timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_requests_within_a_minute_of_a_renewal_do_not_write_the_session(staff):
    client = Client()
    client.force_login(staff)  # signing in counts as a renewal
    renewed = Session.objects.get().expire_date

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:index"))

    assert not [
        q for q in queries.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]
    ]
    assert Session.objects.get().expire_date == renewed


def test_a_session_idle_for_longer_than_the_limit_is_logged_out(staff):
    client = Client()
    client.force_login(staff)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_session_cookie_ends_with_the_browser_and_is_http_only(staff):
    client = Client()
    response = _login(client, PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert not cookie["max-age"]
