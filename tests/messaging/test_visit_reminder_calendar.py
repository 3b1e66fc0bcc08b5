"""The visit reminder carries the visit as an .ics file for the patient's calendar: the
clinic, its address and the visit's times, no health details; the same UID each time,
so the reminder of a visit that moved updates the event the patient added."""

import datetime as dt

import icalendar
import pytest
from django.utils import timezone

from courses import services as courses
from courses.models import SpineRegion, Visit
from messaging import sending
from messaging.models import Message
from tests.factories import CourseFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(daytime, clinic_settings):
    clinic_settings.CLINIC_NAME = "Harbour Massage"
    clinic_settings.CLINIC_ADDRESS = "12 Harbour Street, Anytown"
    course = CourseFactory(
        patient=PatientFactory(first_name="Mia", last_name="Novak"),
        region=SpineRegion.LUMBAR,
        start_date=dt.date(2026, 6, 1),
    )
    # 10:30 in London in June is 09:30 UTC; the session is booked for the default hour.
    at = timezone.make_aware(dt.datetime(2026, 6, 11, 10, 30))
    return courses.visit_save(visit=Visit(course=course, sequence=1, scheduled_at=at))


def _send_reminder(visit: Visit, now: dt.datetime) -> None:
    Message.objects.filter(kind=Message.Kind.VISIT_REMINDER, visit=visit).update(due_at=now)
    [(pk, claim)] = sending.messages_claim_due(now=now, limit=10)
    assert sending.message_send(message_id=pk, claim=claim, now=now) == "sent"


def _calendar_part(mail):
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    return part


def test_the_visit_reminder_carries_the_visit_as_an_ics_file_without_health_details(
    visit, daytime, smtp
):
    _send_reminder(visit, daytime)

    [mail] = smtp.inbox.received
    part = _calendar_part(mail)
    assert part.get_filename() == "visit.ics"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "PUBLISH"
    assert event["UID"] == f"visit-{visit.pk}@clinic.example"
    assert event.decoded("DTSTART") == dt.datetime(2026, 6, 11, 9, 30, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 6, 11, 10, 30, tzinfo=dt.UTC)
    assert str(event["SUMMARY"]) == "Massage session at Harbour Massage"
    assert str(event["LOCATION"]) == "12 Harbour Street, Anytown"
    whole = mail.as_string().lower()
    for private in ("novak", "lumbar", "spine", "back", "pain"):
        assert private not in whole
    # The reminder is the same e-mail as before the attachment.
    assert mail["Message-ID"] == Message.objects.get().mail_id
    assert mail["List-Unsubscribe"].strip().startswith("<https://clinic.example/p/unsub")
    assert "Hello Mia" in mail.as_string()


def test_the_reminder_of_a_moved_visit_carries_the_same_uid_at_the_new_time(
    visit, daytime, mailoutbox
):
    first = sending.email_for(Message.objects.get())
    visit.scheduled_at = timezone.make_aware(dt.datetime(2026, 6, 12, 15, 0))
    courses.visit_save(visit=visit)

    second = sending.email_for(Message.objects.get())

    [before, after] = [
        icalendar.Calendar.from_ical(email.attachments[0].content).walk("VEVENT")[0]
        for email in (first, second)
    ]
    assert before["UID"] == after["UID"]
    assert after.decoded("DTSTART") == dt.datetime(2026, 6, 12, 14, 0, tzinfo=dt.UTC)


def test_only_the_visit_reminder_carries_a_calendar_file(visit, daytime, check_in):
    assert sending.email_for(check_in).attachments == []
