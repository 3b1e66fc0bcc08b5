"""Behind a reverse proxy, lockouts are recorded against the client's address."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.2"


@pytest.fixture
def staff(db):
    return UserFactory(username="therapist")


@pytest.fixture
def one_proxy(settings):
    settings.CLINIC_PROXY_COUNT = 1


def _login(password: str, forwarded_for: str | None, remote: str = PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(
        reverse("admin:login"),
        {"username": "therapist", "password": password, "next": reverse("admin:index")},
        **headers,
    )


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "recorded"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        # The client wrote the leftmost hop itself; the proxy appended the real one.
        (1, "9.9.9.9, 203.0.113.5", "203.0.113.5"),
        (1, "9.9.9.9, 8.8.8.8, 203.0.113.5", "203.0.113.5"),
        # Two proxies: the second appended the first's address after the client's.
        (2, "9.9.9.9, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        # A request that did not pass the proxies keeps its connection's address.
        (2, "203.0.113.5", PROXY),
        (1, None, PROXY),
        (1, "not an address", PROXY),
        # Without proxies the header is the client's own word and is ignored.
        (0, "9.9.9.9", PROXY),
    ],
)
def test_the_recorded_address_is_the_hop_the_proxies_vouch_for(
    staff, settings, proxies, forwarded_for, recorded
):
    settings.CLINIC_PROXY_COUNT = proxies

    _login("wrong", forwarded_for)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [recorded]


def test_a_spoofed_address_cannot_lock_a_user_out_everywhere(staff, settings, one_proxy):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        _login("wrong", "9.9.9.9, 198.51.100.66")
    assert _login(PASSWORD, "9.9.9.9, 198.51.100.66").status_code == 429

    from_the_clinic = _login(PASSWORD, "9.9.9.9, 203.0.113.5")

    assert from_the_clinic.status_code == 302
