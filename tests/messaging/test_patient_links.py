"""Signed links: the feedback page and one-click unsubscribe."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from messaging import tokens
from messaging.models import Feedback, Message
from patients.models import ConsentChange
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def feedback_url(token: str) -> str:
    return reverse("messaging:feedback", args=[token])


def assert_rejected(response, message: Message) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert "This link does not work" in body
    assert message.patient.first_name not in body
    assert message.patient.last_name not in body


def test_a_patient_answers_a_check_in_and_the_answer_is_stored_against_the_visit(client, check_in):
    url = feedback_url(tokens.token_for(message=check_in, purpose=tokens.FEEDBACK))

    page = client.get(url)
    answer = client.post(url, {"pain": "4", "comment": "Better, a little stiff."})

    assert check_in.patient.first_name in page.content.decode()
    html = page.content.decode()
    # Bootstrap from our own static files, nothing inline: ready for a CSP of 'self'.
    assert 'href="/static/bootstrap/css/bootstrap.min.css"' in html
    assert "style=" not in html and "<script" not in html
    assert answer.status_code == 200
    feedback = Feedback.objects.get()
    assert (feedback.visit, feedback.course, feedback.pain, feedback.raises_alert) == (
        check_in.visit,
        check_in.course,
        4,
        False,
    )


def test_the_link_carries_no_health_data(check_in):
    token = tokens.token_for(message=check_in, purpose=tokens.FEEDBACK)
    url = feedback_url(token)

    assert url == f"/p/feedback/{token}/"
    assert signing.loads(token, salt=tokens.FEEDBACK) == {
        "m": check_in.pk,
        "p": check_in.patient_id,
    }


def test_an_altered_link_is_rejected_and_saves_nothing(client, check_in):
    token = tokens.token_for(message=check_in, purpose=tokens.FEEDBACK)
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    response = client.post(feedback_url(altered), {"pain": "9"})

    assert_rejected(response, check_in)
    assert not Feedback.objects.exists()


def test_an_expired_link_is_rejected_and_saves_nothing(client, check_in, settings, time_machine):
    settings.CLINIC_LINK_MAX_AGE_DAYS = 14
    time_machine.move_to(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False)
    token = tokens.token_for(message=check_in, purpose=tokens.FEEDBACK)
    time_machine.move_to(dt.datetime(2026, 6, 15, 12, 1, tzinfo=dt.UTC), tick=False)

    response = client.post(feedback_url(token), {"pain": "9"})

    assert_rejected(response, check_in)
    assert not Feedback.objects.exists()


def test_a_link_naming_another_patient_is_rejected(client, check_in):
    other = MessageFactory()
    # Correctly signed, but the message is not this patient's.
    token = signing.dumps({"m": check_in.pk, "p": other.patient_id}, salt=tokens.FEEDBACK)

    response = client.post(feedback_url(token), {"pain": "9"})

    assert_rejected(response, check_in)
    assert not Feedback.objects.exists()


def test_a_link_for_another_purpose_is_rejected(client, check_in):
    unsubscribe_token = tokens.token_for(message=check_in, purpose=tokens.UNSUBSCRIBE)

    response = client.post(feedback_url(unsubscribe_token), {"pain": "9"})

    assert_rejected(response, check_in)


def test_a_pain_score_outside_0_to_10_is_refused_with_a_clear_error(client, check_in):
    url = feedback_url(tokens.token_for(message=check_in, purpose=tokens.FEEDBACK))

    response = client.post(url, {"pain": "11"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_second_answer_through_the_same_link_is_not_stored(client, check_in):
    url = feedback_url(tokens.token_for(message=check_in, purpose=tokens.FEEDBACK))
    client.post(url, {"pain": "3"})

    response = client.post(url, {"pain": "8"})

    assert "already answered" in response.content.decode()
    assert list(Feedback.objects.values_list("pain", flat=True)) == [3]


def test_opening_the_unsubscribe_link_changes_nothing_and_the_button_withdraws_consent(
    client, check_in
):
    pending = MessageFactory(course=check_in.course)
    url = reverse(
        "messaging:unsubscribe",
        args=[tokens.token_for(message=check_in, purpose=tokens.UNSUBSCRIBE)],
    )

    client.get(url)
    check_in.patient.refresh_from_db()
    assert check_in.patient.reminders_consent is True

    response = client.post(url)

    check_in.patient.refresh_from_db()
    pending.refresh_from_db()
    assert response.status_code == 200
    assert check_in.patient.reminders_consent is False
    assert pending.status == Message.Status.CANCELLED
    change = check_in.patient.consent_changes.get()
    assert (change.given, change.source) == (False, ConsentChange.Source.PATIENT_LINK)


def test_an_altered_unsubscribe_link_withdraws_nothing(client, check_in):
    token = tokens.token_for(message=check_in, purpose=tokens.UNSUBSCRIBE)

    response = client.post(reverse("messaging:unsubscribe", args=[token + "x"]))

    check_in.patient.refresh_from_db()
    assert_rejected(response, check_in)
    assert check_in.patient.reminders_consent is True
