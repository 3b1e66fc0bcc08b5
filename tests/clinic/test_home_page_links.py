"""Every link and button on the home page leads each role to a page it may open, and a
button does there what it says."""

import datetime as dt
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

# One demo login per role (courses/demo.py).
ROLES = {"manager": "Manager", "reception": "Reception", "anna.kowalska": "Therapist"}


class Links(HTMLParser):
    """The links of a page: (address, text, whether it is drawn as a button)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, bool]] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self._open = [attrs["href"], "", "button" in (attrs.get("class") or "").split()]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            href, text, button = self._open
            self.found.append((href, " ".join(text.split()), button))
            self._open = None


def links_of(html: str) -> list[tuple[str, str, bool]]:
    parser = Links()
    parser.feed(html)
    return parser.found


@pytest.fixture(autouse=True)
def demo_clinic(settings, time_machine):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Early on the clinic's day, so that today's visits are still to come whenever the
    # suite runs: the demo logs every session booked before now.
    # On a Tuesday, when every demo therapist works (the clinic closes on Sundays, Anna
    # does not work on Saturdays), whichever day the suite runs.
    day = timezone.localdate()
    day += dt.timedelta(days=(1 - day.weekday()) % 7)
    time_machine.move_to(timezone.make_aware(dt.datetime.combine(day, dt.time(7))), tick=True)
    call_command("seed_demo", patients=12, password="demo-links-password", stdout=StringIO())


def home_of(username: str) -> tuple[Client, list[tuple[str, str, bool]]]:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return client, links_of(response.text)


@pytest.mark.parametrize("username", ROLES, ids=ROLES.values())
def test_every_link_on_the_home_page_opens_for_the_role(username):
    client, links = home_of(username)
    local = sorted({href for href, _, _ in links if href.startswith("/")})

    refused = [(href, client.get(href).status_code) for href in local]

    assert len(local) > 10
    assert [(href, status) for href, status in refused if status != 200] == []


def visit_buttons(links: list[tuple[str, str, bool]]) -> dict[str, list[str]]:
    prefix = reverse("admin:courses_visit_changelist")
    buttons: dict[str, list[str]] = {}
    for href, text, button in links:
        if button and href.startswith(prefix):
            buttons.setdefault(text, []).append(href)
    return buttons


def editable(page: str, *names: str) -> bool:
    return all(f'name="{name}"' in page for name in names)


@pytest.mark.parametrize("username", ["manager", "anna.kowalska"], ids=["Manager", "Therapist"])
def test_log_the_visit_leads_to_a_page_where_the_role_records_the_pain(username):
    client, links = home_of(username)
    buttons = visit_buttons(links)

    assert set(buttons) == {"Log the visit"}
    for href in buttons["Log the visit"]:
        page = client.get(href).text
        assert editable(page, "pain_before", "pain_after", "performed_at_0", "status")


def test_reception_is_offered_to_reschedule_the_visit_or_mark_it_missed_not_to_log_it():
    client, links = home_of("reception")
    buttons = visit_buttons(links)

    assert set(buttons) == {"Reschedule or mark missed"}
    for href in buttons["Reschedule or mark missed"]:
        page = client.get(href).text
        assert editable(page, "scheduled_at_0", "scheduled_at_1", "status")
        assert '<option value="missed"' in page
        assert not editable(page, "pain_before")
        assert not editable(page, "pain_after")


def test_the_home_page_has_no_view_site_link_back_to_itself():
    _, links = home_of("reception")

    assert "View site" not in [text for _, text, _ in links]
