"""The clinic's LANGUAGE_CODE must be one the product speaks: anything else is refused at
start, naming the variable (Django's "en" would even read dates the US way)."""

import pytest

from tests.clinic.test_settings import start_django


@pytest.mark.parametrize("code", ["ru", "en-gb"])
def test_the_clinic_starts_in_a_language_it_speaks(tmp_path, code):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", LANGUAGE_CODE=code)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("code", ["en", "en-us", "de", "RU", "ru-ru"])
def test_the_clinic_refuses_to_start_in_a_language_it_does_not_speak(tmp_path, code):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", LANGUAGE_CODE=code)

    assert result.returncode != 0
    assert f"LANGUAGE_CODE must be en-gb or ru; got {code!r}" in result.stderr
