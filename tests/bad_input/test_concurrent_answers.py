"""A double click on the patient's answer page: two posts of one link at the same moment
store one answer, show both a friendly page, and take one attempt each."""

from functools import partial

import pytest
from django.test import Client
from django.urls import reverse

from messaging import tokens
from messaging.models import AnswerAttempts, Feedback, Message
from tests.bad_input.conftest import at_once, postgresql_only, tried
from tests.factories import MessageFactory, VisitFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only("posts"),
]


def _post_at_once(url: str, answers: list[dict]) -> list:
    """Post each answer from its own thread, connection and browser, released together."""
    return at_once([partial(Client().post, url, answer) for answer in answers])


def _check_in() -> Message:
    visit = VisitFactory(done=True, pain_before=2)
    return MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=visit.course,
        visit=visit,
        status=Message.Status.SENT,
    )


def _url(message: Message) -> str:
    token = tokens.feedback_token(message=message)
    return reverse("messaging:feedback", args=[token])


@pytest.mark.parametrize("round_", range(5))
def test_a_double_click_stores_one_answer_and_one_alert(round_):
    tried("patient page, concurrent duplicate submissions")
    check_in = _check_in()

    responses = _post_at_once(_url(check_in), [{"pain": "7", "comment": "Worse"}] * 3)

    assert [getattr(r, "status_code", r) for r in responses] == [200, 200, 200]
    pages = sorted(r.content.decode() for r in responses)
    assert sum("already answered" in page for page in pages) == 2
    assert Feedback.objects.get(message=check_in).pain == 7
    assert Message.objects.filter(kind=Message.Kind.STAFF_ALERT).count() == 1
    assert AnswerAttempts.objects.get(message=check_in).count == 3


@pytest.mark.parametrize("round_", range(3))
def test_two_posts_racing_for_the_last_attempt_get_one_answer_and_one_429(round_, settings):
    tried("patient page, concurrent posts at the attempt limit")
    settings.CLINIC_ANSWER_ATTEMPTS = 1
    check_in = _check_in()

    responses = _post_at_once(_url(check_in), [{"pain": "3"}, {"pain": "3"}])

    assert sorted(getattr(r, "status_code", r) for r in responses) == [200, 429]
    assert Feedback.objects.filter(message=check_in).count() == 1
    assert AnswerAttempts.objects.get(message=check_in).count == 1
