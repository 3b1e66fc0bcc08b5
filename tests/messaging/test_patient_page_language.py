"""A patient's pages are in the patient's language, and a small form on each switches
to another language the clinic offers: the page comes back in it, and it becomes the
patient's language for their later pages and e-mails. A page that knows no patient (a
bad link) is in the clinic's language. The browser's language never chooses."""

import datetime as dt
import re

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.services import staff_language_set
from messaging import sending, tokens
from messaging.models import Message
from patients.models import Patient
from patients.services import patient_anonymise
from tests.factories import MessageFactory, PatientFactory, UserFactory, VisitFactory

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@pytest.fixture
def english_clinic(settings):
    settings.LANGUAGE_CODE = "en-gb"
    return settings


def feedback_url(check_in: Message) -> str:
    return reverse("messaging:feedback", args=[tokens.feedback_token(message=check_in)])


def switch_url(check_in: Message) -> str:
    return reverse("messaging:feedback_language", args=[tokens.feedback_token(message=check_in)])


def unsubscribe_url(patient: Patient, *, switch: bool = False) -> str:
    name = "messaging:unsubscribe_language" if switch else "messaging:unsubscribe"
    return reverse(name, args=[tokens.unsubscribe_token(patient=patient)])


def html_language(response) -> str:
    return lxml.html.fromstring(response.content).get("lang")


def test_the_feedback_page_is_in_the_patients_language(english_clinic, client, check_in):
    check_in.patient.language = "ru"
    check_in.patient.save()

    page = client.get(feedback_url(check_in))

    assert page.status_code == 200
    assert html_language(page) == "ru"


def test_the_feedback_page_reads_russian_to_a_russian_speaking_patient(
    english_clinic, client, check_in
):
    """Needs the clinic's Russian catalogue."""
    check_in.patient.language = "ru"
    check_in.patient.save()

    page = lxml.html.fromstring(client.get(feedback_url(check_in)).content)
    # The page itself, not the language switch, which names "Русский" on every page.
    [main] = page.xpath("//main")
    text = main.text_content()

    assert CYRILLIC.search(text)
    assert "how are you feeling today" not in text
    assert "Send my answer" not in text


def test_a_patient_who_chose_no_language_reads_the_clinics(settings, client, check_in):
    settings.LANGUAGE_CODE = "ru"

    assert html_language(client.get(feedback_url(check_in))) == "ru"


def test_the_switch_offers_every_language_named_in_itself(english_clinic, client, check_in):
    check_in.patient.language = "ru"
    check_in.patient.save()

    page = lxml.html.fromstring(client.get(feedback_url(check_in)).content)

    [switch] = page.xpath('//form[@id="language-switch"]')
    assert switch.get("action") == switch_url(check_in)
    assert switch.get("method") == "post"
    options = switch.xpath(".//select[@name='language']/option")
    assert [(o.get("value"), o.text) for o in options] == [
        ("en-gb", "English"),
        ("ru", "Русский"),
    ]
    assert [o.get("value") for o in options if o.get("selected") is not None] == ["ru"]
    # A Content-Security-Policy of 'self': nothing inline.
    assert not page.xpath("//script") and not page.xpath("//*[@style]")


