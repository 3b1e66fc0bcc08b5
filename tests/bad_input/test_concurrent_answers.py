"""A double click on the patient's answer page: two posts of one link at the same moment
store one answer, show both a friendly page, and take one attempt each."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from messaging import tokens
from messaging.models import AnswerAttempts, Feedback, Message
from tests.bad_input.conftest import tried
from tests.factories import MessageFactory, VisitFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite allows one writer at a time, so posts never overlap; "
        "the row lock is exercised on PostgreSQL only",
    ),
]


def _post_at_once(url: str, answers: list[dict]) -> list:
    """Post each answer from its own thread and connection, released together."""
    start = threading.Barrier(len(answers))
    outcomes: list = [None] * len(answers)

    def post(index: int) -> None:
        try:
            client = Client()
            start.wait()
            outcomes[index] = client.post(url, answers[index])
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(answers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _check_in() -> Message:
    visit = VisitFactory(done=True, pain_before=2)
    return MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=visit.course,
        visit=visit,
        status=Message.Status.SENT,
    )


def _url(message: Message) -> str:
    token = tokens.token_for(message=message, purpose=tokens.FEEDBACK)
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
