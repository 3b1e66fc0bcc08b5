"""A word English uses for two things is translated for each apart, where Russian names
them differently (a message is neuter, a course masculine; a patient has a full name, a
contraindication a title)."""

import pytest
from django.utils import translation

from courses.models import Course, Visit
from messaging.models import Feedback, Message
from patients.admin import PatientAdmin
from patients.models import Contraindication, DataRightsEvent
from tests.translation_files import write_mo

CONTEXT = "\x04"  # how a compiled catalogue joins a message's context to it


@pytest.fixture(autouse=True)
def russian_catalogue(settings, tmp_path):
    write_mo(
        tmp_path / "ru" / "LC_MESSAGES" / "django.mo",
        {
            "Cancelled": "Отменён",
            f"message status{CONTEXT}Cancelled": "Отменено",
            f"message status{CONTEXT}Sent": "Отправлено",
            f"patient{CONTEXT}name": "ФИО",
            f"contraindication{CONTEXT}name": "название",
            f"course{CONTEXT}kind": "тип курса",
            f"message{CONTEXT}kind": "тип",
            f"contraindication{CONTEXT}kind": "вид",
            f"visit{CONTEXT}performed at": "время проведения",
            f"data rights event{CONTEXT}performed at": "когда выполнено",
            "pain feedback": "ответ о боли",
            f"plural{CONTEXT}pain feedback": "ответы о боли",
        },
    )
    settings.LOCALE_PATHS = [tmp_path]


def label(model, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def in_russian(*words) -> list[str]:
    with translation.override("ru"):
        return [str(word) for word in words]


def test_a_cancelled_message_and_a_cancelled_course_or_visit_read_apart():
    assert in_russian(
        Course.Status.CANCELLED.label, Visit.Status.CANCELLED.label, Message.Status.CANCELLED.label
    ) == ["Отменён", "Отменён", "Отменено"]
    assert in_russian(Message.Status.SENT.label) == ["Отправлено"]


def test_the_patient_lists_name_column_and_a_contraindications_name_read_apart():
    column = PatientAdmin.full_name.short_description
    name = Contraindication._meta.get_field("name").verbose_name

    assert in_russian(column, name) == ["ФИО", "название"]


def test_the_kinds_of_a_course_a_message_and_a_contraindication_read_apart():
    with translation.override("ru"):
        kinds = [label(model, "kind") for model in (Course, Message, Contraindication)]

    assert kinds == ["тип курса", "тип", "вид"]


def test_when_a_visit_and_a_data_rights_event_were_performed_read_apart():
    with translation.override("ru"):
        labels = [label(Visit, "performed_at"), label(DataRightsEvent, "performed_at")]

    assert labels == ["время проведения", "когда выполнено"]


def test_pain_feedback_has_a_plural_of_its_own():
    assert in_russian(Feedback._meta.verbose_name, Feedback._meta.verbose_name_plural) == [
        "ответ о боли",
        "ответы о боли",
    ]
