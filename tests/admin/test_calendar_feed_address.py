"""Each member of staff makes, replaces and revokes their own calendar feed address from
"My calendar feed" (linked from the user menu); the address is shown once; a manager
revokes anyone's from the admin, where the address itself never shows."""

import re

import pytest
from django.core.exceptions import ValidationError

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from hours.models import CalendarFeed
from hours.services import calendar_feed_renew
from tests.factories import UserFactory, staff_with_role

pytestmark = pytest.mark.django_db

PAGE = "/admin/calendar-feed/"


def _address(response) -> str:
    found = re.search(r'value="(https?://[^"]+/calendar/[^"]+\.ics)"', response.content.decode())
    assert found, "the new address is not on the page"
    return found.group(1)


@pytest.mark.parametrize("role", [THERAPIST, RECEPTION, MANAGER])
def test_every_member_of_staff_reaches_their_feed_page_from_the_user_menu(client, role):
    client.force_login(staff_with_role(role))

    home = client.get("/admin/")

    assert f'href="{PAGE}"' in home.content.decode()
    assert client.get(PAGE).status_code == 200


def test_a_therapist_makes_an_address_that_is_shown_once_and_works(client, settings):
    settings.CLINIC_SITE_URL = "https://clinic.example"
    therapist = staff_with_role(THERAPIST)
    client.force_login(therapist)

    made = client.post(PAGE, {"action": "renew"})

    address = _address(made)
    assert address.startswith("https://clinic.example/calendar/")
    assert "webcal://clinic.example/calendar/" in made.content.decode()
    assert "no-store" in made["Cache-Control"]
    path = address.removeprefix("https://clinic.example")
    assert client.get(path).status_code == 200
    again = client.get(PAGE).content.decode()
    assert path not in again
    assert "Your address was made on" in again


def test_a_new_address_stops_the_old_one_and_revoking_stops_both(client):
    client.force_login(staff_with_role(THERAPIST))
    old = _address(client.post(PAGE, {"action": "renew"})).split("/", 3)[3]
    new = _address(client.post(PAGE, {"action": "renew"})).split("/", 3)[3]

    assert client.get(f"/{old}").status_code == 404
    assert client.get(f"/{new}").status_code == 200

    revoked = client.post(PAGE, {"action": "revoke"}, follow=True)

    assert "Your calendar feed address no longer works." in revoked.content.decode()
    assert client.get(f"/{new}").status_code == 404
    assert CalendarFeed.objects.count() == 0


def test_a_manager_revokes_a_therapists_address_from_the_admin(client):
    therapist = staff_with_role(THERAPIST, first_name="Anna", last_name="Kowalska")
    token = calendar_feed_renew(user=therapist)
    feed = CalendarFeed.objects.get()
    client.force_login(staff_with_role(MANAGER))

    listed = client.get("/admin/hours/calendarfeed/").content.decode()
    assert "Anna Kowalska" in listed
    assert feed.token_hash not in listed
    client.post(f"/admin/hours/calendarfeed/{feed.pk}/delete/", {"post": "yes"})

    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert feed.history.filter(history_type="-").exists()


@pytest.mark.parametrize("role", [THERAPIST, RECEPTION])
def test_other_staff_do_not_see_anyones_feed_in_the_admin(client, role):
    calendar_feed_renew(user=staff_with_role(THERAPIST))
    client.force_login(staff_with_role(role))

    assert client.get("/admin/hours/calendarfeed/").status_code == 403


def test_only_active_staff_get_a_feed_address():
    with pytest.raises(ValidationError, match="only staff have a calendar feed"):
        calendar_feed_renew(user=UserFactory(is_staff=False))
    assert CalendarFeed.objects.count() == 0
