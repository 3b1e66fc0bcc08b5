"""A therapist's diary as an iCalendar feed at a secret address: their own booked
visits, the patient's first name and the session number only, times in UTC (right on
the clock-change days), a constant number of queries, and 404 for any other address."""

import datetime as dt
import logging

import icalendar
import pytest
from django.utils import timezone

from courses.models import SpineRegion, Visit
from hours.services import calendar_feed_renew, calendar_feed_revoke
from tests.factories import CourseFactory, PatientFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def clinic(time_machine, settings):
    time_machine.move_to(NOW, tick=False)
    settings.TIME_ZONE = "Europe/London"
    settings.CLINIC_SITE_URL = "https://clinic.example"
    return settings


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _course(therapist, *, first_name="Mia", start_date=dt.date(2026, 6, 1)):
    return CourseFactory(
        therapist=therapist,
        patient=PatientFactory(first_name=first_name, last_name="Novak"),
        region=SpineRegion.LUMBAR,
        planned_sessions=10,
        start_date=start_date,
    )


def _visit(course, sequence: int, at: dt.datetime, **fields) -> Visit:
    return VisitFactory(course=course, sequence=sequence, scheduled_at=at, **fields)


def _feed(client, token: str):
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200, response.status_code
    return response, icalendar.Calendar.from_ical(response.content)


def _events(calendar) -> dict[str, icalendar.Event]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_lists_the_therapists_booked_visits_by_first_name_and_session_number_only(
    clinic, client, therapist
):
    course = _course(therapist)
    done = _visit(course, 3, _at(dt.date(2026, 6, 8), 10), done=True, notes="Sore lower back")
    coming = _visit(course, 4, _at(dt.date(2026, 6, 11), 17))
    _visit(course, 5, _at(dt.date(2026, 6, 15), 17), status=Visit.Status.CANCELLED)
    _visit(course, 1, _at(dt.date(2026, 5, 1), 10))  # before the feed's 30 days
    _visit(_course(UserFactory(), first_name="Olga"), 1, _at(dt.date(2026, 6, 11), 17))
    token = calendar_feed_renew(user=therapist)

    response, calendar = _feed(client, token)

    events = _events(calendar)
    assert sorted(events) == ["Mia, session 3/10", "Mia, session 4/10"]
    event = events["Mia, session 4/10"]
    assert event["UID"] == f"diary-visit-{coming.pk}@clinic.example"
    assert event.decoded("DTSTART") == dt.datetime(2026, 6, 11, 16, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 6, 11, 17, 0, tzinfo=dt.UTC)
    assert event.decoded("LAST-MODIFIED") == event.decoded("DTSTAMP") == NOW
    assert str(event["URL"]).endswith(f"/admin/courses/visit/{coming.pk}/change/")
    assert events["Mia, session 3/10"]["UID"] == f"diary-visit-{done.pk}@clinic.example"
    body = response.content.decode().lower()
    for private in ("novak", "lumbar", "spine", "sore", "pain"):
        assert private not in body
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_moved_visit_keeps_its_uid_and_shows_at_its_new_time(clinic, client, therapist):
    visit = _visit(_course(therapist), 1, _at(dt.date(2026, 6, 11), 17))
    token = calendar_feed_renew(user=therapist)
    [before] = _feed(client, token)[1].walk("VEVENT")

    visit.scheduled_at = _at(dt.date(2026, 6, 12), 9, 30)
    visit.save()

    [after] = _feed(client, token)[1].walk("VEVENT")
    assert after["UID"] == before["UID"]
    assert after.decoded("DTSTART") == dt.datetime(2026, 6, 12, 8, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("now", "day", "utc_hour"),
    [
        # British Summer Time starts at 01:00 UTC on Sun 29 Mar 2026: 10:00 is 09:00 UTC.
        (dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), dt.date(2026, 3, 29), 9),
        (dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), dt.date(2026, 3, 28), 10),
        # It ends at 01:00 UTC on Sun 25 Oct 2026: 10:00 is 10:00 UTC again.
        (dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC), dt.date(2026, 10, 25), 10),
        (dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC), dt.date(2026, 10, 24), 9),
    ],
)
def test_visits_on_the_clock_change_days_are_at_the_right_instant(
    clinic, time_machine, client, therapist, now, day, utc_hour
):
    time_machine.move_to(now, tick=False)
    _visit(_course(therapist, start_date=day), 1, _at(day, 10))
    token = calendar_feed_renew(user=therapist)

    response, calendar = _feed(client, token)

    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime.combine(day, dt.time(utc_hour), tzinfo=dt.UTC)
    # Written in UTC, so no calendar needs the clinic's time zone rules.
    assert f"DTSTART:{day:%Y%m%d}T{utc_hour:02d}0000Z" in response.content.decode()


@pytest.mark.parametrize("visits", [1, 24])
def test_the_feed_takes_the_same_number_of_queries_for_any_number_of_visits(
    clinic, client, therapist, django_assert_num_queries, visits
):
    for n in range(visits):
        course = _course(therapist, first_name=f"Patient{n}")
        _visit(course, 1, _at(dt.date(2026, 6, 11) + dt.timedelta(days=n // 8), 9 + n % 8))
    token = calendar_feed_renew(user=therapist)

    # The address's owner, then their visits with the patients and when each changed.
    with django_assert_num_queries(2):
        calendar = _feed(client, token)[1]

    assert len(calendar.walk("VEVENT")) == visits


def test_an_unknown_replaced_or_revoked_address_is_not_found(clinic, client, therapist):
    _visit(_course(therapist), 1, _at(dt.date(2026, 6, 11), 17))
    old = calendar_feed_renew(user=therapist)
    new = calendar_feed_renew(user=therapist)

    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    _feed(client, new)
    calendar_feed_revoke(user=therapist)
    assert client.get(f"/calendar/{new}.ics").status_code == 404


def test_the_address_of_a_member_of_staff_who_left_is_not_found(clinic, client, therapist):
    token = calendar_feed_renew(user=therapist)
    therapist.is_active = False
    therapist.save()

    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_refused_address_is_logged_without_its_token(clinic, client, therapist, caplog):
    token = calendar_feed_renew(user=therapist)
    calendar_feed_revoke(user=therapist)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/calendar/{token}.ics")

    assert f"Not Found: /calendar/{token[:4]}….ics" in caplog.messages
    assert token[4:] not in caplog.text


def test_only_a_hash_of_the_token_is_stored(clinic, therapist):
    from hours.models import CalendarFeed

    token = calendar_feed_renew(user=therapist)

    stored = CalendarFeed.objects.get(user=therapist)
    assert token not in stored.token_hash
    assert stored.token_hash == CalendarFeed.hash_token(token)
