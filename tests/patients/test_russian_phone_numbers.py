"""A clinic in Russia (CLINIC_PHONE_REGION=RU) types its patients' numbers the Russian
ways, with the trunk 8, with +7 or with neither, and reads them the national way."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients.models import Patient
from patients.services import patient_save
from tests.admin.patient_page import patient_page_data
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

AS_TYPED = [
    "8 (916) 123-45-67",
    "8-916-123-45-67",
    "+7 916 123 45 67",
    "89161234567",
    "79161234567",
    # Ten digits without a prefix: what a Russian number is without its trunk 8.
    "9161234567",
]


@pytest.fixture(autouse=True)
def russian_clinic(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "RU"


@pytest.mark.parametrize("typed", AS_TYPED)
def test_a_russian_number_typed_in_any_common_way_is_stored_in_e164(typed):
    patient = patient_save(patient=PatientFactory.build(phone=typed))

    assert Patient.objects.filter(pk=patient.pk).values_list("phone", flat=True).get() == (
        "+79161234567"
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("+44 20 7946 0035", "+442079460035"), ("+375 29 123-45-67", "+375291234567")],
)
def test_a_number_of_another_country_typed_with_its_code_keeps_it(typed, stored):
    patient = patient_save(patient=PatientFactory.build(phone=typed))

    assert str(Patient.objects.get(pk=patient.pk).phone) == stored


@pytest.mark.parametrize("typed", ["8 (916) 123-45", "916123456", "8 800 ЗВОНИ", "020 7946 0035"])
def test_a_number_that_is_not_a_russian_one_is_refused_and_nothing_is_saved(typed):
    with pytest.raises(ValidationError) as caught:
        patient_save(patient=PatientFactory.build(phone=typed))

    assert caught.value.message_dict["phone"] == ["The phone number entered is not valid."]
    assert not Patient.objects.exists()


def test_the_patient_page_refuses_a_bad_number_with_a_russian_example(admin_client):
    response = admin_client.post(
        reverse("admin:patients_patient_add"), patient_page_data(phone="8 916 12")
    )

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["phone"]
    assert error.startswith("Enter a valid phone number (e.g. 8 (")
    assert not Patient.objects.exists()


def test_the_patient_page_shows_a_russian_number_the_national_way(admin_client):
    patient = PatientFactory(phone="+79161234567")

    page = admin_client.get(reverse("admin:patients_patient_change", args=[patient.pk]))

    assert 'value="8 (916) 123-45-67"' in page.content.decode()


def test_the_patient_page_shows_a_foreign_number_with_its_country_code(admin_client):
    patient = PatientFactory(phone="+442079460035")

    page = admin_client.get(reverse("admin:patients_patient_change", args=[patient.pk]))

    assert 'value="+442079460035"' in page.content.decode()


@pytest.mark.parametrize("typed", AS_TYPED)
def test_the_patient_list_finds_a_russian_number_however_it_is_typed(admin_client, typed):
    # No digits in the other fields: the search looks for each typed word ("67") in every
    # field, and a factory's e-mail "patient67@..." would be found by it.
    patient = PatientFactory(phone="+79161234567", email="maria@example.test")
    PatientFactory(phone="+79161234568", email="olga@example.test")

    page = admin_client.get(reverse("admin:patients_patient_changelist"), {"q": typed})

    assert [found.pk for found in page.context["cl"].result_list] == [patient.pk]
