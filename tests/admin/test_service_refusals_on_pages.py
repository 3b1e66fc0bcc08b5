"""The clinic's own pages show a service's refusal on the form and save nothing, where
the form itself cannot see the rule (it needs other rows, or a field the form leaves out)."""

import pytest
from django.urls import reverse

from courses.models import Course
from patients.models import Patient, PatientContraindication
from tests.admin.course_page import course_page_data
from tests.factories import CourseFactory, PatientContraindicationFactory, contraindication

pytestmark = pytest.mark.django_db


def test_a_second_open_course_for_the_region_is_refused_on_the_course_form(admin_client):
    open_course = CourseFactory(status=Course.Status.PLANNED)
    second = CourseFactory.build(
        patient=open_course.patient, region=open_course.region, therapist=open_course.therapist
    )

    response = admin_client.post(
        reverse("admin:courses_course_add"), course_page_data(second, [], initial=0)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This patient already has an open course for this spine region. "
        "Complete or cancel it before planning another."
    ]
    assert list(Course.objects.all()) == [open_course]


def test_an_already_open_contraindication_added_on_the_patient_page_is_refused(admin_client):
    record = PatientContraindicationFactory(contraindication=contraindication("fever"))
    patient = record.patient
    url = reverse("admin:patients_patient_change", args=[patient.pk])
    data = {
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "phone": patient.phone,
        "email": patient.email,
        "preferred_channel": patient.preferred_channel,
        "reminders_consent": "on",
        # Changed in the same post: must not be saved either.
        "notes": "Changed with the refused record",
        "contraindications-TOTAL_FORMS": 2,
        "contraindications-INITIAL_FORMS": 1,
        "contraindications-0-id": record.pk,
        "contraindications-0-patient": patient.pk,
        "contraindications-0-contraindication": record.contraindication_id,
        "contraindications-0-noted_on": record.noted_on.isoformat(),
        "contraindications-1-patient": patient.pk,
        "contraindications-1-contraindication": record.contraindication_id,
        "contraindications-1-noted_on": record.noted_on.isoformat(),
        "courses-TOTAL_FORMS": 0,
        "courses-INITIAL_FORMS": 0,
        "consent_changes-TOTAL_FORMS": 0,
        "consent_changes-INITIAL_FORMS": 0,
        "data_rights_events-TOTAL_FORMS": 0,
        "data_rights_events-INITIAL_FORMS": 0,
        "_save": "Save",
    }

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "This contraindication is already recorded for the patient and not resolved."
    ]
    assert PatientContraindication.objects.count() == 1
    assert Patient.objects.get(pk=patient.pk).notes == ""
