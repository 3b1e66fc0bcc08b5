"""Data rights reach the message log: the export holds the patient's messages and
answers; anonymising cancels what is pending and drops their words, keeping the pain."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from courses import services as course_services
from messaging import services as messaging
from messaging import tokens
from messaging.models import Feedback, Message
from patients import services
from patients.models import Patient
from tests.factories import MessageFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

COMMENT = "Worse since I lifted my grandson Tom"
BOUNCE = "550 5.1.1 <margaret@example.com>: mailbox unavailable"


def _patient_with_messages() -> Patient:
    """A completed course; a check-in answered with pain that rose (so a staff alert is
    pending), a visit reminder that bounced, and the follow-ups of the completion."""
    patient = PatientFactory(first_name="Margaret", email="margaret@example.com")
    visit = VisitFactory(course__patient=patient, done=True, pain_before=3, pain_after=2)
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=visit.course,
        visit=visit,
        status=Message.Status.SENT,
    )
    MessageFactory(
        kind=Message.Kind.VISIT_REMINDER,
        course=visit.course,
        visit=visit,
        status=Message.Status.FAILED,
        last_error=BOUNCE,
    )
    messaging.feedback_submit(message=check_in, pain=7, comment=COMMENT)
    course_services.course_complete_early(course=visit.course)
    return patient


def test_the_export_holds_the_patients_messages_and_answers_once_each(manager):
    patient = _patient_with_messages()
    other = MessageFactory(last_error="for someone else")

    data = services.patient_export_data(patient=patient, by=manager)

    messages = data["related"]["messaging.message"]
    answers = data["related"]["messaging.feedback"]
    assert sorted(row["pk"] for row in messages) == sorted(
        Message.objects.filter(patient=patient).values_list("pk", flat=True)
    )
    assert len({row["pk"] for row in messages}) == len(messages) == 5
    assert [(row["fields"]["pain"], row["fields"]["comment"]) for row in answers] == [(7, COMMENT)]
    text = json.dumps(data, cls=DjangoJSONEncoder)
    assert BOUNCE in text
    assert other.last_error not in text


def test_the_export_holds_who_acknowledged_the_patients_rise_in_pain(manager, therapist_staff):
    patient = _patient_with_messages()
    messaging.feedback_acknowledge(feedback=patient.feedback.all(), by=therapist_staff)

    data = services.patient_export_data(patient=patient, by=manager)

    [answer] = data["related"]["messaging.feedback"]
    assert answer["fields"]["acknowledged_by"] == therapist_staff.pk
    assert [row["fields"]["history_user"] for row in data["history"]["messaging.feedback"]] == [
        None,
        therapist_staff.pk,
    ]


def test_anonymising_cancels_every_pending_message_staff_alerts_included(manager):
    patient = _patient_with_messages()
    open_kinds = set(Message.objects.open().values_list("kind", flat=True))
    assert Message.Kind.STAFF_ALERT in open_kinds and Message.Kind.REPEAT_COURSE_REMINDER in (
        open_kinds
    )

    services.patient_anonymise(patient=patient, by=manager)

    assert not Message.objects.filter(patient=patient).open().exists()


def test_anonymising_drops_comments_and_mail_errors_but_keeps_the_pain_scores(manager):
    patient = _patient_with_messages()
    elsewhere = MessageFactory(status=Message.Status.SENT)
    untouched = Feedback.objects.create(
        message=elsewhere,
        patient=elsewhere.patient,
        course=elsewhere.course,
        pain=2,
        comment="Someone else's words",
    )

    services.patient_anonymise(patient=patient, by=manager)

    answer = Feedback.objects.get(patient=patient)
    assert (answer.pain, answer.pain_before_visit, answer.raises_alert, answer.comment) == (
        7,
        3,
        True,
        "",
    )
    assert not Message.objects.filter(last_error__contains="margaret").exists()
    assert COMMENT not in json.dumps(list(Feedback.history.values()), cls=DjangoJSONEncoder)
    untouched.refresh_from_db()
    assert untouched.comment == "Someone else's words"


def test_a_sent_link_of_an_anonymised_patient_no_longer_takes_answers(client, manager):
    patient = PatientFactory()
    visit = VisitFactory(course__patient=patient, done=True)
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=visit.course,
        visit=visit,
        status=Message.Status.SENT,
    )
    course_services.course_complete_early(course=visit.course)
    services.patient_anonymise(patient=patient, by=manager)
    url = reverse("messaging:feedback", args=[tokens.feedback_token(message=check_in)])

    response = client.post(url, {"pain": "5", "comment": "hello"})

    assert response.status_code == 400
    assert not Feedback.objects.exists()
