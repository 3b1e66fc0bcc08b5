"""A patient's patronymic (отчество): optional, written the way Russian documents write
a name, used to greet the patient, searched and compared like the other names."""

import datetime as dt

import pytest
from django.urls import reverse

from clinic.roles import MANAGER
from courses.exports import csv_lines
from courses.models import Course
from courses.summaries import course_summaries
from messaging import sending
from messaging.tokens import feedback_token
from patients.models import Patient
from patients.services import LikelyDuplicates, patient_anonymise, patient_save
from tests.admin.patient_page import patient_page_data
from tests.factories import CourseFactory, MessageFactory, PatientFactory, staff_with_role

pytestmark = pytest.mark.django_db

BORN = dt.date(1971, 5, 14)


@pytest.fixture
def maria() -> Patient:
    return PatientFactory(
        first_name="Мария",
        last_name="Иванова",
        patronymic="Петровна",
        date_of_birth=BORN,
        phone="",
        email="maria@example.test",
    )


def test_a_name_with_a_patronymic_reads_surname_first_name_patronymic(maria):
    assert maria.full_name == "Иванова Мария Петровна"
    assert str(maria) == "Иванова Мария Петровна"


def test_a_name_without_a_patronymic_keeps_first_name_then_surname():
    patient = PatientFactory.build(first_name="Mia", last_name="Novak", patronymic="")

    assert patient.full_name == "Mia Novak"
    assert Patient.name_of("Mia", "Novak", "") == "Mia Novak"


def test_the_salutation_is_first_name_and_patronymic_or_the_first_name_alone(maria):
    assert maria.salutation == "Мария Петровна"
    assert PatientFactory.build(first_name="Mia", patronymic="").salutation == "Mia"


def test_the_patient_page_takes_a_patronymic_beside_the_names(admin_client):
    page = admin_client.get(reverse("admin:patients_patient_add"))
    [(_, first_fieldset), *_] = page.context["adminform"].fieldsets
    assert first_fieldset["fields"] == [
        "first_name",
        "last_name",
        "patronymic",
        "date_of_birth",
    ]

    response = admin_client.post(
        reverse("admin:patients_patient_add"),
        patient_page_data(first_name="Мария", last_name="Иванова", patronymic="Петровна"),
    )

    assert response.status_code == 302
    assert Patient.objects.get().full_name == "Иванова Мария Петровна"


def test_the_patronymic_may_be_left_empty(admin_client):
    response = admin_client.post(reverse("admin:patients_patient_add"), patient_page_data())

    assert response.status_code == 302
    assert Patient.objects.get().patronymic == ""


def test_the_patient_list_finds_a_patient_by_patronymic(admin_client, maria):
    PatientFactory(first_name="Ольга", last_name="Смирнова", patronymic="Ивановна")

    page = admin_client.get(reverse("admin:patients_patient_changelist"), {"q": "Петровна"})

    assert [patient.pk for patient in page.context["cl"].result_list] == [maria.pk]


def test_the_course_pages_patient_picker_finds_a_patient_by_patronymic(admin_client, maria):
    PatientFactory(first_name="Ольга", last_name="Смирнова", patronymic="Ивановна")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "courses", "model_name": "course", "field_name": "patient", "term": "петр"},
    )

    assert [result["text"] for result in response.json()["results"]] == ["Иванова Мария Петровна"]


def test_the_course_list_finds_a_patients_courses_by_patronymic(admin_client, maria):
    CourseFactory(patient=maria)
    CourseFactory(patient__patronymic="Ивановна")

    page = admin_client.get(reverse("admin:courses_course_changelist"), {"q": "Петровна"})

    assert [course.patient_id for course in page.context["cl"].result_list] == [maria.pk]


@pytest.mark.parametrize("patronymic", ["Петровна", "петровна", ""])
def test_the_same_names_and_birth_with_the_same_or_no_patronymic_is_a_likely_duplicate(
    maria, patronymic
):
    twin = PatientFactory.build(
        first_name="Мария",
        last_name="Иванова",
        patronymic=patronymic,
        date_of_birth=BORN,
        email="other@example.test",
    )

    with pytest.raises(LikelyDuplicates) as caught:
        patient_save(patient=twin)

    assert caught.value.patients == [maria]
    assert "Иванова Мария Петровна" in caught.value.messages[0]
    assert Patient.objects.count() == 1


def test_a_namesake_with_another_patronymic_is_another_person(maria):
    namesake = PatientFactory.build(
        first_name="Мария",
        last_name="Иванова",
        patronymic="Сергеевна",
        date_of_birth=BORN,
        email="other@example.test",
    )

    patient_save(patient=namesake)

    assert Patient.objects.count() == 2


def test_a_patronymic_added_to_a_record_is_checked_against_the_others(maria):
    namesake = PatientFactory(
        first_name="Мария",
        last_name="Иванова",
        patronymic="Сергеевна",
        date_of_birth=BORN,
        email="other@example.test",
    )
    namesake.patronymic = ""

    with pytest.raises(LikelyDuplicates):
        patient_save(patient=namesake)

    assert Patient.objects.get(pk=namesake.pk).patronymic == "Сергеевна"


def test_anonymising_clears_the_patronymic(maria):
    manager = staff_with_role(MANAGER)

    patient_anonymise(patient=maria, by=manager)

    maria.refresh_from_db()
    assert maria.patronymic == ""
    assert maria.full_name == f"Anonymised {maria.pk}"
    assert not Patient.history.filter(patronymic="Петровна").exists()


def test_the_export_names_the_patient_as_russian_documents_do(maria):
    CourseFactory(patient=maria)

    lines = list(csv_lines(course_summaries(Course.objects.all())))

    assert ",Иванова Мария Петровна," in lines[1]


def test_a_message_greets_the_patient_by_first_name_and_patronymic(maria):
    message = MessageFactory(course__patient=maria)

    email = sending.email_for(message)

    for text in (email.body, email.alternatives[0][0]):
        assert "Мария Петровна," in text
        assert "Иванова" not in text


def test_the_answer_page_greets_the_patient_by_first_name_and_patronymic(client, maria):
    message = MessageFactory(course__patient=maria)

    page = client.get(reverse("messaging:feedback", args=[feedback_token(message=message)]))

    assert "Мария Петровна" in page.content.decode()
    assert "Иванова" not in page.content.decode()
