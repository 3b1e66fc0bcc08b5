"""Phone numbers are stored in E.164 and found however staff type them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from patients.models import Patient
from patients.services import patient_save
from tests.admin.patient_page import patient_page_data
from tests.factories import CourseFactory, PatientFactory

pytestmark = pytest.mark.django_db

# One number as people write it: national, international, without the +, with brackets.
AS_TYPED = ["020 7946 0035", "+44 20 7946 0035", "442079460035", "(020) 7946-0035"]


@pytest.mark.parametrize("typed", AS_TYPED)
def test_a_phone_number_typed_in_any_common_format_is_stored_in_e164(typed):
    patient = patient_save(patient=PatientFactory.build(phone=typed))

    assert Patient.objects.filter(pk=patient.pk).values_list("phone", flat=True).get() == (
        "+442079460035"
    )


def test_a_number_with_its_own_country_code_keeps_it():
    patient = patient_save(patient=PatientFactory.build(phone="+1 202-555-0143"))

    assert str(Patient.objects.get(pk=patient.pk).phone) == "+12025550143"


def test_a_national_number_is_read_as_the_clinics_country_set_in_the_settings(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "IE"

    patient = patient_save(patient=PatientFactory.build(phone="01 234 5678"))

    assert str(Patient.objects.get(pk=patient.pk).phone) == "+35312345678"


@pytest.mark.parametrize("typed", ["hello", "123", "020 7946 003", "0800 IS NOT"])
def test_a_phone_that_is_not_a_valid_number_is_refused_and_nothing_is_saved(typed):
    with pytest.raises(ValidationError) as caught:
        patient_save(patient=PatientFactory.build(phone=typed))

    assert caught.value.message_dict["phone"] == ["The phone number entered is not valid."]
    assert not Patient.objects.exists()


def test_the_patient_page_explains_a_phone_number_it_cannot_read(admin_client):
    data = patient_page_data(phone="0207 946")

    response = admin_client.post(reverse("admin:patients_patient_add"), data)

    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["phone"]
    assert error.startswith("Enter a valid phone number (e.g. ")
    assert "or a number with an international call prefix" in error
    assert not Patient.objects.exists()


def test_the_patient_page_shows_the_clinics_own_numbers_the_national_way(admin_client):
    patient = PatientFactory(phone="+442079460035")

    page = admin_client.get(reverse("admin:patients_patient_change", args=[patient.pk]))

    assert 'value="020 7946 0035"' in page.content.decode()


@pytest.fixture
def agnes_and_bruno() -> tuple[Patient, Patient]:
    return (
        PatientFactory(first_name="Agnes", last_name="Whitlock", phone="+442079460035"),
        PatientFactory(first_name="Bruno", last_name="Castell", phone="+442079460036"),
    )


@pytest.mark.parametrize("typed", AS_TYPED)
def test_the_patient_list_finds_a_patient_by_phone_in_any_format(
    admin_client, agnes_and_bruno, typed
):
    response = admin_client.get(reverse("admin:patients_patient_changelist"), {"q": typed})

    assert list(response.context["cl"].result_list) == [agnes_and_bruno[0]]


@pytest.mark.parametrize("typed", AS_TYPED)
def test_the_course_pages_patient_picker_finds_a_patient_by_phone_in_any_format(
    admin_client, agnes_and_bruno, typed
):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "courses", "model_name": "course", "field_name": "patient", "term": typed},
    )

    assert [r["text"] for r in response.json()["results"]] == ["Agnes Whitlock"]


@pytest.mark.parametrize("typed", AS_TYPED)
def test_the_course_list_finds_a_course_by_its_patients_phone_in_any_format(
    admin_client, agnes_and_bruno, typed
):
    agnes, bruno = agnes_and_bruno
    course = CourseFactory(patient=agnes)
    CourseFactory(patient=bruno)

    response = admin_client.get(reverse("admin:courses_course_changelist"), {"q": typed})

    assert [c.pk for c in response.context["cl"].result_list] == [course.pk]


@pytest.mark.parametrize(("term", "found"), [("0035", "Agnes"), ("Castell", "Bruno")])
def test_part_of_a_number_and_names_are_still_searched_as_before(
    admin_client, agnes_and_bruno, term, found
):
    response = admin_client.get(reverse("admin:patients_patient_changelist"), {"q": term})

    assert [p.first_name for p in response.context["cl"].result_list] == [found]
