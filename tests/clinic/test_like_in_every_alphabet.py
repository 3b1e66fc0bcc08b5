"""Case-insensitive matching (``iexact``, ``icontains``, the admin's search) ignores case
in every alphabet, on SQLite as on PostgreSQL."""

import pytest

from clinic.sqlite import like
from patients.models import Patient
from tests.factories import PatientFactory


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("%петровна%", "Иванова Мария Петровна", True),
        ("ИВАНОВА", "Иванова", True),
        ("%arthur%", "ARTHUR Smith", True),
        ("a\\%b", "a%b", True),  # an escaped % is itself
        ("a\\%b", "axb", False),
        ("a_c", "abc", True),
        ("a_c", "ac", False),
        ("%line%", "first\nline two", True),
    ],
)
def test_like_matches_as_sql_does_whatever_the_case(pattern, value, matches):
    assert like(pattern, value, "\\") is matches


def test_like_of_null_is_null():
    assert like(None, "x") is None
    assert like("x", None) is None


@pytest.mark.django_db
def test_a_search_in_cyrillic_finds_a_name_whatever_its_case():
    maria = PatientFactory(first_name="Мария", last_name="Иванова", patronymic="Петровна")
    PatientFactory(first_name="Ольга", last_name="Смирнова", patronymic="Игоревна")

    assert list(Patient.objects.filter(patronymic__icontains="петров")) == [maria]
    assert list(Patient.objects.filter(last_name__iexact="ИВАНОВА")) == [maria]
