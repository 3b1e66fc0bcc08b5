"""A manager exports everything about a patient, or anonymises one; both are recorded."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import services as course_services
from courses.models import Course, Visit
from patients import services
from patients.models import ConsentChange, DataRightsEvent, Patient, PatientContraindication
from tests.factories import (
    CourseFactory,
    PatientContraindicationFactory,
    PatientFactory,
    VisitFactory,
    contraindication,
)

pytestmark = pytest.mark.django_db


def _patient_with_history() -> Patient:
    course = CourseFactory(
        patient=PatientFactory(first_name="Margaret", notes="Works as a dentist")
    )
    VisitFactory(course=course, sequence=1, done=True, notes="Margaret mentioned her dog")
    PatientContraindicationFactory(patient=course.patient, notes="Seen by Dr Hale")
    services.patient_set_reminders_consent(patient=course.patient, given=False)
    course_services.course_complete_early(course=course)
    return course.patient


def test_the_export_holds_every_row_and_history_of_the_patient(manager):
    patient = _patient_with_history()
    other = VisitFactory(done=True).course.patient

    data = services.patient_export_data(patient=patient, by=manager)

    text = json.dumps(data, cls=DjangoJSONEncoder)
    assert data["patient"]["fields"]["first_name"] == "Margaret"
    assert {"courses.course", "courses.visit", "patients.patientcontraindication"} <= set(
        data["related"]
    )
    assert len(data["related"]["patients.consentchange"]) == 1
    assert "Margaret mentioned her dog" in text
    assert data["history"]["patients.patient"]
    assert other.first_name not in text.replace("Margaret", "")
    assert str(other.email) not in text


def _export_queries(patient: Patient, by) -> int:
    with CaptureQueriesContext(connection) as queries:
        services.patient_export_data(patient=patient, by=by)
    return len(queries)


def test_the_export_takes_as_many_queries_for_many_visits_as_for_one(manager):
    patient = _patient_with_history()
    manager.has_perm("patients.export_patient_data")  # loads the permission cache
    one_visit = _export_queries(patient, manager)
    course = patient.courses.get()
    Course.objects.filter(pk=course.pk).update(status=Course.Status.ACTIVE)
    for n in range(2, 8):
        VisitFactory(course=course, sequence=n)
    PatientContraindicationFactory(patient=patient, contraindication=contraindication("angina"))

    assert _export_queries(patient, manager) == one_visit
    assert one_visit <= 30


def test_an_export_is_recorded_with_who_made_it(manager):
    patient = PatientFactory()
    services.patient_export_data(patient=patient, by=manager)
    event = DataRightsEvent.objects.get(patient=patient)
    assert (event.action, event.performed_by) == (DataRightsEvent.Action.EXPORTED, manager)


def test_reception_and_therapists_cannot_export_or_anonymise(reception, therapist_staff):
    patient = PatientFactory()
    for user in (reception, therapist_staff):
        with pytest.raises(PermissionDenied):
            services.patient_export_data(patient=patient, by=user)
        with pytest.raises(PermissionDenied):
            services.patient_anonymise(patient=patient, by=user)
    assert not DataRightsEvent.objects.exists()


def test_the_admin_export_action_downloads_json_named_by_record_number(manager_client):
    patient = PatientFactory()
    response = manager_client.post(
        reverse("admin:patients_patient_changelist"),
        {"action": "export_patient_data", "_selected_action": [patient.pk]},
    )
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="patient-{patient.pk}.json"'
    assert json.loads(response.content)["patient"]["pk"] == patient.pk


def test_anonymising_removes_identity_and_notes_but_keeps_the_statistics(manager):
    patient = _patient_with_history()
    course = patient.courses.get()
    stats_before = list(Visit.objects.values_list("sequence", "pain_before", "pain_after"))

    services.patient_anonymise(patient=patient, by=manager)

    patient.refresh_from_db()
    assert patient.first_name == "Anonymised"
    assert (patient.phone, patient.email, patient.notes) == ("", "", "")
    assert (patient.date_of_birth.month, patient.date_of_birth.day) == (1, 1)
    assert patient.reminders_consent is False
    assert PatientContraindication.objects.get(patient=patient).notes == ""
    assert list(Visit.objects.values_list("sequence", "pain_before", "pain_after")) == stats_before
    assert Visit.objects.get().notes == ""
    course.refresh_from_db()
    assert course.status == Course.Status.COMPLETED


def test_anonymising_purges_the_history_that_held_the_patients_identity(manager):
    patient = _patient_with_history()

    services.patient_anonymise(patient=patient, by=manager)

    assert not Patient.history.filter(first_name="Margaret").exists()
    assert not Patient.history.filter(notes__contains="dentist").exists()
    assert not PatientContraindication.history.filter(notes__contains="Hale").exists()
    assert not Visit.history.filter(notes__contains="dog").exists()
    assert Visit.history.exists()
    last = Patient.history.get(id=patient.pk)
    assert last.history_user == manager
    assert "Anonymised" in last.history_change_reason


def test_anonymising_is_recorded_and_withdraws_consent(manager):
    patient = PatientFactory(reminders_consent=True)
    services.patient_anonymise(patient=patient, by=manager)
    assert ConsentChange.objects.get(patient=patient).given is False
    assert DataRightsEvent.objects.get(action=DataRightsEvent.Action.ANONYMISED).performed_by == (
        manager
    )


def test_a_patient_with_an_open_course_is_not_anonymised(manager):
    course = CourseFactory(patient=PatientFactory(first_name="Olive"))
    with pytest.raises(ValidationError, match="open courses"):
        services.patient_anonymise(patient=course.patient, by=manager)
    course.patient.refresh_from_db()
    assert course.patient.first_name == "Olive"
    assert not DataRightsEvent.objects.exists()


def test_anonymising_twice_is_refused(manager):
    patient = PatientFactory()
    services.patient_anonymise(patient=patient, by=manager)
    with pytest.raises(ValidationError, match="already anonymised"):
        services.patient_anonymise(patient=patient, by=manager)


def test_the_admin_asks_for_confirmation_before_anonymising(manager_client):
    patient = PatientFactory(first_name="Olive")
    url = reverse("admin:patients_patient_changelist")
    selected = {"action": "anonymise_patients", "_selected_action": [patient.pk]}

    confirmation = manager_client.post(url, selected)
    patient.refresh_from_db()
    assert patient.first_name == "Olive"
    assert "cannot be undone" in confirmation.content.decode()

    manager_client.post(url, {**selected, "confirmed": "yes"})
    patient.refresh_from_db()
    assert patient.first_name == "Anonymised"


def test_an_anonymised_patient_cannot_be_given_contact_details_again(manager, manager_client):
    patient = services.patient_anonymise(patient=PatientFactory(), by=manager)
    patient.phone = "+44 20 7946 0555"
    with pytest.raises(ValidationError, match="register them as a new patient"):
        services.patient_save(patient=patient, by=manager)
    patient.refresh_from_db()
    assert patient.phone == ""


def test_a_manager_can_lift_a_login_lockout_in_the_admin(manager_client, reception_client):
    assert manager_client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    assert reception_client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
