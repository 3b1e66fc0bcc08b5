"""The patient pages: answering is rate-limited per link, a second answer is not stored,
no page needs anything inline, and no error page shows whose link it was."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from messaging import tokens
from messaging.models import AnswerAttempts, Feedback, Message
from tests.factories import MessageFactory, ids_token
from tests.security.test_hardening import EVENT_HANDLER, INLINE_SCRIPT, INLINE_STYLE

pytestmark = pytest.mark.django_db


def feedback_url(message) -> str:
    return reverse("messaging:feedback", args=[tokens.feedback_token(message=message)])


@pytest.fixture
def attempts(settings):
    settings.CLINIC_ANSWER_ATTEMPTS = 3
    settings.CLINIC_ANSWER_WINDOW_MINUTES = 60
    return settings


def test_a_link_takes_only_so_many_answers_an_hour_then_a_friendly_429(
    client, check_in, attempts, time_machine
):
    time_machine.move_to(dt.datetime(2026, 6, 10, 14, tzinfo=dt.UTC), tick=False)
    url = feedback_url(check_in)
    for _ in range(3):
        assert client.post(url, {"pain": "eleven"}).status_code == 200

    refused = client.post(url, {"pain": "4"})

    body = refused.content.decode()
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "Please try again in 60 minutes" in body
    assert check_in.patient.first_name not in body
    assert not Feedback.objects.exists()

    time_machine.move_to(dt.datetime(2026, 6, 10, 15, tzinfo=dt.UTC), tick=False)
    assert client.post(url, {"pain": "4"}).status_code == 200
    assert Feedback.objects.get().pain == 4


def test_every_link_to_the_same_question_shares_one_count(client, check_in, attempts):
    # Each e-mail (a resend, say) carries a fresh token for the same message.
    for _ in range(3):
        client.post(feedback_url(check_in), {"pain": "x"})

    assert client.post(feedback_url(check_in), {"pain": "4"}).status_code == 429
    assert AnswerAttempts.objects.get(message=check_in).count == 3


def test_the_count_of_one_link_leaves_other_links_alone(client, check_in, attempts):
    other = MessageFactory(status=Message.Status.SENT)
    for _ in range(4):
        client.post(feedback_url(check_in), {"pain": "x"})

    assert client.post(feedback_url(other), {"pain": "2"}).status_code == 200
    assert Feedback.objects.get().message == other


def test_counting_an_attempt_takes_the_same_few_queries_however_many_came_before(
    client, check_in, attempts, django_assert_num_queries
):
    url = feedback_url(check_in)
    client.post(url, {"pain": "x"})

    # The message, then in a savepoint: its row lock, the count, its update; then
    # whether it was answered.
    for _ in range(2):
        with django_assert_num_queries(7):
            client.post(url, {"pain": "x"})
    # Past the limit: the message, the lock and the count, no update and no form.
    with django_assert_num_queries(5):
        assert client.post(url, {"pain": "x"}).status_code == 429


def test_opening_the_page_does_not_count_as_an_attempt(client, check_in, attempts):
    url = feedback_url(check_in)
    for _ in range(5):
        client.get(url)

    assert client.post(url, {"pain": "4"}).status_code == 200
    assert AnswerAttempts.objects.get().count == 1


def test_a_tampered_link_is_refused_before_anything_is_counted(client, check_in, attempts):
    token = tokens.feedback_token(message=check_in)
    for n in range(10):
        client.post(reverse("messaging:feedback", args=[token + str(n)]), {"pain": "4"})

    assert not AnswerAttempts.objects.exists()


def test_a_double_click_stores_one_answer_and_shows_a_friendly_page(client, check_in):
    url = feedback_url(check_in)

    first = client.post(url, {"pain": "3", "comment": "Fine"})
    replay = client.post(url, {"pain": "3", "comment": "Fine"})

    assert first.status_code == replay.status_code == 200
    assert "Thank you, your answer has reached your therapist" in first.content.decode()
    assert "already answered" in replay.content.decode()
    assert Feedback.objects.count() == 1


def test_an_answer_that_raced_another_gets_the_friendly_page_not_an_error(
    client, check_in, monkeypatch
):
    # The second request checked for an answer before the first one stored it.
    from messaging import services

    url = feedback_url(check_in)
    services.feedback_submit(message=check_in, pain=3)
    monkeypatch.setattr("messaging.views.hasattr", lambda obj, name: False, raising=False)

    response = client.post(url, {"pain": "8"})

    assert response.status_code == 200
    assert "already answered" in response.content.decode()
    assert list(Feedback.objects.values_list("pain", flat=True)) == [3]


def test_ids_in_a_link_of_the_older_form_cannot_be_swapped_without_breaking_the_signature(
    client, check_in
):
    other = MessageFactory(status=Message.Status.SENT)
    token = ids_token(check_in, salt=tokens.FEEDBACK)
    payload, rest = token.split(":", 1)
    swapped = signing.dumps({"m": other.pk, "p": other.patient_id}, compress=True).split(":")[0]

    response = client.post(
        reverse("messaging:feedback", args=[f"{swapped}:{rest}"]), {"pain": "9"}
    )

    assert response.status_code == 400
    assert other.patient.first_name not in response.content.decode()
    assert not Feedback.objects.exists()


def test_the_key_in_a_link_cannot_be_swapped_for_another_messages_without_breaking_it(
    client, check_in
):
    other = MessageFactory(status=Message.Status.SENT)
    key, rest = tokens.feedback_token(message=check_in).split(":", 1)

    response = client.post(
        reverse("messaging:feedback", args=[f"{other.link_key}:{rest}"]), {"pain": "9"}
    )

    assert response.status_code == 400
    assert not Feedback.objects.exists()


def _patient_pages(client, check_in, settings) -> dict[str, object]:
    settings.CLINIC_ANSWER_ATTEMPTS = 2
    # Names that no page text could contain by chance.
    check_in.patient.first_name, check_in.patient.last_name = "Philippa", "Quennell-Zorn"
    check_in.patient.save()
    unsubscribe = reverse(
        "messaging:unsubscribe",
        args=[ids_token(check_in, salt=tokens.UNSUBSCRIBE)],
    )
    url = feedback_url(check_in)
    return {
        "feedback form": client.get(url),
        "feedback form with an error": client.post(url, {"pain": "11"}),
        "thanks": client.post(url, {"pain": "4"}),
        "too many attempts": client.post(url, {"pain": "4"}),
        "already answered": client.get(url),
        "bad link": client.get(reverse("messaging:feedback", args=["nonsense"])),
        "unsubscribe": client.get(unsubscribe),
        "unsubscribed": client.post(unsubscribe),
    }


def test_every_patient_page_works_under_the_content_security_policy(client, check_in, settings):
    pages = _patient_pages(client, check_in, settings)

    assert [r.status_code for r in pages.values()] == [200, 200, 200, 429, 200, 400, 200, 200]
    for name, response in pages.items():
        html = response.content.decode()
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "unsafe-inline" not in policy, name
        assert 'href="/static/bootstrap/css/bootstrap.min.css"' in html, name
        assert not INLINE_SCRIPT.findall(html), name
        assert not INLINE_STYLE.findall(html), name
        assert not EVENT_HANDLER.findall(html), name
        assert "<style" not in html, name


def test_only_the_feedback_form_names_the_patient_and_only_by_first_name(
    client, check_in, settings
):
    patient = check_in.patient
    pages = _patient_pages(client, check_in, settings)

    for name, response in pages.items():
        html = response.content.decode()
        assert patient.last_name not in html, name
        assert patient.email not in html, name
        if name not in {"feedback form", "feedback form with an error"}:
            assert patient.first_name not in html, name


def test_no_patient_page_is_kept_by_a_browser_or_a_proxy(client, check_in, settings):
    pages = _patient_pages(client, check_in, settings)
    unsubscribe = reverse(
        "messaging:unsubscribe", args=[tokens.unsubscribe_token(patient=check_in.patient)]
    )
    pages |= {
        "unsubscribed, opened again": client.get(unsubscribe),
        "bad unsubscribe link": client.post(reverse("messaging:unsubscribe", args=["x"])),
        "method not allowed": client.put(feedback_url(check_in)),
    }

    assert pages["method not allowed"].status_code == 405
    for name, response in pages.items():
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= cache_control, name
