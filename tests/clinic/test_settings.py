"""Settings are read in a fresh interpreter with a clean environment, as at a real start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start_django(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "CLINIC_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
            "settings.CELERY_BROKER_URL, settings.CLINIC_THERAPEUTIC_SESSIONS)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_clinic_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = start_django(tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_clinic_starts_with_a_secret_key_on_the_embedded_defaults(tmp_path):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.sqlite3",
        "filesystem://localhost//",
        "(10,",
        "15)",
    ]


def test_empty_database_and_broker_urls_mean_the_embedded_defaults(tmp_path):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", DATABASE_URL="", REDIS_URL="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1:3] == ["django.db.backends.sqlite3", "filesystem://localhost//"]


def test_debug_mode_starts_without_a_secret_key(tmp_path):
    result = start_django(tmp_path, DEBUG="1")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "perhaps", "DEBUG must be one of"),
        ("CLINIC_THERAPEUTIC_SESSIONS", "15-10", "CLINIC_THERAPEUTIC_SESSIONS must"),
        ("CLINIC_HONEY_MIN_DAYS_BETWEEN", "three", "whole number"),
        ("CLINIC_PHONE_REGION", "UK", "CLINIC_PHONE_REGION must be a two-letter country code"),
    ],
)
def test_a_bad_value_stops_the_start_with_the_variable_named(tmp_path, variable, value, message):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_the_database_and_broker_urls_switch_to_postgresql_and_redis(tmp_path):
    result = start_django(
        tmp_path,
        SECRET_KEY="a-real-secret",
        DATABASE_URL="postgres://clinic@db.example:5432/clinic",
        REDIS_URL="redis://redis.example:6379/0",
        CLINIC_THERAPEUTIC_SESSIONS="8-12",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "django.db.backends.postgresql",
        "redis://redis.example:6379/0",
        "(8,",
        "12)",
    ]
