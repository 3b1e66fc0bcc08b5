"""A Moscow clinic's demo: Russian people, Russian notes, Russian numbers."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from hours.models import ClosedDay, TimeOff
from messaging.models import Feedback
from patients.models import Patient, PatientContraindication

pytestmark = pytest.mark.django_db

LATIN = re.compile("[A-Za-z]")
CYRILLIC = re.compile("^[А-Яа-яЁё -]+$")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(**options) -> None:
    call_command("seed_demo", patients=12, password="demo", stdout=StringIO(), **options)


def test_a_clinic_whose_language_is_russian_gets_russian_patients_with_patronymics(settings):
    settings.LANGUAGE_CODE = "ru"

    seed()

    names = [(p.last_name, p.first_name, p.patronymic) for p in Patient.objects.all()]
    assert ("Смирнов", "Алексей", "Игоревич") in names
    assert ("Иванова", "Мария", "Петровна") in names
    assert all(CYRILLIC.match(part) for name in names for part in name)


def test_a_russian_womans_surname_and_patronymic_are_in_the_feminine_and_a_mans_not(settings):
    settings.LANGUAGE_CODE = "ru"

    seed()

    for patient in Patient.objects.all():
        if patient.patronymic.endswith("на"):
            assert not patient.last_name.endswith(("ов", "ев", "ёв", "ин", "ий")), patient
        else:
            assert patient.patronymic.endswith("ич"), patient
            assert not patient.last_name.endswith(("ова", "ева", "ёва", "ина", "ая")), patient


def test_the_russian_demos_staff_and_everything_they_and_the_patients_wrote_is_in_russian(
    settings,
):
    settings.LANGUAGE_CODE = "ru"

    seed()

    staff = get_user_model().objects.all()
    assert all(CYRILLIC.match(f"{user.first_name} {user.last_name}") for user in staff)
    written = [
        *Feedback.objects.exclude(comment="").values_list("comment", flat=True),
        *PatientContraindication.objects.exclude(area="").values_list("area", flat=True),
        *TimeOff.objects.values_list("reason", flat=True),
        *ClosedDay.objects.values_list("reason", flat=True),
        *Patient.objects.values_list("courses__visits__notes", flat=True).exclude(
            courses__visits__notes=""
        ),
    ]
    assert len(written) > 5
    assert not [text for text in written if text and LATIN.search(text)]


def test_the_russian_demo_can_be_asked_for_whatever_the_clinics_language(settings):
    settings.LANGUAGE_CODE = "en-gb"

    seed(language="ru")

    assert Patient.objects.filter(last_name="Смирнов", patronymic="Игоревич").exists()
    assert get_user_model().objects.filter(username="anna.kovaleva").exists()


def test_an_english_clinics_demo_has_no_patronymics(settings):
    settings.LANGUAGE_CODE = "en-gb"

    seed()

    assert Patient.objects.filter(last_name="Smith", first_name="Oliver").exists()
    assert not Patient.objects.exclude(patronymic="").exists()
