"""A lease or a visibility timeout that would let a message go out twice stops the start."""

import pytest

from tests.clinic.test_settings import start_django


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CLINIC_MESSAGE_LEASE_SECONDS": "5"},
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 390 (one send attempt's time limit, "
            "90 s from EMAIL_TIMEOUT, plus the longest retry wait, 300 s",
        ),
        # Ten seconds a wait, two retries of 60 and 120 s: 30 + 120.
        (
            {
                "CLINIC_MESSAGE_LEASE_SECONDS": "150",
                "EMAIL_TIMEOUT": "10",
                "CLINIC_MESSAGE_MAX_RETRIES": "2",
            },
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 150",
        ),
        # No retries: one attempt alone.
        (
            {"CLINIC_MESSAGE_LEASE_SECONDS": "90", "CLINIC_MESSAGE_MAX_RETRIES": "0"},
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 90",
        ),
        # A long EMAIL_TIMEOUT lengthens the attempt beyond the default lease.
        ({"EMAIL_TIMEOUT": "300"}, "CLINIC_MESSAGE_LEASE_SECONDS must be above 1200"),
        (
            {"REDIS_URL": "redis://redis.example:6379/0", "CELERY_VISIBILITY_TIMEOUT": "60"},
            "CELERY_VISIBILITY_TIMEOUT must be above 390 (the tasks' time limits",
        ),
    ],
)
def test_an_unsafe_lease_or_visibility_timeout_stops_the_start_with_the_variable_named(
    tmp_path, env, message
):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", **env)

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "env",
    [
        {
            "CLINIC_MESSAGE_LEASE_SECONDS": "151",
            "EMAIL_TIMEOUT": "10",
            "CLINIC_MESSAGE_MAX_RETRIES": "2",
        },
        {"CLINIC_MESSAGE_LEASE_SECONDS": "91", "CLINIC_MESSAGE_MAX_RETRIES": "0"},
        {"REDIS_URL": "redis://redis.example:6379/0", "CELERY_VISIBILITY_TIMEOUT": "391"},
    ],
)
def test_a_lease_or_visibility_timeout_just_above_its_floor_is_accepted(tmp_path, env):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", **env)

    assert result.returncode == 0, result.stderr
