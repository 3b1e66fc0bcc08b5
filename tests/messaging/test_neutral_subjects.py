"""What a lock screen shows: every e-mail's subject is the clinic's name and neutral words;
no e-mail names a body part or how the patient feels, and a staff alert names no patient."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from messaging import sending
from messaging.models import Message
from tests.factories import MessageFactory, VisitFactory, staff_alert_for

pytestmark = pytest.mark.django_db

# Words that tell what someone is treated for or how they feel. A subject has none of
# them, "massage" included: the clinic's name says what kind of place it is, if anything.
HEALTH_WORDS = re.compile(
    r"\b(back|neck|spine|spinal|lumbar|lumbosacral|cervical|thoracic|collar|sciatica|"
    r"pain|painful|hurts?|ache|aching|sore|stiff|injury|treatment|therapeutic|"
    r"contraindication)\b",
    re.IGNORECASE,
)
SUBJECT_WORDS = re.compile(HEALTH_WORDS.pattern[:-3] + r"|massage)\b", re.IGNORECASE)
PATIENT_KINDS = [kind for kind in Message.Kind if kind != Message.Kind.STAFF_ALERT]


@pytest.fixture
def visit(daytime, clinic_settings):
    clinic_settings.CLINIC_NAME = "Riverside Wellbeing"
    return VisitFactory(
        scheduled_at=daytime + dt.timedelta(days=1),
        course__patient__first_name="Philippa",
        course__patient__last_name="Quennell-Zorn",
    )


def _email(kind: str, visit):
    if kind == Message.Kind.STAFF_ALERT:
        return sending.email_for(staff_alert_for(visit))
    return sending.email_for(MessageFactory(kind=kind, visit=visit, course=visit.course))


@pytest.mark.parametrize("kind", list(Message.Kind))
def test_every_subject_is_the_clinic_name_and_neutral_words(visit, kind):
    subject = _email(kind, visit).subject

    assert subject.endswith(" — Riverside Wellbeing")
    assert not SUBJECT_WORDS.findall(subject), subject
    assert "Philippa" not in subject and "Quennell-Zorn" not in subject


@pytest.mark.parametrize(
    "kind", [Message.Kind.POST_VISIT_CHECK_IN, Message.Kind.END_OF_COURSE_FOLLOW_UP]
)
def test_a_question_about_how_the_patient_feels_is_a_quick_question_in_the_subject(visit, kind):
    assert _email(kind, visit).subject == "A quick question — Riverside Wellbeing"


@pytest.mark.parametrize("kind", list(Message.Kind))
def test_no_e_mail_names_a_body_part_or_how_the_patient_feels(visit, kind):
    email = _email(kind, visit)

    for text in (email.body, email.alternatives[0][0]):
        assert not HEALTH_WORDS.findall(text), text


def test_a_staff_alert_names_no_patient_and_no_answer_only_the_course_link(visit):
    email = _email(Message.Kind.STAFF_ALERT, visit)
    link = "https://clinic.example" + reverse(
        "admin:courses_course_change", args=[visit.course_id]
    )

    assert email.to == [visit.course.therapist.email]
    for text in (email.subject, email.body, email.alternatives[0][0]):
        assert "Philippa" not in text and "Quennell-Zorn" not in text
        assert visit.course.patient.email not in text
        assert "lower back" not in text and "9" not in text.replace(link, "")
    assert link in email.body
