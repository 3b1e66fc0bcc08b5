"""A therapist reads the record of the patients in their care (a course of theirs or a
session booked with them), finds any patient by name and date of birth, and exports
their own courses only."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from clinic.roles import THERAPIST
from courses.models import Visit
from messaging.models import Feedback
from patients.services import patient_set_reminders_consent
from tests.factories import (
    CourseFactory,
    MessageFactory,
    PatientContraindicationFactory,
    VisitFactory,
    staff_with_role,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(db):
    return staff_with_role(THERAPIST, username="colleague")


@pytest.fixture
def own(therapist_staff):
    return CourseFactory(therapist=therapist_staff, patient__first_name="Owen")


@pytest.fixture
def other(colleague):
    return CourseFactory(
        therapist=colleague,
        patient__first_name="Olga",
        patient__last_name="Outside",
        patient__phone="+44 20 7946 0999",
        patient__date_of_birth=dt.date(1961, 4, 3),
    )


def _patient_page(client, patient_id: int) -> int:
    return client.get(reverse("admin:patients_patient_change", args=[patient_id])).status_code


def _listed(client, url_name: str, query: str = "") -> set[int]:
    response = client.get(reverse(url_name) + query)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def test_a_therapist_reads_the_patients_of_their_courses_only(therapist_client, own, other):
    assert _patient_page(therapist_client, own.patient_id) == 200
    assert _patient_page(therapist_client, other.patient_id) == 403
    course_page = reverse("admin:courses_course_change", args=[other.pk])
    assert therapist_client.get(course_page).status_code == 302  # "does not exist"
    history = reverse("admin:patients_patient_history", args=[other.patient_id])
    assert therapist_client.get(history).status_code in (403, 404)


def test_covering_a_colleagues_session_opens_the_patients_record(
    therapist_client, therapist_staff, other
):
    VisitFactory(course=other, therapist=therapist_staff)

    assert _patient_page(therapist_client, other.patient_id) == 200
    assert other.pk in _listed(therapist_client, "admin:courses_course_changelist")


def test_a_cancelled_booking_opens_nothing(therapist_client, therapist_staff, other):
    VisitFactory(course=other, therapist=therapist_staff, status=Visit.Status.CANCELLED)

    assert _patient_page(therapist_client, other.patient_id) == 403


def test_the_setting_lets_therapists_read_every_patient(therapist_client, other, settings):
    settings.CLINIC_THERAPISTS_SEE_ALL_PATIENTS = True

    assert _patient_page(therapist_client, other.patient_id) == 200


def test_reception_and_managers_read_every_patient(reception_client, manager_client, other):
    assert _patient_page(reception_client, other.patient_id) == 200
    assert _patient_page(manager_client, other.patient_id) == 200


def test_the_clinical_lists_hold_the_therapists_patients_only(
    therapist_client, own, other, therapist_staff, colleague
):
    for course in (own, other):
        PatientContraindicationFactory(patient=course.patient)
        patient_set_reminders_consent(patient=course.patient, given=False)
        message = MessageFactory(course=course, patient=course.patient)
        Feedback.objects.create(message=message, patient=course.patient, course=course, pain=4)
    VisitFactory(course=own)
    VisitFactory(course=other)
    patients = {own.patient_id}

    assert _listed(therapist_client, "admin:courses_course_changelist") == {own.pk}
    visits = _listed(therapist_client, "admin:courses_visit_changelist")
    assert {Visit.objects.get(pk=pk).course_id for pk in visits} == {own.pk}
    for url_name in (
        "admin:patients_patientcontraindication_changelist",
        "admin:patients_consentchange_changelist",
        "admin:messaging_feedback_changelist",
    ):
        response = therapist_client.get(reverse(url_name))
        assert {row.patient_id for row in response.context["cl"].result_list} == patients


def test_a_therapist_finds_any_patient_by_name_and_birth_date_but_no_more(
    therapist_client, own, other
):
    response = therapist_client.get(reverse("admin:patients_patient_changelist") + "?q=Outside")
    page = response.content.decode()

    assert [p.pk for p in response.context["cl"].result_list] == [other.patient_id]
    assert "Outside" in page and "3 Apr 1961" in page
    assert "7946" not in page and "example.test" not in page
    by_phone = "?q=020+7946+0999"
    assert _listed(therapist_client, "admin:patients_patient_changelist", by_phone) == set()
    # The course form's patient picker finds them too, to plan a first course.
    picker = therapist_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Outside",
            "app_label": "courses",
            "model_name": "course",
            "field_name": "patient",
        },
    )
    assert [r["id"] for r in json.loads(picker.content)["results"]] == [str(other.patient_id)]


def test_a_therapists_exports_hold_their_own_courses(
    therapist_client, therapist_staff, own, colleague
):
    # A colleague's course of a patient in the therapist's care: readable, not exported.
    colleagues = CourseFactory(
        patient=own.patient, therapist=colleague, region="cervical", status="completed"
    )

    assert _listed(therapist_client, "admin:courses_course_changelist") == {own.pk, colleagues.pk}
    exported = therapist_client.get(reverse("admin:courses_course_export", args=["json"]))
    rows = json.loads(b"".join(exported.streaming_content))
    assert [row["course_id"] for row in rows] == [own.pk]
    action = therapist_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_csv", "_selected_action": [own.pk, colleagues.pk]},
    )
    assert len(b"".join(action.streaming_content).decode().strip().splitlines()) == 2
    pdf = reverse("admin:courses_course_pdf", args=[colleagues.pk])
    assert therapist_client.get(pdf).status_code == 404
    assert (
        therapist_client.get(reverse("admin:courses_course_pdf", args=[own.pk])).status_code == 200
    )


def test_a_manager_exports_every_course(manager_client, own, other):
    exported = manager_client.get(reverse("admin:courses_course_export", args=["json"]))
    rows = json.loads(b"".join(exported.streaming_content))
    assert {row["course_id"] for row in rows} == {own.pk, other.pk}


def test_a_therapist_cannot_book_a_session_of_a_course_outside_their_care(
    therapist_client, therapist_staff, other
):
    when = dt.datetime.combine(other.start_date, dt.time(10))
    response = therapist_client.post(
        reverse("admin:courses_visit_add"),
        {
            "course": other.pk,
            "sequence": 1,
            "scheduled_at_0": when.date().isoformat(),
            "scheduled_at_1": "10:00:00",
            "status": Visit.Status.SCHEDULED,
            "therapist": therapist_staff.pk,
            "feedback-TOTAL_FORMS": 0,
            "feedback-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert "course" in response.context["adminform"].form.errors
    assert not Visit.objects.filter(course=other).exists()
    assert _patient_page(therapist_client, other.patient_id) == 403
