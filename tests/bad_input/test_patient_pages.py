"""The patient's answer page: tampered links, pain scores that are not 0-10, long and
unusual comments, and the same answer posted again. Each gets a clear page and nothing
partial is saved."""

import base64
import datetime as dt
from urllib.parse import quote

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from messaging import tokens
from messaging.models import AnswerAttempts, Feedback, Message
from tests.bad_input.conftest import rolled_back, tried
from tests.factories import MessageFactory, VisitFactory

pytestmark = pytest.mark.django_db

NAME = "Philippa"
VALID_PAIN = {str(n) for n in range(11)}


@pytest.fixture
def check_in(db, settings) -> Message:
    """A post-visit check-in sent after a visit with pain 4 before."""
    # Enough attempts that the rate limit stays out of the way of many examples.
    settings.CLINIC_ANSWER_ATTEMPTS = 1000
    visit = VisitFactory(done=True, pain_before=4, pain_after=3, course__patient__first_name=NAME)
    return MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=visit.course,
        visit=visit,
        status=Message.Status.SENT,
    )


def _url(token: str) -> str:
    return "/p/feedback/" + quote(token, safe="") + "/"


def _assert_refused_link(client, token: str) -> None:
    response = client.post(_url(token), {"pain": "3", "comment": "hello"})
    body = response.content.decode()
    # A token with a "/" in it reaches no page at all: refused just the same.
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert "This link does not work" in body
    assert NAME not in body
    assert not Feedback.objects.exists()
    assert not AnswerAttempts.objects.exists()


# --- tampered links --------------------------------------------------------------------


@given(raw=st.binary(min_size=1, max_size=300))
def test_a_link_of_random_bytes_is_refused(client, check_in, raw):
    tried("feedback link, random bytes")
    token = base64.urlsafe_b64encode(raw).decode()
    with rolled_back():
        _assert_refused_link(client, token)


@given(text=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=200))
def test_a_link_of_random_text_is_refused(client, check_in, text):
    tried("feedback link, random text")
    with rolled_back():
        _assert_refused_link(client, text)


@given(data=st.data())
def test_a_truncated_link_is_refused(client, check_in, data):
    tried("feedback link, truncated")
    token = tokens.feedback_token(message=check_in)
    cut = data.draw(st.integers(min_value=1, max_value=len(token) - 1))
    with rolled_back():
        _assert_refused_link(client, token[:cut])


@given(data=st.data())
def test_a_link_with_an_altered_character_is_refused(client, check_in, data):
    tried("feedback link, one character altered")
    token = tokens.feedback_token(message=check_in)
    at = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:."
    new = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[at]))
    altered = token[:at] + new + token[at + 1 :]
    # Base64 can spell the same bytes two ways in its last character, and a "." before
    # the payload only says it is compressed: the few changes that leave the signed
    # value the same are not tampering.
    try:
        same = signing.loads(altered, salt=tokens.FEEDBACK) == signing.loads(
            token, salt=tokens.FEEDBACK
        )
    except signing.BadSignature:
        same = False
    with rolled_back():
        if same:
            assert client.get(_url(altered)).status_code == 200
        else:
            _assert_refused_link(client, altered)


@given(
    salt=st.one_of(
        st.just(tokens.UNSUBSCRIBE),
        st.text(max_size=40).filter(lambda s: s != tokens.FEEDBACK),
    )
)
def test_a_link_signed_for_another_purpose_is_refused(client, check_in, salt):
    tried("feedback link, another purpose's salt")
    token = signing.dumps({"m": check_in.pk, "p": check_in.patient_id}, salt=salt, compress=True)
    with rolled_back():
        _assert_refused_link(client, token)


@given(late=st.integers(min_value=1, max_value=10 * 365 * 86400))
def test_a_link_past_its_age_is_refused(client, check_in, settings, late):
    tried("feedback link, expired")
    sent = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(sent, tick=False):
        token = tokens.feedback_token(message=check_in)
    opened = sent + dt.timedelta(days=settings.CLINIC_LINK_MAX_AGE_DAYS, seconds=late)
    with time_machine.travel(opened, tick=False), rolled_back():
        _assert_refused_link(client, token)


# --- what the patient types ------------------------------------------------------------


def _answer(client, message: Message, **data):
    url = reverse("messaging:feedback", args=[tokens.feedback_token(message=message)])
    return client.post(url, data)


def _assert_form_error(response) -> None:
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Feedback.objects.exists()
    assert not Message.objects.filter(kind=Message.Kind.STAFF_ALERT).exists()


@given(pain=st.integers().filter(lambda n: not 0 <= n <= 10))
def test_a_pain_score_outside_0_to_10_gets_a_clear_error(client, check_in, pain):
    tried("patient page, pain out of range")
    with rolled_back():
        response = _answer(client, check_in, pain=str(pain), comment="")
        _assert_form_error(response)
        assert "Select a valid choice" in response.content.decode()


@given(
    pain=st.one_of(st.text(max_size=20), st.floats().map(repr)).filter(
        lambda s: s not in VALID_PAIN
    )
)
def test_a_pain_score_that_is_not_a_whole_number_gets_a_clear_error(client, check_in, pain):
    tried("patient page, pain not a whole number")
    with rolled_back():
        response = _answer(client, check_in, pain=pain, comment="")
        _assert_form_error(response)


unusual_text = st.text(
    st.characters(exclude_categories=["Cs"]),  # lone surrogates cannot be posted
    max_size=2300,
)


@given(comment=st.one_of(unusual_text, st.text(min_size=1990, max_size=2100)))
def test_a_long_or_unusual_comment_is_stored_as_typed_or_refused_whole(client, check_in, comment):
    tried("patient page, long and unusual comments")
    with rolled_back():
        response = _answer(client, check_in, pain="3", comment=comment)
        kept = comment.strip()
        if "\x00" in kept or len(kept) > 2000:
            _assert_form_error(response)
        else:
            assert "Thank you" in response.content.decode()
            assert Feedback.objects.get().comment == kept


@given(
    answers=st.lists(
        st.tuples(st.sampled_from(sorted(VALID_PAIN)), st.text(max_size=30)),
        min_size=2,
        max_size=5,
    )
)
def test_the_same_link_posted_again_keeps_the_first_answer_only(client, check_in, answers):
    tried("patient page, duplicate submissions")
    with rolled_back():
        pages = [
            _answer(client, check_in, pain=pain, comment=comment.replace("\x00", ""))
            for pain, comment in answers
        ]
        assert Feedback.objects.get().pain == int(answers[0][0])
        assert Message.objects.filter(kind=Message.Kind.STAFF_ALERT).count() <= 1
        for page in pages[1:]:
            assert page.status_code == 200
            assert "already answered" in page.content.decode()
