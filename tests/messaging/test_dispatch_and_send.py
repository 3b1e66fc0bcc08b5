"""Dispatch and sending in one process; the worker tests run the same through Celery."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory, VisitFactory

pytestmark = pytest.mark.django_db


def send_all(now=None) -> list[str]:
    """Dispatch, then send each batch as the send task does; every message's outcome."""
    batches: list[tuple[list[int], str]] = []
    # Enqueued only once the claim commits; the test's transaction never does.
    with TestCase.captureOnCommitCallbacks(execute=True):
        sending.messages_dispatch(now=now, enqueue=lambda ids, claim: batches.append((ids, claim)))
    outcomes: list[str] = []
    for ids, claim in batches:
        sent, _left = sending.messages_send(message_ids=ids, claim=claim, now=now)
        outcomes += [sent[pk] for pk in ids]
    return outcomes


def test_a_due_message_is_claimed_once_and_a_second_dispatch_finds_nothing(daytime):
    message = MessageFactory()

    first = sending.messages_claim_due(now=daytime, limit=10)
    second = sending.messages_claim_due(now=daytime, limit=10)

    message.refresh_from_db()
    assert [pk for pk, _claim in first] == [message.pk]
    assert second == []
    assert message.status == Message.Status.SENDING


def test_messages_not_yet_due_are_not_claimed(daytime):
    MessageFactory(due_at=daytime + dt.timedelta(minutes=1))

    assert sending.messages_claim_due(now=daytime, limit=10) == []


def test_a_claim_whose_lease_ran_out_is_claimed_again_and_the_old_task_does_nothing(
    daytime, settings, mailoutbox, caplog
):
    settings.CLINIC_MESSAGE_LEASE_SECONDS = 60
    message = MessageFactory()
    [(pk, old_claim)] = sending.messages_claim_due(now=daytime, limit=10)

    later = daytime + dt.timedelta(seconds=61)
    [(_pk, new_claim)] = sending.messages_claim_due(now=later, limit=10)
    stale = sending.message_send(message_id=pk, claim=old_claim)
    fresh = sending.message_send(message_id=pk, claim=new_claim)

    message.refresh_from_db()
    assert (stale, fresh) == ("not-claimed", "sent")
    assert len(mailoutbox) == 1
    assert message.status == Message.Status.SENT
    assert f"Messages [{pk}] were being sent past their lease" in caplog.text


def test_the_e_mail_has_text_and_html_links_and_no_health_details(
    daytime, clinic_settings, mailoutbox
):
    visit = VisitFactory(done=True, pain_before=7, pain_after=5, notes="Sciatica on the left")
    MessageFactory(kind=Message.Kind.POST_VISIT_CHECK_IN, visit=visit, course=visit.course)

    assert send_all() == ["sent"]

    [email] = mailoutbox
    html = email.alternatives[0][0]
    assert email.to == [visit.course.patient.email]
    assert visit.course.patient.first_name in email.body
    assert "https://clinic.example/p/feedback/" in email.body
    assert "https://clinic.example/p/feedback/" in html
    assert email.extra_headers["List-Unsubscribe"].startswith("<https://clinic.example/p/unsub")
    for detail in ("Sciatica", "lumbar", "Lumbar", visit.course.patient.last_name):
        assert detail not in email.body
        assert detail not in html


def test_a_staff_alert_goes_to_the_course_therapist_with_a_link_to_the_course(
    daytime, clinic_settings, mailoutbox
):
    from messaging import services

    visit = VisitFactory(done=True, pain_before=2)
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        visit=visit,
        course=visit.course,
        status=Message.Status.SENT,
    )
    services.feedback_submit(message=check_in, pain=9)

    assert send_all() == ["sent"]

    [email] = mailoutbox
    assert email.to == [visit.course.therapist.email]
    assert reverse("admin:courses_course_change", args=[visit.course_id]) in email.body
    assert visit.course.patient.last_name not in email.body


