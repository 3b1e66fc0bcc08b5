"""Signed links: the feedback page and one-click unsubscribe."""

import base64
import contextlib
import datetime as dt
import zlib

import pytest
from django.core import signing
from django.urls import reverse

from messaging import tokens
from messaging.models import Feedback, Message
from patients.models import ConsentChange
from tests.factories import MessageFactory, ids_token

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
    url = feedback_url(tokens.feedback_token(message=check_in))

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


def _readable_parts(token: str) -> list[str]:
    """The token as it is, and every part of it base64-decoded, as a log reader could."""
    parts = [token]
    for part in token.replace(".", ":").split(":"):
        padded = part + "=" * (-len(part) % 4)
        try:
            raw = base64.urlsafe_b64decode(padded)
        except ValueError:
            continue
        with contextlib.suppress(zlib.error):
            raw = zlib.decompress(raw)
        parts.append(raw.decode("latin-1"))
    return parts


def test_the_link_carries_no_id_readable_or_encoded_and_no_patient_data():
    # Ids long enough that a random key or signature cannot spell them by chance.
    message = MessageFactory(id=987654321, course__patient__id=876543219)

    token = tokens.feedback_token(message=message)

    assert feedback_url(token) == f"/p/feedback/{token}/"
    assert token.split(":")[0] == message.link_key
    for part in _readable_parts(token):
        assert "987654321" not in part and "876543219" not in part
        assert message.patient.first_name not in part and message.patient.email not in part
    # The same check finds the ids in a link of the older form.
    assert any("987654321" in part for part in _readable_parts(ids_token(message, salt="x")))


def test_every_message_has_a_key_of_its_own(check_in):
    other = MessageFactory()

    assert len(check_in.link_key) >= 22
    assert check_in.link_key != other.link_key
    assert tokens.feedback_token(message=check_in) != tokens.feedback_token(message=other)


def test_a_link_of_the_older_form_with_ids_keeps_working_while_its_message_exists(
    client, check_in
):
    url = feedback_url(ids_token(check_in, salt=tokens.FEEDBACK))

    assert client.get(url).status_code == 200
    assert client.post(url, {"pain": "4"}).status_code == 200
    assert Feedback.objects.get().message == check_in

    Message.objects.filter(pk=check_in.pk).delete()
    assert_rejected(client.get(url), check_in)


def test_a_link_of_the_older_form_expires_as_before(client, check_in, settings, time_machine):
    settings.CLINIC_LINK_MAX_AGE_DAYS = 14
    time_machine.move_to(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False)
    token = ids_token(check_in, salt=tokens.FEEDBACK)
    time_machine.move_to(dt.datetime(2026, 6, 15, 12, 1, tzinfo=dt.UTC), tick=False)

    assert_rejected(client.post(feedback_url(token), {"pain": "9"}), check_in)
    assert not Feedback.objects.exists()


def test_a_feedback_link_does_not_unsubscribe_and_an_unsubscribe_link_gives_no_feedback(
    client, check_in
):
    feedback = tokens.feedback_token(message=check_in)
    unsubscribe = tokens.unsubscribe_token(patient=check_in.patient)

    assert_rejected(client.post(reverse("messaging:unsubscribe", args=[feedback])), check_in)
    assert_rejected(client.post(feedback_url(unsubscribe), {"pain": "9"}), check_in)
    check_in.patient.refresh_from_db()
    assert check_in.patient.reminders_consent is True
    assert not Feedback.objects.exists()


def test_an_altered_link_is_rejected_and_saves_nothing(client, check_in):
    token = tokens.feedback_token(message=check_in)
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    response = client.post(feedback_url(altered), {"pain": "9"})

    assert_rejected(response, check_in)
    assert not Feedback.objects.exists()


def test_an_expired_link_is_rejected_and_saves_nothing(client, check_in, settings, time_machine):
    settings.CLINIC_LINK_MAX_AGE_DAYS = 14
    time_machine.move_to(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False)
    token = tokens.feedback_token(message=check_in)
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
    unsubscribe_token = ids_token(check_in, salt=tokens.UNSUBSCRIBE)

    response = client.post(feedback_url(unsubscribe_token), {"pain": "9"})

    assert_rejected(response, check_in)


def test_a_pain_score_outside_0_to_10_is_refused_with_a_clear_error(client, check_in):
    url = feedback_url(tokens.feedback_token(message=check_in))

    response = client.post(url, {"pain": "11"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_second_answer_through_the_same_link_is_not_stored(client, check_in):
    url = feedback_url(tokens.feedback_token(message=check_in))
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
        args=[ids_token(check_in, salt=tokens.UNSUBSCRIBE)],
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
    token = ids_token(check_in, salt=tokens.UNSUBSCRIBE)

    response = client.post(reverse("messaging:unsubscribe", args=[token + "x"]))

    check_in.patient.refresh_from_db()
    assert_rejected(response, check_in)
    assert check_in.patient.reminders_consent is True
