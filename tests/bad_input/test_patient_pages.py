"""The patient pages: links to the answer and unsubscribe pages that are random,
truncated, altered, expired, signed for another purpose or naming a foreign pair; pain
scores that are not 0-10, long and unusual comments, and the same answer posted again.
Each gets a clear page, never a server error, and nothing partial is saved."""

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
from patients.models import ConsentChange, Patient
from tests.bad_input.conftest import rolled_back, tried
from tests.factories import MessageFactory, VisitFactory, ids_token

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


FEEDBACK_PAGE, UNSUBSCRIBE_PAGE = "feedback", "unsubscribe"
# Each kind of link a patient may hold: the page it opens and how its token is made. The
# older forms carry ids and are still accepted from e-mails already sent.
LINKS = {
    "feedback": (FEEDBACK_PAGE, lambda m: tokens.feedback_token(message=m)),
    "feedback, older form": (FEEDBACK_PAGE, lambda m: ids_token(m, salt=tokens.FEEDBACK)),
    "unsubscribe": (UNSUBSCRIBE_PAGE, lambda m: tokens.unsubscribe_token(patient=m.patient)),
    "unsubscribe, older form": (
        UNSUBSCRIBE_PAGE,
        lambda m: ids_token(m, salt=tokens.UNSUBSCRIBE),
    ),
}
# What each page does with a token, to tell an alteration that changes nothing (two
# spellings of the same signed value) from one that reaches someone else.
RESOLVE = {
    FEEDBACK_PAGE: lambda token: tokens.message_from_feedback_token(token=token),
    UNSUBSCRIBE_PAGE: lambda token: tokens.patient_from_unsubscribe_token(token=token),
}


def _url(token: str, page: str = FEEDBACK_PAGE) -> str:
    return f"/p/{page}/" + quote(token, safe="") + "/"


def _assert_refused_link(client, token: str, page: str = FEEDBACK_PAGE) -> None:
    response = client.post(_url(token, page), {"pain": "3", "comment": "hello"})
    body = response.content.decode()
    # A token with a "/" in it reaches no page at all: refused just the same.
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert "This link does not work" in body
        assert "no-store" in response["Cache-Control"]
    assert NAME not in body
    assert not Feedback.objects.exists()
    assert not AnswerAttempts.objects.exists()
    assert not ConsentChange.objects.exists()
    assert Patient.objects.filter(reminders_consent=False).count() == 0


# --- tampered links --------------------------------------------------------------------


@given(raw=st.binary(min_size=1, max_size=300), page=st.sampled_from(sorted(RESOLVE)))
def test_a_link_of_random_bytes_is_refused(client, check_in, raw, page):
    tried(f"{page} link, random bytes")
    token = base64.urlsafe_b64encode(raw).decode()
    with rolled_back():
        _assert_refused_link(client, token, page)


@given(
    text=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=200),
    page=st.sampled_from(sorted(RESOLVE)),
)
def test_a_link_of_random_text_is_refused(client, check_in, text, page):
    tried(f"{page} link, random text")
    with rolled_back():
        _assert_refused_link(client, text, page)


@given(data=st.data())
def test_a_truncated_link_is_refused(client, check_in, data):
    link = data.draw(st.sampled_from(sorted(LINKS)))
    page, make = LINKS[link]
    tried(f"{link} link, truncated")
    token = make(check_in)
    cut = data.draw(st.integers(min_value=1, max_value=len(token) - 1))
    with rolled_back():
        _assert_refused_link(client, token[:cut], page)


@given(data=st.data())
def test_a_link_with_an_altered_character_is_refused(client, check_in, data):
    link = data.draw(st.sampled_from(sorted(LINKS)))
    page, make = LINKS[link]
    tried(f"{link} link, one character altered")
    token = make(check_in)
    at = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:."
    new = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[at]))
    altered = token[:at] + new + token[at + 1 :]
    try:
        reached = RESOLVE[page](altered)
    except tokens.BadLink:
        reached = None
    with rolled_back():
        if reached is None:
            _assert_refused_link(client, altered, page)
        else:
            # Only another spelling of the same signed value may still work.
            assert reached in (check_in, check_in.patient), (link, altered)
            assert client.get(_url(altered, page)).status_code == 200


@given(
    data=st.data(),
    salt=st.one_of(
        st.sampled_from(
            [tokens.FEEDBACK, tokens.FEEDBACK_KEY, tokens.UNSUBSCRIBE, tokens.UNSUBSCRIBE_PATIENT]
        ),
        st.text(max_size=40),
    ),
)
def test_a_link_signed_for_another_purpose_or_naming_a_foreign_key_is_refused(
    client, check_in, data, salt
):
    """Every key and id pair the clinic signs, under any salt, on the page it was not
    made for: refused. So is a correctly signed pair of a message and another patient on
    the answer page."""
    other = MessageFactory(status=Message.Status.SENT)
    page = data.draw(st.sampled_from(sorted(RESOLVE)))
    # An unsubscribe link of the older form needs only the patient's id (it works after
    # its message is gone), so a signed pair with another message still names its patient.
    valid = {
        FEEDBACK_PAGE: {(tokens.FEEDBACK_KEY, "key"), (tokens.FEEDBACK, "ids")},
        UNSUBSCRIBE_PAGE: {
            (tokens.UNSUBSCRIBE_PATIENT, "patient key"),
            (tokens.UNSUBSCRIBE, "ids"),
            (tokens.UNSUBSCRIBE, "foreign ids"),
        },
    }[page]
    value = data.draw(st.sampled_from(["key", "patient key", "ids", "foreign ids"]))
    if (salt, value) in valid:
        return
    timestamped = signing.TimestampSigner(salt=salt)
    token = {
        "key": lambda: timestamped.sign(check_in.link_key),
        "patient key": lambda: signing.Signer(salt=salt).sign(check_in.patient.link_key),
        "ids": lambda: ids_token(check_in, salt=salt),
        "foreign ids": lambda: signing.dumps(
            {"m": check_in.pk, "p": other.patient_id}, salt=salt, compress=True
        ),
    }[value]()
    tried(f"{page} link, another purpose or a foreign pair")
    with rolled_back():
        _assert_refused_link(client, token, page)


@given(
    late=st.integers(min_value=1, max_value=10 * 365 * 86400),
    link=st.sampled_from(["feedback", "feedback, older form"]),
)
def test_a_feedback_link_past_its_age_is_refused(client, check_in, settings, late, link):
    tried(f"{link} link, expired")
    sent = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(sent, tick=False):
        token = LINKS[link][1](check_in)
    opened = sent + dt.timedelta(days=settings.CLINIC_LINK_MAX_AGE_DAYS, seconds=late)
    with time_machine.travel(opened, tick=False), rolled_back():
        _assert_refused_link(client, token)


@given(late=st.integers(min_value=1, max_value=10 * 365 * 86400))
def test_an_unsubscribe_link_works_however_old_it_is(client, check_in, settings, late):
    tried("unsubscribe link, years old")
    sent = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
    with time_machine.travel(sent, tick=False):
        token = tokens.unsubscribe_token(patient=check_in.patient)
    with time_machine.travel(sent + dt.timedelta(seconds=late), tick=False), rolled_back():
        response = client.post(_url(token, UNSUBSCRIBE_PAGE))
        assert response.status_code == 200
        assert Patient.objects.get(pk=check_in.patient_id).reminders_consent is False


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
