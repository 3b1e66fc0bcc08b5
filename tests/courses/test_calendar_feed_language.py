"""A therapist's calendar feed is in their own language, like everything else the clinic
shows them, at no extra query."""

import datetime as dt
import re

import icalendar
import pytest
from django.utils import timezone

from clinic.services import staff_language_set
from hours.services import calendar_feed_renew
from tests.factories import CourseFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.fixture
def feed(time_machine, settings, therapist):
    time_machine.move_to(dt.datetime(2026, 6, 10, 12, tzinfo=dt.UTC), tick=False)
    settings.CLINIC_NAME = "Harbour Massage"
    course = CourseFactory(
        therapist=therapist,
        patient=PatientFactory(first_name="Mia"),
        start_date=dt.date(2026, 6, 1),
    )
    VisitFactory(
        course=course,
        sequence=4,
        scheduled_at=timezone.make_aware(dt.datetime(2026, 6, 11, 17)),
    )
    return f"/calendar/{calendar_feed_renew(user=therapist)}.ics"


def test_a_therapist_who_chose_english_gets_an_english_feed_from_a_russian_clinic(
    client, settings, therapist, feed
):
    settings.LANGUAGE_CODE = "ru"
    staff_language_set(user=therapist, language="en-gb")

    calendar = icalendar.Calendar.from_ical(client.get(feed).content)

    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Mia, session 4/10"


def test_a_therapist_who_chose_russian_gets_a_russian_feed_from_an_english_clinic(
    client, settings, therapist, feed
):
    """Needs the clinic's Russian catalogue."""
    settings.LANGUAGE_CODE = "en-gb"
    staff_language_set(user=therapist, language="ru")

    calendar = icalendar.Calendar.from_ical(client.get(feed).content)

    [event] = calendar.walk("VEVENT")
    assert CYRILLIC.search(str(event["SUMMARY"]))
    assert "session" not in str(event["SUMMARY"])


def test_a_chosen_language_costs_the_feed_no_query(
    client, therapist, feed, django_assert_num_queries
):
    staff_language_set(user=therapist, language="ru")

    # The address's owner with their preferences, then their visits.
    with django_assert_num_queries(2):
        assert client.get(feed).status_code == 200
