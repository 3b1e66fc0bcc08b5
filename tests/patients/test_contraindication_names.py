"""The seeded contraindications are named in the clinic's language, and only the names staff
have left as seeded are ever renamed."""

import importlib

import pytest
from django.core.management import call_command

from patients.models import Contraindication
from tests.factories import contraindication
from tests.translation_files import write_mo

# A few entries as the Russian catalogue has them. The test writes its own catalogue so
# that it checks the mechanism whatever the project's catalogue holds.
RUSSIAN = {
    "Bronchial asthma": "Бронхиальная астма",
    "Hypertension": "Гипертоническая болезнь",
    "Fever of any cause": "Повышенная температура тела любого происхождения",
}


@pytest.fixture
def russian_catalogue(settings, tmp_path):
    write_mo(tmp_path / "ru" / "LC_MESSAGES" / "django.mo", RUSSIAN)
    settings.LOCALE_PATHS = [tmp_path]


def names() -> dict[str, str]:
    return dict(Contraindication.objects.values_list("code", "name"))


def run_migration(module: str, function: str) -> None:
    from django.apps import apps

    getattr(importlib.import_module(f"patients.migrations.{module}"), function)(apps, None)


def rename_migration() -> None:
    run_migration("0008_contraindication_names_in_clinic_language", "rename")


def test_a_russian_clinics_new_database_has_the_catalogue_in_russian(
    db, settings, russian_catalogue
):
    settings.LANGUAGE_CODE = "ru"
    Contraindication.objects.all().delete()

    run_migration("0002_seed_contraindications", "seed")

    assert names()["bronchial-asthma"] == "Бронхиальная астма"
    assert names()["hypertension"] == "Гипертоническая болезнь"
    assert Contraindication.objects.filter(name__icontains="астма").count() == 1
    # An entry the catalogue has no Russian for keeps its English name rather than none.
    assert names()["aneurysm"] == "Aneurysm"


def test_an_english_clinics_new_database_has_the_catalogue_in_english(db, russian_catalogue):
    Contraindication.objects.all().delete()

    run_migration("0002_seed_contraindications", "seed")

    assert names()["bronchial-asthma"] == "Bronchial asthma"
    assert len(names()) == 28


def test_a_russian_clinic_made_before_the_translation_gets_the_seeded_names_in_russian(
    db, settings, russian_catalogue
):
    settings.LANGUAGE_CODE = "ru"

    rename_migration()

    assert names()["bronchial-asthma"] == "Бронхиальная астма"
    assert names()["fever"] == "Повышенная температура тела любого происхождения"


def test_a_name_staff_have_changed_is_left_alone(db, settings, russian_catalogue):
    Contraindication.objects.filter(code="hypertension").update(name="Hypertension (stage II+)")
    settings.LANGUAGE_CODE = "ru"

    rename_migration()

    assert names()["hypertension"] == "Hypertension (stage II+)"
    assert names()["bronchial-asthma"] == "Бронхиальная астма"


def test_a_seeded_entry_is_not_renamed_to_a_name_staff_already_gave_another(
    db, settings, russian_catalogue
):
    Contraindication.objects.create(code="astma", name="Бронхиальная астма", kind="absolute")
    settings.LANGUAGE_CODE = "ru"

    rename_migration()

    assert names()["bronchial-asthma"] == "Bronchial asthma"
    assert names()["hypertension"] == "Гипертоническая болезнь"


def test_an_english_clinic_keeps_the_english_names(db, russian_catalogue):
    before = names()

    rename_migration()

    assert names() == before
    assert contraindication("bronchial-asthma").name == "Bronchial asthma"


def test_a_clinic_back_in_english_gets_the_english_names_from_the_command(
    db, settings, russian_catalogue, capsys
):
    settings.LANGUAGE_CODE = "ru"
    rename_migration()
    Contraindication.objects.filter(code="hypertension").update(name="Гипертония")
    settings.LANGUAGE_CODE = "en-gb"

    call_command("rename_contraindications")

    assert names()["bronchial-asthma"] == "Bronchial asthma"
    assert names()["fever"] == "Fever of any cause"
    assert names()["hypertension"] == "Гипертония"
    assert "Contraindications renamed: 2." in capsys.readouterr().out
