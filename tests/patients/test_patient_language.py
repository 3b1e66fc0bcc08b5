"""Each patient has a language for their e-mails and pages (blank: the clinic's): staff
see and change it beside the contact details, the patient's history records a change,
and the patient's data export carries it."""

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients.models import Patient
from patients.services import patient_export_data, patient_language_set
from tests.admin.patient_page import patient_page_data
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_the_patient_page_shows_the_language_beside_the_contact_details(admin_client):
    patient = PatientFactory(language="ru")

    page = lxml.html.fromstring(
        admin_client.get(
            reverse("admin:patients_patient_change", args=[patient.pk])
        ).content.decode()
    )

    [contact] = [f for f in page.xpath("//fieldset") if "Contact" in f.text_content()]
    [select] = contact.xpath(".//select[@name='language']")
    options = [(o.get("value"), o.text) for o in select.xpath("./option")]
    assert options == [
        # Blank is a choice of its own: the patient follows the clinic's language.
        ("", "The clinic's (English)"),
        ("en-gb", "English"),
        ("ru", "Русский"),
    ]
    assert select.xpath("./option[@selected]/@value") == ["ru"]


def test_staff_register_a_patient_with_a_language(admin_client):
    response = admin_client.post(
        reverse("admin:patients_patient_add"), patient_page_data(language="ru")
    )

    assert response.status_code == 302
    assert Patient.objects.get().language == "ru"


def test_a_patient_registered_without_a_language_follows_the_clinics(admin_client, settings):
    admin_client.post(reverse("admin:patients_patient_add"), patient_page_data(language=""))
    patient = Patient.objects.get()

    settings.LANGUAGE_CODE = "ru"

    assert (patient.language, patient.effective_language) == ("", "ru")


@pytest.mark.parametrize("value", ["de", "en", "ru-ru", "x" * 20])
def test_the_patient_page_refuses_a_language_the_clinic_does_not_offer(admin_client, value):
    response = admin_client.post(
        reverse("admin:patients_patient_add"), patient_page_data(language=value)
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Patient.objects.exists()


def test_the_service_refuses_a_language_the_clinic_does_not_offer_and_saves_nothing():
    patient = PatientFactory(language="ru")
    history = Patient.history.filter(id=patient.pk).count()

    with pytest.raises(ValidationError) as refused:
        patient_language_set(patient=patient, language="de")

    assert refused.value.message_dict == {"language": ["de is not a language the clinic offers."]}
    patient.refresh_from_db()
    assert patient.language == "ru"
    assert Patient.history.filter(id=patient.pk).count() == history


def test_choosing_the_language_already_chosen_changes_nothing():
    patient = PatientFactory(language="ru")
    history = Patient.history.filter(id=patient.pk).count()

    assert patient_language_set(patient=patient, language="ru") is False
    assert Patient.history.filter(id=patient.pk).count() == history


def test_the_patients_data_export_carries_their_language_and_its_changes():
    patient = PatientFactory()
    patient_language_set(patient=patient, language="ru")

    data = patient_export_data(patient=patient)

    assert data["patient"]["fields"]["language"] == "ru"
    assert [row["fields"]["language"] for row in data["history"]["patients.patient"]] == [
        "",
        "ru",
    ]
