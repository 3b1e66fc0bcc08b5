import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patients.models import Patient
from patients.services import patient_save
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_a_patient_needs_a_phone_or_an_e_mail():
    patient = PatientFactory.build(phone="", email="")

    with pytest.raises(ValidationError, match="phone number or an e-mail"):
        patient_save(patient=patient)

    assert not Patient.objects.exists()


@pytest.mark.parametrize(("phone", "email"), [("+44 20 7946 0123", ""), ("", "a@example.test")])
def test_either_a_phone_or_an_e_mail_is_enough(phone, email):
    patient_save(patient=PatientFactory.build(phone=phone, email=email))

    assert Patient.objects.count() == 1


@pytest.mark.parametrize(
    "born",
    [dt.date(1899, 12, 31), timezone.localdate() + dt.timedelta(days=1)],
    ids=["before-1900", "tomorrow"],
)
def test_a_date_of_birth_outside_1900_to_today_is_refused(born):
    with pytest.raises(ValidationError, match="date of birth between 1900 and today"):
        patient_save(patient=PatientFactory.build(date_of_birth=born))


def test_a_badly_formed_e_mail_is_refused():
    with pytest.raises(ValidationError) as caught:
        patient_save(patient=PatientFactory.build(email="not-an-address"))

    assert "email" in caught.value.message_dict


def test_patients_are_found_in_the_admin_by_name_phone_or_e_mail(admin_client):
    from django.urls import reverse

    PatientFactory(first_name="Agnes", last_name="Whitlock", phone="+44 20 7946 0555")
    PatientFactory(first_name="Bruno", last_name="Castell", email="bruno@example.test")
    url = reverse("admin:patients_patient_changelist")

    for term, expected in [
        ("Whitlock", "Agnes"),
        ("0555", "Agnes"),
        ("bruno@example", "Bruno"),
    ]:
        page = admin_client.get(url, {"q": term}).content.decode()
        assert expected in page
        assert ({"Agnes", "Bruno"} - {expected}).pop() not in page
