"""A lease or a visibility timeout that would let a message go out twice stops the start."""

import pytest

from tests.clinic.test_settings import start_django


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CLINIC_MESSAGE_LEASE_SECONDS": "5"},
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 450 (one send attempt's time limit, "
            "150 s from EMAIL_TIMEOUT and CLINIC_MESSAGE_MARK_RETRY_SECONDS, plus the "
            "longest retry wait, 300 s",
        ),
        # Ten seconds a wait, a minute for the mark, two retries of 60 and 120 s: 30 + 60 + 120.
        (
            {
                "CLINIC_MESSAGE_LEASE_SECONDS": "210",
                "EMAIL_TIMEOUT": "10",
                "CLINIC_MESSAGE_MAX_RETRIES": "2",
            },
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 210",
        ),
        # No retries and no mark window: the SMTP conversation alone.
        (
            {
                "CLINIC_MESSAGE_LEASE_SECONDS": "30",
                "CLINIC_MESSAGE_MAX_RETRIES": "0",
                "CLINIC_MESSAGE_MARK_RETRY_SECONDS": "0",
            },
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 90",
        ),
        # A long EMAIL_TIMEOUT lengthens the attempt beyond the default lease.
        ({"EMAIL_TIMEOUT": "300"}, "CLINIC_MESSAGE_LEASE_SECONDS must be above 1260"),
        (
            {"REDIS_URL": "redis://redis.example:6379/0", "CELERY_VISIBILITY_TIMEOUT": "60"},
            "CELERY_VISIBILITY_TIMEOUT must be above 450 (the tasks' time limits",
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
            "CLINIC_MESSAGE_LEASE_SECONDS": "211",
            "EMAIL_TIMEOUT": "10",
            "CLINIC_MESSAGE_MAX_RETRIES": "2",
        },
        {
            "CLINIC_MESSAGE_LEASE_SECONDS": "91",
            "CLINIC_MESSAGE_MAX_RETRIES": "0",
            "CLINIC_MESSAGE_MARK_RETRY_SECONDS": "0",
        },
        {"REDIS_URL": "redis://redis.example:6379/0", "CELERY_VISIBILITY_TIMEOUT": "451"},
    ],
)
def test_a_lease_or_visibility_timeout_just_above_its_floor_is_accepted(tmp_path, env):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", **env)

    assert result.returncode == 0, result.stderr
