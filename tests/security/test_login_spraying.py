"""Failures count per address across user names and per user name across addresses."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
USERS = ["anna", "ben", "chloe", "dev", "ella"]
ADDRESSES = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"]
CLINIC = "203.0.113.7"


@pytest.fixture
def staff(db, settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.CLINIC_LOGIN_FAILURE_LIMITS = {"ip_address": 10, "username": 10}
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
    return [UserFactory(username=name) for name in USERS]


def _login(username: str, password: str, address: str):
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_four_passwords_on_each_of_five_users_from_one_address_are_stopped(staff):
    answers = [
        _login(name, f"guess-{n}", ADDRESSES[0]).status_code for name in USERS for n in range(4)
    ]

    assert answers.count(200) == 9
    assert set(answers[9:]) == {429}
    # The address is locked for every user name, the right password included...
    assert _login("ella", PASSWORD, ADDRESSES[0]).status_code == 429
    # ...but not the users: they sign in from elsewhere.
    assert _login("ella", PASSWORD, CLINIC).status_code == 302


def test_twenty_guesses_on_one_user_from_five_addresses_are_stopped(staff):
    answers = [
        _login("anna", f"guess-{n}", address).status_code
        for address in ADDRESSES
        for n in range(4)
    ]

    assert answers.count(200) == 9
    assert set(answers[9:]) == {429}
    assert _login("anna", PASSWORD, "198.51.100.99").status_code == 429
    # The guesses never touched the others.
    assert _login("ben", PASSWORD, "198.51.100.99").status_code == 302


def test_guessing_from_afar_never_locks_a_user_out_of_an_address_they_signed_in_from(staff):
    assert _login("anna", PASSWORD, CLINIC).status_code == 302
    for address in ADDRESSES:
        for n in range(4):
            _login("anna", f"guess-{n}", address)
    assert _login("anna", PASSWORD, "198.51.100.99").status_code == 429

    assert _login("anna", PASSWORD, CLINIC).status_code == 302


def test_a_user_name_lockout_ends_after_the_cool_off_however_long_the_guessing_goes_on(staff):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for address in ADDRESSES[:3]:
            for n in range(4):
                _login("anna", f"guess-{n}", address)
        assert _login("anna", PASSWORD, CLINIC).status_code == 429
        # The guessing goes on through the lockout...
        for minute in range(1, 30):
            clock.move_to(start + dt.timedelta(minutes=minute))
            assert _login("anna", "guess", ADDRESSES[4]).status_code == 429

        clock.move_to(start + dt.timedelta(minutes=31))

        assert _login("anna", PASSWORD, CLINIC).status_code == 302


def test_a_colleague_signing_in_does_not_clear_the_addresss_failures(staff):
    for name in USERS[:2]:
        for n in range(4):
            _login(name, f"guess-{n}", ADDRESSES[0])
    assert _login("chloe", PASSWORD, ADDRESSES[0]).status_code == 302

    assert _login("dev", "guess", ADDRESSES[0]).status_code == 200
    assert _login("dev", "guess", ADDRESSES[0]).status_code == 429


def test_the_user_signing_in_does_not_clear_guesses_from_elsewhere(staff):
    for address in ADDRESSES[:2]:
        for n in range(4):
            _login("anna", f"guess-{n}", address)
    assert _login("anna", PASSWORD, CLINIC).status_code == 302

    assert _login("anna", "guess", ADDRESSES[2]).status_code == 200
    assert _login("anna", "guess", ADDRESSES[3]).status_code == 429


def test_colleagues_typos_at_the_clinic_do_not_lock_everyone_out_of_it(staff):
    for name in USERS:
        assert _login(name, PASSWORD, CLINIC).status_code == 302
    for name in USERS:
        for n in range(3):
            assert _login(name, f"typo-{n}", CLINIC).status_code == 200

    assert _login("anna", PASSWORD, CLINIC).status_code == 302
    # Someone who never signed in from there is held to the address's limit.
    UserFactory(username="newcomer")
    assert _login("newcomer", PASSWORD, CLINIC).status_code == 429
