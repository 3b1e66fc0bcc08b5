import pytest
from django.urls import reverse

from messaging.models import Message
from tests.factories import CourseFactory, MessageFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:messaging_message_changelist"


def test_staff_filter_messages_by_kind_and_status(admin_client):
    failed = MessageFactory(status=Message.Status.FAILED, last_error="SMTPServerDisconnected")
    MessageFactory(status=Message.Status.SENT)

    response = admin_client.get(
        reverse(CHANGELIST) + "?status=failed&kind=end_of_course_follow_up"
    )

    assert [m.pk for m in response.context["cl"].result_list] == [failed.pk]


def test_admin_actions_cancel_send_now_and_retry_failed(
    admin_client, django_capture_on_commit_callbacks
):
    pending = MessageFactory()
    failed = MessageFactory(status=Message.Status.FAILED, attempts=5, last_error="x")
    sent = MessageFactory(status=Message.Status.SENT)
    url = reverse(CHANGELIST)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(
            url, {"action": "retry_failed_messages", "_selected_action": [failed.pk, sent.pk]}
        )
    admin_client.post(
        url, {"action": "cancel_messages", "_selected_action": [pending.pk, sent.pk]}
    )

    for message in (pending, failed, sent):
        message.refresh_from_db()
    assert (failed.status, failed.attempts) == (Message.Status.PENDING, 0)
    assert pending.status == Message.Status.CANCELLED
    assert sent.status == Message.Status.SENT
    assert len(callbacks) == 1  # a dispatch is asked for once the change commits


def test_the_patient_page_and_list_show_when_the_next_repeat_reminder_is_due(
    admin_client, django_assert_max_num_queries
):
    course = CourseFactory()
    reminder = MessageFactory(kind=Message.Kind.REPEAT_COURSE_REMINDER, course=course)
    for _ in range(5):
        MessageFactory(
            kind=Message.Kind.REPEAT_COURSE_REMINDER, course__therapist=course.therapist
        )

    with django_assert_max_num_queries(12):
        listing = admin_client.get(reverse("admin:patients_patient_changelist"))
    page = admin_client.get(reverse("admin:patients_patient_change", args=[course.patient_id]))

    patients = {p.pk: p for p in listing.context["cl"].result_list}
    assert patients[course.patient_id].next_repeat_reminder_at == reminder.due_at
    assert "next repeat-course reminder" in page.content.decode().lower()


def test_the_message_list_needs_the_same_queries_for_many_rows(
    admin_client, django_assert_max_num_queries
):
    course = CourseFactory()
    MessageFactory.create_batch(30, course=course)

    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse(CHANGELIST))

    assert len(response.context["cl"].result_list) == 30