def test_a_message_to_a_patient_who_withdrew_consent_meanwhile_is_cancelled(daytime, mailoutbox):
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)
    type(message.patient).objects.filter(pk=message.patient_id).update(reminders_consent=False)

    outcome = sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    assert outcome == "cancelled"
    assert message.status == Message.Status.CANCELLED
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (TimeoutError("timed out"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (smtplib.SMTPResponseException(451, b"try later"), True),
        (smtplib.SMTPResponseException(550, b"no such user"), False),
        (smtplib.SMTPRecipientsRefused({"a@b.test": (550, b"no")}), False),
        (ValueError("bad template"), False),
    ],
)
def test_a_transient_error_puts_the_message_back_for_later_and_a_permanent_one_fails_it(
    daytime, monkeypatch, error, transient
):
    message = MessageFactory()
    [(pk, claim)] = sending.messages_claim_due(now=daytime, limit=10)

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", refuse)
    outcome = sending.message_send(message_id=pk, claim=claim)

    message.refresh_from_db()
    assert type(error).__name__ in message.last_error
    assert message.attempts == 1
    if transient:
        # Claim given back: the dispatch scan finds it again at its next attempt time.
        assert outcome == "retry"
        assert (message.status, message.claim) == (Message.Status.PENDING, None)
        assert message.next_attempt_at > daytime
    else:
        assert outcome == "failed"
        assert message.status == Message.Status.FAILED


def test_send_due_messages_dry_run_lists_and_changes_nothing(daytime):
    message = MessageFactory()

    out = _call("send_due_messages", "--dry-run")

    message.refresh_from_db()
    assert f"{message.pk}\tEnd-of-course follow-up" in out
    assert "1 message would be sent." in out
    assert message.status == Message.Status.PENDING


def test_send_due_messages_sends_what_is_due_in_the_foreground(daytime, mailoutbox):
    due = MessageFactory()
    later = MessageFactory(due_at=daytime + dt.timedelta(days=1))

    with TestCase.captureOnCommitCallbacks(execute=True):
        out = _call("send_due_messages")

    due.refresh_from_db()
    later.refresh_from_db()
    assert "1 message dispatched." in out
    assert (due.status, later.status) == (Message.Status.SENT, Message.Status.PENDING)
    assert len(mailoutbox) == 1


def _call(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dispatch_claims_in_one_query_per_step_whatever_the_batch_size(
    daytime, django_assert_max_num_queries
):
    course = MessageFactory().course
    MessageFactory.create_batch(49, course=course, due_at=timezone.now() - dt.timedelta(minutes=5))

    # Savepoint, select ids, those past their lease, conditional update, read back the
    # claim, release.
    with django_assert_max_num_queries(6):
        claimed = sending.messages_claim_due(now=daytime, limit=500)

    assert len(claimed) == 50


def test_beat_runs_the_dispatch_task_every_few_minutes(settings):
    from clinic.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["dispatch-due-messages"]

    assert entry["task"] in app.tasks
    assert entry["schedule"] == settings.CLINIC_DISPATCH_INTERVAL_SECONDS <= 600


@pytest.mark.parametrize(
    "kind",
    [
        Message.Kind.REPEAT_COURSE_REMINDER,
        Message.Kind.VISIT_REMINDER,
        Message.Kind.POST_VISIT_CHECK_IN,
        Message.Kind.END_OF_COURSE_FOLLOW_UP,
    ],
)
def test_every_patient_message_names_only_the_first_name_and_carries_an_unsubscribe_link(
    daytime, clinic_settings, kind
):
    visit = VisitFactory(
        scheduled_at=daytime + dt.timedelta(days=1), course__patient__last_name="Zedworth"
    )
    message = MessageFactory(kind=kind, visit=visit, course=visit.course)

    email = sending.email_for(message)

    html = email.alternatives[0][0]
    for text in (email.body, html):
        assert visit.course.patient.first_name in text
        assert "https://clinic.example/p/unsubscribe/" in text
        for detail in ("Zedworth", "Lumbar", "Therapeutic", "Classic", "pain"):
            assert detail not in text
