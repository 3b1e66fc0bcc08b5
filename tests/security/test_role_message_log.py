"""Each role and the message log: reception and managers see it and run its actions
(cancel, send now, retry failed); therapists do not see it, but see the patients' answers
on the course page."""

import datetime as dt

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Message
from tests.factories import MessageFactory, StaffUserFactory, VisitFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:messaging_message_changelist")
ACTIONS = {"cancel_messages", "send_messages_now", "retry_failed_messages"}


def _run(client, action: str, message: Message, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(CHANGELIST, {"action": action, "_selected_action": [message.pk]})
    message.refresh_from_db()
    return response


@pytest.mark.parametrize("who", ["reception_client", "manager_client"])
def test_reception_and_managers_see_the_message_log_and_run_its_actions(
    who, request, django_capture_on_commit_callbacks
):
    client = request.getfixturevalue(who)
    pending = MessageFactory()
    failed = MessageFactory(status=Message.Status.FAILED, attempts=5, last_error="timed out")
    next_year = pending.due_at + dt.timedelta(days=365)
    to_send = MessageFactory(due_at=next_year)

    listing = client.get(CHANGELIST)
    page = client.get(reverse("admin:messaging_message_change", args=[failed.pk]))

    assert listing.status_code == page.status_code == 200
    offered = {value for value, _ in listing.context["action_form"].fields["action"].choices}
    assert offered >= ACTIONS
    _run(client, "retry_failed_messages", failed, django_capture_on_commit_callbacks)
    _run(client, "send_messages_now", to_send, django_capture_on_commit_callbacks)
    _run(client, "cancel_messages", pending, django_capture_on_commit_callbacks)
    assert (failed.status, failed.attempts) == (Message.Status.PENDING, 0)
    assert (to_send.status, to_send.due_at < next_year) == (Message.Status.PENDING, True)
    assert pending.status == Message.Status.CANCELLED


def test_therapists_do_not_see_the_message_log_nor_run_its_actions(
    therapist_client, django_capture_on_commit_callbacks
):
    pending = MessageFactory()
    failed = MessageFactory(status=Message.Status.FAILED, attempts=5)

    assert therapist_client.get(CHANGELIST).status_code == 403
    page = reverse("admin:messaging_message_change", args=[pending.pk])
    assert therapist_client.get(page).status_code == 403
    for action, message in (("cancel_messages", pending), ("retry_failed_messages", failed)):
        response = _run(therapist_client, action, message, django_capture_on_commit_callbacks)
        assert response.status_code == 403
    assert (pending.status, failed.status) == (Message.Status.PENDING, Message.Status.FAILED)
    # Nor does the home page list failed messages with links into the log.
    index = therapist_client.get(reverse("admin:index")).content.decode()
    assert "Messages that failed" not in index and CHANGELIST not in index


def test_seeing_the_log_alone_does_not_allow_its_actions(
    client, django_capture_on_commit_callbacks
):
    client.force_login(StaffUserFactory(is_staff=True, permissions=["messaging.view_message"]))
    pending = MessageFactory()

    listing = client.get(CHANGELIST)
    _run(client, "cancel_messages", pending, django_capture_on_commit_callbacks)

    assert listing.status_code == 200
    assert listing.context["action_form"] is None
    assert pending.status == Message.Status.PENDING


def test_therapists_see_the_patients_answers_on_the_course_and_visit_pages(
    therapist_client, therapist_staff
):
    visit = VisitFactory(done=True, pain_before=3, course__therapist=therapist_staff)
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=visit.course,
        visit=visit,
        status=Message.Status.SENT,
    )
    services.feedback_submit(message=check_in, pain=6, comment="Stiff since the session")

    for url in (
        reverse("admin:courses_course_change", args=[visit.course_id]),
        reverse("admin:courses_visit_change", args=[visit.pk]),
    ):
        response = therapist_client.get(url)
        assert response.status_code == 200, url
        assert "Stiff since the session" in response.content.decode(), url
