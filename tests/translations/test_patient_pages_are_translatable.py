"""The pages a patient opens from an e-mail, and the error pages, show no English of the
project's own outside gettext, in the pseudo-translation of tests/translations/pseudo.py."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views import defaults

from messaging import tokens
from messaging.models import Message
from tests.translations.pseudo import assert_only_translated, unmarked_in_html


def _check_in() -> Message:
    asking = Message.objects.filter(
        kind=Message.Kind.POST_VISIT_CHECK_IN, answer__isnull=True, patient__anonymised_at=None
    )
    return asking.order_by("pk").first()


def _assert_translated(html: str, allowed: set[str], page: str) -> None:
    found = unmarked_in_html(html, allowed)
    assert_only_translated(found, page)


def test_check_in_and_its_thanks_show_only_translated_words_and_data(
    demo_clinic, db, pseudo_russian
):
    url = reverse("messaging:feedback", args=[tokens.feedback_token(message=_check_in())])
    client = Client()
    _assert_translated(client.get(url).content.decode(), demo_clinic, "the check-in")
    invalid = client.post(url, {"pain": "11"})
    _assert_translated(invalid.content.decode(), demo_clinic, "the check-in refused")
    thanks = client.post(url, {"pain": "3", "comment": ""}, follow=True)
    _assert_translated(thanks.content.decode(), demo_clinic, "the thank-you page")
    again = client.get(url)
    _assert_translated(again.content.decode(), demo_clinic, "the check-in answered")


def test_unsubscribing_shows_only_translated_words_and_data(demo_clinic, db, pseudo_russian):
    patient = _check_in().patient
    url = reverse("messaging:unsubscribe", args=[tokens.unsubscribe_token(patient=patient)])
    client = Client()
    _assert_translated(client.get(url).content.decode(), demo_clinic, "unsubscribing")
    done = client.post(url, {"scope": "all"}, follow=True)
    _assert_translated(done.content.decode(), demo_clinic, "unsubscribed")


def test_a_bad_link_shows_only_translated_words(demo_clinic, db, pseudo_russian):
    response = Client().get(reverse("messaging:feedback", args=["not-a-token"]))
    _assert_translated(response.content.decode(), demo_clinic, "a bad link")


@pytest.mark.parametrize(
    "view",
    [
        defaults.bad_request,
        defaults.permission_denied,
        defaults.page_not_found,
        defaults.server_error,
    ],
)
def test_error_pages_show_only_translated_words(demo_clinic, db, pseudo_russian, view):
    request = RequestFactory().get("/anywhere/")
    args = [] if view is defaults.server_error else [Exception("shown to no one")]
    response = view(request, *args)
    _assert_translated(response.content.decode(), demo_clinic, view.__name__)


def test_the_csrf_failure_page_shows_only_translated_words(
    demo_clinic, db, pseudo_russian, settings
):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    _assert_translated(response.content.decode(), demo_clinic, "the CSRF failure page")
