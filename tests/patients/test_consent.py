import pytest
from django.urls import reverse

from clinic.roles import THERAPIST
from patients.models import ConsentChange, Patient
from patients.services import patient_save, patient_set_reminders_consent
from tests.factories import CourseFactory, PatientFactory, UserFactory, staff_with_role

pytestmark = pytest.mark.django_db


def test_a_new_patient_who_consents_has_the_consent_recorded_with_who_and_when():
    receptionist = UserFactory(username="reception")

    patient = patient_save(
        patient=PatientFactory.build(reminders_consent=True, reminders_consent_changed_at=None),
        by=receptionist,
    )

    change = patient.consent_changes.get()
    assert change.given
    assert change.recorded_by == receptionist
    assert change.source == ConsentChange.Source.STAFF
    assert change.changed_at == patient.reminders_consent_changed_at


def test_a_new_patient_without_consent_records_no_change():
    patient = patient_save(
        patient=PatientFactory.build(reminders_consent=False, reminders_consent_changed_at=None)
    )

    assert not patient.consent_changes.exists()
    assert patient.reminders_consent_changed_at is None


def test_withdrawing_consent_when_editing_a_patient_is_recorded():
    patient = patient_save(patient=PatientFactory.build(reminders_consent=True))
    patient.reminders_consent = False

    patient_save(patient=patient)

    assert list(patient.consent_changes.values_list("given", flat=True)) == [False, True]


def test_editing_a_patient_without_touching_consent_records_nothing_new():
    patient = patient_save(patient=PatientFactory.build(reminders_consent=True))
    patient.notes = "prefers mornings"

    patient_save(patient=patient)

    assert patient.consent_changes.count() == 1


def test_setting_consent_to_what_it_already_is_changes_nothing():
    patient = PatientFactory(reminders_consent=True)

    assert patient_set_reminders_consent(patient=patient, given=True) is False
    assert not patient.consent_changes.exists()


def test_a_patient_can_withdraw_consent_through_a_link():
    patient = PatientFactory(reminders_consent=True)

    assert patient_set_reminders_consent(
        patient=patient, given=False, source=ConsentChange.Source.PATIENT_LINK
    )

    patient.refresh_from_db()
    assert not patient.reminders_consent
    change = patient.consent_changes.get()
    assert change.source == ConsentChange.Source.PATIENT_LINK
    assert change.changed_at == patient.reminders_consent_changed_at


def test_staff_record_consent_for_several_patients_with_the_admin_action(admin_client):
    patients = [PatientFactory(reminders_consent=False) for _ in range(2)]
    already = PatientFactory(reminders_consent=True)

    response = admin_client.post(
        reverse("admin:patients_patient_changelist"),
        {
            "action": "record_consent_given",
            "_selected_action": [p.pk for p in [*patients, already]],
        },
        follow=True,
    )

    assert "Consent recorded for 2 patients." in response.content.decode()
    assert Patient.objects.filter(reminders_consent=True).count() == 3
    assert ConsentChange.objects.count() == 2
    assert set(ConsentChange.objects.values_list("recorded_by__is_superuser", flat=True)) == {True}


def test_staff_who_may_only_read_consent_see_a_patients_consent_changes(client):
    patient = PatientFactory()
    patient_set_reminders_consent(patient=patient, given=False, by=None)
    therapist = staff_with_role(THERAPIST)
    CourseFactory(patient=patient, therapist=therapist)
    client.force_login(therapist)

    response = client.get(reverse("admin:patients_patient_change", args=[patient.pk]))

    assert response.status_code == 200
    assert str(ConsentChange.objects.get(patient=patient)) == "withdrawn"