def test_switching_the_language_changes_the_page_and_sticks_for_later_pages_and_e_mails(
    english_clinic, check_in
):
    client = Client(enforce_csrf_checks=True)
    client.get(feedback_url(check_in))

    switched = client.post(
        switch_url(check_in),
        {"language": "ru", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        follow=True,
    )

    assert switched.redirect_chain == [(feedback_url(check_in), 302)]
    assert html_language(switched) == "ru"
    check_in.patient.refresh_from_db()
    assert check_in.patient.language == "ru"
    # Later: another page of the patient's, from another device.
    assert html_language(Client().get(unsubscribe_url(check_in.patient))) == "ru"
    later_visit = VisitFactory(
        course=check_in.course,
        scheduled_at=timezone.make_aware(dt.datetime(2026, 11, 24, 10, 30)),
    )
    reminder = sending.email_for(
        MessageFactory(
            kind=Message.Kind.VISIT_REMINDER, visit=later_visit, course=later_visit.course
        )
    )
    assert "24 ноября" in reminder.body


def test_the_switch_is_recorded_in_the_patients_history_in_the_clinics_language(
    english_clinic, client, check_in
):
    client.post(switch_url(check_in), {"language": "ru"})

    latest = Patient.history.filter(id=check_in.patient_id).latest("history_date")
    assert latest.language == "ru"
    assert latest.history_change_reason == "Language chosen by the patient on their page"
    assert latest.history_user is None


def test_the_unsubscribe_page_switches_too_and_the_patient_switches_back(
    english_clinic, client, check_in
):
    patient = check_in.patient

    client.post(unsubscribe_url(patient, switch=True), {"language": "ru"})
    assert html_language(client.get(unsubscribe_url(patient))) == "ru"
    back = client.post(unsubscribe_url(patient, switch=True), {"language": "en-gb"}, follow=True)

    assert back.redirect_chain == [(unsubscribe_url(patient), 302)]
    assert html_language(back) == "en-gb"
    patient.refresh_from_db()
    # Nothing else changed: the patient only chose a language.
    assert (patient.language, patient.reminders_consent) == ("en-gb", True)


def test_the_page_after_an_answer_offers_the_switch_too(english_clinic, client, check_in):
    client.post(feedback_url(check_in), {"pain": "3", "comment": ""})

    switched = client.post(switch_url(check_in), {"language": "ru"}, follow=True)

    assert html_language(switched) == "ru"
    assert 'id="language-switch"' in switched.content.decode()


@pytest.mark.parametrize("value", ["", "de", "en", "RU", "ru\x00", "x" * 5000])
def test_a_language_the_clinic_does_not_offer_is_refused_and_nothing_changes(
    english_clinic, client, check_in, value
):
    before = Patient.history.filter(id=check_in.patient_id).count()

    refused = client.post(switch_url(check_in), {"language": value})

    assert refused.status_code == 400
    assert "Please choose one of the languages offered" in refused.content.decode()
    check_in.patient.refresh_from_db()
    assert check_in.patient.language == ""
    assert Patient.history.filter(id=check_in.patient_id).count() == before


def test_a_switch_without_a_language_is_refused(english_clinic, client, check_in):
    assert client.post(switch_url(check_in), {}).status_code == 400


def test_the_switch_takes_no_get(english_clinic, client, check_in):
    assert client.get(switch_url(check_in)).status_code == 405


def test_the_switch_without_the_pages_csrf_token_is_refused(english_clinic, check_in):
    refused = Client(enforce_csrf_checks=True).post(switch_url(check_in), {"language": "ru"})

    assert refused.status_code == 403
    check_in.patient.refresh_from_db()
    assert check_in.patient.language == ""


def test_a_bad_switch_link_changes_nothing_and_is_in_the_clinics_language(
    english_clinic, client, check_in
):
    check_in.patient.language = "ru"
    check_in.patient.save()
    bad = reverse(
        "messaging:feedback_language", args=[tokens.feedback_token(message=check_in) + "x"]
    )

    refused = client.post(bad, {"language": "en-gb"})

    assert refused.status_code == 400
    assert "This link does not work" in refused.content.decode()
    check_in.patient.refresh_from_db()
    assert check_in.patient.language == "ru"


def test_an_anonymised_patients_old_link_switches_nothing(english_clinic, client):
    patient = PatientFactory()
    link = unsubscribe_url(patient, switch=True)
    patient_anonymise(patient=patient)

    refused = client.post(link, {"language": "ru"})

    assert refused.status_code == 400
    assert "This link does not work" in refused.content.decode()
    patient.refresh_from_db()
    assert patient.language == ""


def test_a_bad_link_is_in_the_clinics_language_whatever_the_browser_or_a_staff_session(
    english_clinic, check_in
):
    member = UserFactory(username="olga")
    staff_language_set(user=member, language="ru")
    client = Client(headers={"accept-language": "ru-RU,ru;q=0.9"})
    client.force_login(member)

    page = client.get(reverse("messaging:feedback", args=["not-a-token"]))

    assert page.status_code == 400
    assert html_language(page) == "en-gb"
    assert "This link does not work" in page.content.decode()


def test_too_many_attempts_is_in_the_clinics_language(english_clinic, client, check_in, settings):
    check_in.patient.language = "ru"
    check_in.patient.save()
    url = feedback_url(check_in)

    responses = [client.post(url, {"pain": "x"}) for _ in range(30)]

    [limited, *_] = [r for r in responses if r.status_code == 429]
    assert html_language(limited) == "en-gb"


def test_the_browsers_language_does_not_choose_a_patients_page(english_clinic, check_in):
    page = Client(headers={"accept-language": "ru"}).get(feedback_url(check_in))

    assert html_language(page) == "en-gb"
    assert "how are you feeling today" in page.content.decode()
