"""Every e-mail is in its reader's language: a patient's in the patient's (or the
clinic's, when they chose none), a staff alert in its therapist's. Subject, text, HTML,
the visit's date and the calendar file follow it.

Dates come from Django's own Russian catalogue, which has the genitive month ("24
ноября"); the clinic's sentences need the clinic's Russian catalogue."""

import datetime as dt
import re

import icalendar
import pytest
from django.utils import timezone

from clinic.services import staff_language_set
from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory, VisitFactory, staff_alert_for

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# Sentences of the English templates and subjects that a Russian e-mail must not hold.
ENGLISH = [
    "Reminder of your visit",
    "This is a reminder of your visit",
    "Stop receiving these messages",
    "To stop receiving these messages",
    "Massage session at",
    "A patient's answer needs your attention",
]


@pytest.fixture
def visit(clinic_settings):
    clinic_settings.CLINIC_NAME = "Harbour Massage"
    # A Tuesday: 10:30 in London in November is 10:30 UTC.
    at = timezone.make_aware(dt.datetime(2026, 11, 24, 10, 30))
    return VisitFactory(scheduled_at=at, course__start_date=dt.date(2026, 11, 1))


def reminder_of(visit, *, language: str):
    patient = visit.course.patient
    patient.language = language
    patient.save()
    return sending.email_for(
        MessageFactory(kind=Message.Kind.VISIT_REMINDER, visit=visit, course=visit.course)
    )


def parts(email) -> tuple[str, str, str, str]:
    """The subject, the text, the HTML and the calendar event's summary."""
    html = next(body for body, kind in email.alternatives if kind == "text/html")
    [(_name, ics, _kind)] = email.attachments
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    return email.subject, email.body, html, str(event["SUMMARY"])


def test_a_russian_speaking_patient_of_an_english_clinic_reads_the_date_in_russian(
    visit, settings
):
    settings.LANGUAGE_CODE = "en-gb"

    _subject, text, html, _summary = parts(reminder_of(visit, language="ru"))

    # The genitive month, as Russian writes a date; never "24 ноябрь" or "24 November".
    assert "24 ноября" in text and "24 ноября" in html
    assert "November" not in text and "November" not in html
    assert '<html lang="ru">' in html


def test_a_russian_speaking_patient_of_an_english_clinic_gets_the_whole_e_mail_in_russian(
    visit, settings
):
    """Needs the clinic's Russian catalogue."""
    settings.LANGUAGE_CODE = "en-gb"

    for part in parts(reminder_of(visit, language="ru")):
        assert CYRILLIC.search(part.replace("Harbour Massage", "")), part
        assert not [sentence for sentence in ENGLISH if sentence in part], part


def test_an_english_speaking_patient_of_a_russian_clinic_gets_the_e_mail_in_english(
    visit, settings
):
    settings.LANGUAGE_CODE = "ru"

    subject, text, html, summary = parts(reminder_of(visit, language="en-gb"))

    assert subject == "Reminder of your visit — Harbour Massage"
    assert "This is a reminder of your visit to Harbour Massage on Tuesday 24 November" in text
    assert '<html lang="en-gb">' in html
    assert summary == "Massage session at Harbour Massage"
    for part in (subject, text, html, summary):
        assert not CYRILLIC.search(part), part


def test_a_patient_who_chose_no_language_reads_the_clinics(visit, settings):
    settings.LANGUAGE_CODE = "ru"

    _subject, text, html, _summary = parts(reminder_of(visit, language=""))

    assert "24 ноября" in text
    assert '<html lang="ru">' in html


def test_a_staff_alert_is_in_its_therapists_language_not_the_patients(visit, settings):
    settings.LANGUAGE_CODE = "en-gb"
    visit.course.patient.language = "en-gb"
    visit.course.patient.save()
    staff_language_set(user=visit.course.therapist, language="ru")

    email = sending.email_for(staff_alert_for(visit))

    html = next(body for body, kind in email.alternatives if kind == "text/html")
    assert '<html lang="ru">' in html


def test_a_staff_alert_to_a_therapist_who_chose_russian_has_a_russian_subject(visit, settings):
    """Needs the clinic's Russian catalogue."""
    settings.LANGUAGE_CODE = "en-gb"
    staff_language_set(user=visit.course.therapist, language="ru")

    email = sending.email_for(staff_alert_for(visit))

    assert CYRILLIC.search(email.subject)
    assert not [sentence for sentence in ENGLISH if sentence in email.subject + email.body]


def test_a_staff_alert_to_a_therapist_who_chose_nothing_is_in_the_clinics_language(
    visit, settings
):
    settings.LANGUAGE_CODE = "en-gb"
    visit.course.patient.language = "ru"
    visit.course.patient.save()

    email = sending.email_for(staff_alert_for(visit))

    assert email.subject == "A patient's answer needs your attention — Harbour Massage"
