"""A lease or a visibility timeout that would let a message go out twice stops the start."""

import pytest

from tests.clinic.test_settings import start_django


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CLINIC_MESSAGE_LEASE_SECONDS": "5"},
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 750 (one send attempt's time limit, "
            "from EMAIL_TIMEOUT, EMAIL_DATA_TIMEOUT and CLINIC_MESSAGE_MARK_RETRY_SECONDS); "
            "got 5",
        ),
        # Ten seconds a command, a minute for the end of DATA, no time for the mark: 90.
        (
            {
                "CLINIC_MESSAGE_LEASE_SECONDS": "90",
                "EMAIL_TIMEOUT": "10",
                "EMAIL_DATA_TIMEOUT": "60",
                "CLINIC_MESSAGE_MARK_RETRY_SECONDS": "0",
            },
            "CLINIC_MESSAGE_LEASE_SECONDS must be above 90",
        ),
        # A longer wait lengthens the attempt beyond the default lease.
        ({"EMAIL_TIMEOUT": "90"}, "CLINIC_MESSAGE_LEASE_SECONDS must be above 930"),
        ({"EMAIL_DATA_TIMEOUT": "900"}, "CLINIC_MESSAGE_LEASE_SECONDS must be above 1050"),
        (
            {"REDIS_URL": "redis://redis.example:6379/0", "CELERY_VISIBILITY_TIMEOUT": "60"},
            "CELERY_VISIBILITY_TIMEOUT must be above 750 (the tasks' time limits); got 60",
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
            "CLINIC_MESSAGE_LEASE_SECONDS": "91",
            "EMAIL_TIMEOUT": "10",
            "EMAIL_DATA_TIMEOUT": "60",
            "CLINIC_MESSAGE_MARK_RETRY_SECONDS": "0",
        },
        {"CLINIC_MESSAGE_LEASE_SECONDS": "751"},
        {"REDIS_URL": "redis://redis.example:6379/0", "CELERY_VISIBILITY_TIMEOUT": "751"},
    ],
)
def test_a_lease_or_visibility_timeout_just_above_its_floor_is_accepted(tmp_path, env):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", **env)

    assert result.returncode == 0, result.stderr
