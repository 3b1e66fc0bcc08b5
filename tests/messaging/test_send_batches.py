"""A send task's batch: one read, one SMTP connection, each message on its own."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging import sending, services
from messaging.models import Message
from tests.factories import CourseFactory, MessageFactory

pytestmark = pytest.mark.django_db


def claim_due(count: int, now: dt.datetime) -> tuple[list[Message], list[int], str]:
    """``count`` due follow-ups, each to a patient of its own, claimed in one dispatch."""
    messages = [MessageFactory(due_at=now - dt.timedelta(minutes=count - n)) for n in range(count)]
    claimed = sending.messages_claim_due(now=now, limit=500)
    return messages, [pk for pk, _claim in claimed], claimed[0][1]


@pytest.mark.parametrize("count", [5, 25])
def test_a_batch_reads_its_messages_once_and_writes_each_twice_whatever_its_size(
    daytime, mailoutbox, count
):
    _messages, ids, claim = claim_due(count, daytime)

    with CaptureQueriesContext(connection) as queries:
        outcomes, left = sending.messages_send(message_ids=ids, claim=claim)

    assert set(outcomes.values()) == {"sent"}
    assert left == []
    assert len(mailoutbox) == count
    # One SELECT for the batch (patient, course, therapist and visit joined), then per
    # message the lease renewed for its attempt and the mark.
    assert len(queries) == 1 + 2 * count


def test_a_batch_goes_out_over_one_smtp_connection(daytime, smtp):
    _messages, ids, claim = claim_due(20, daytime)

    outcomes, _left = sending.messages_send(message_ids=ids, claim=claim)

    assert set(outcomes.values()) == {"sent"}
    assert smtp.inbox.message_ids() == dict.fromkeys(ids, 1)
    assert smtp.inbox.connections == 1


def test_a_recipient_refused_mid_batch_retries_alone_and_the_others_go_out_once(daytime, smtp):
    messages, ids, claim = claim_due(5, daytime)
    refused = messages[2]
    smtp.inbox.refuse.add(refused.patient.email)

    outcomes, _left = sending.messages_send(message_ids=ids, claim=claim)

    others = [pk for pk in ids if pk != refused.pk]
    assert outcomes == {**dict.fromkeys(others, "sent"), refused.pk: "retry"}
    assert smtp.inbox.message_ids() == dict.fromkeys(others, 1)
    assert smtp.inbox.connections == 1  # the refusal did not cost the connection
    refused.refresh_from_db()
    assert (refused.status, refused.claim, refused.attempts) == (Message.Status.PENDING, None, 1)
    assert refused.next_attempt_at > daytime
    assert Message.objects.filter(pk__in=others, status=Message.Status.SENT).count() == 4


def test_a_connection_dropped_mid_batch_is_opened_again_and_nothing_is_lost_or_repeated(
    daytime, smtp
):
    messages, ids, claim = claim_due(6, daytime)
    smtp.inbox.drop_at.add(messages[3].patient.email)

    outcomes, _left = sending.messages_send(message_ids=ids, claim=claim)

    assert set(outcomes.values()) == {"sent"}
    assert smtp.inbox.message_ids() == dict.fromkeys(ids, 1)
    assert smtp.inbox.connections == 2
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_a_connection_the_server_drops_on_the_first_message_is_a_retry_not_a_resend(daytime, smtp):
    messages, ids, claim = claim_due(3, daytime)
    smtp.inbox.drop_at.add(messages[0].patient.email)

    outcomes, _left = sending.messages_send(message_ids=ids, claim=claim)

    # A new connection that fails says the server is in trouble: that message waits.
    assert outcomes == {ids[0]: "retry", ids[1]: "sent", ids[2]: "sent"}
    assert smtp.inbox.message_ids() == {ids[1]: 1, ids[2]: 1}


def test_a_batch_out_of_starting_time_leaves_the_rest_claimed_for_another_task(
    daytime, mailoutbox
):
    _messages, ids, claim = claim_due(4, daytime)

    outcomes, left = sending.messages_send(message_ids=ids, claim=claim, start_within=0)

    assert outcomes == {ids[0]: "sent"}
    assert left == ids[1:]
    assert set(Message.objects.filter(pk__in=left).values_list("status", "claim")) == {
        (Message.Status.SENDING, uuid.UUID(claim))
    }
    rest, _left = sending.messages_send(message_ids=left, claim=claim)
    assert set(rest.values()) == {"sent"}
    assert len(mailoutbox) == 4


def test_a_message_cancelled_after_its_batch_was_read_is_not_sent(
    daytime, mailoutbox, monkeypatch
):
    _messages, ids, claim = claim_due(3, daytime)
    original = sending.email_for

    def cancel_the_last_while_sending_the_first(message):
        # Cancelled once the batch has been read: its lease renewal finds it cancelled.
        if message.pk == ids[0]:
            services.messages_cancel(queryset=Message.objects.filter(pk=ids[2]))
        return original(message)

    monkeypatch.setattr(sending, "email_for", cancel_the_last_while_sending_the_first)
    outcomes, _left = sending.messages_send(message_ids=ids, claim=claim)

    assert outcomes == {ids[0]: "sent", ids[1]: "sent", ids[2]: "not-claimed"}
    assert len(mailoutbox) == 2


def test_the_dispatch_hands_its_claim_to_the_send_task_in_batches_of_fifty(daytime):
    course = CourseFactory()
    Message.objects.bulk_create(
        Message(
            kind=Message.Kind.END_OF_COURSE_FOLLOW_UP,
            patient=course.patient,
            course=course,
            number=n,
            due_at=daytime - dt.timedelta(minutes=1),
        )
        for n in range(1, 121)
    )
    batches = []
    with TestCase.captureOnCommitCallbacks(execute=True):
        claimed = sending.messages_dispatch(
            now=daytime, enqueue=lambda ids, claim: batches.append((ids, claim))
        )

    assert [len(ids) for ids, _claim in batches] == [50, 50, 20]
    assert [pk for ids, _claim in batches for pk in ids] == claimed
    assert len({claim for _ids, claim in batches}) == 1


def test_a_new_repeat_course_reminder_is_scheduled_without_checking_constraints_in_python(
    daytime, django_assert_num_queries
):
    sent = MessageFactory(kind=Message.Kind.REPEAT_COURSE_REMINDER, number=1)
    sent = Message.objects.select_related("patient", "course").get(pk=sent.pk)

    # Whether the patient has a newer course, whether the reminder exists, the insert
    # (inside a savepoint here, as in the service's caller): no constraint checked twice.
    with django_assert_num_queries(5):
        following = services.repeat_reminder_schedule_next(sent=sent)

    assert following.number == 2
    assert following.due_at > timezone.now()


def test_a_repeat_course_reminder_to_a_patient_with_a_new_course_is_cancelled_from_the_batch_read(
    daytime, mailoutbox
):
    reminder = MessageFactory(kind=Message.Kind.REPEAT_COURSE_REMINDER, number=1)
    CourseFactory(patient=reminder.patient)  # active: the patient came back
    follow_up = MessageFactory()
    claimed = sending.messages_claim_due(now=daytime, limit=10)
    ids, claim = [pk for pk, _claim in claimed], claimed[0][1]

    with CaptureQueriesContext(connection) as queries:
        outcomes, _left = sending.messages_send(message_ids=ids, claim=claim)

    assert outcomes == {reminder.pk: "cancelled", follow_up.pk: "sent"}
    assert len(mailoutbox) == 1
    # The batch read knows about the new course: one UPDATE cancels the reminder.
    assert len(queries) == 1 + 1 + 2
