"""A lease or a visibility timeout that would let a message go out twice stops the start."""

import os
import subprocess
import sys

import pytest

from tests.clinic.test_settings import ROOT, start_django


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


def test_the_retired_retry_count_stops_the_start_naming_what_replaced_it(tmp_path):
    result = start_django(tmp_path, SECRET_KEY="a-real-secret", CLINIC_MESSAGE_MAX_RETRIES="4")

    assert result.returncode != 0
    assert "CLINIC_MESSAGE_MAX_RETRIES is no longer read" in result.stderr
    assert "CLINIC_MESSAGE_RETRY_HOURS_POST_VISIT_CHECK_IN" in result.stderr


# The processes an installation runs. Were the refusal missing, the worker and beat would
# try to reach the dead broker address and runserver would serve, until the timeout.
PROCESSES = {
    "worker": ["-m", "celery", "-A", "clinic", "worker", "--pool", "solo"],
    "beat": ["-m", "celery", "-A", "clinic", "beat", "--schedule", "{var}/celerybeat-schedule"],
    "check": ["manage.py", "check"],
    "runserver": ["manage.py", "runserver", "127.0.0.1:0"],
}


@pytest.mark.parametrize("process", PROCESSES)
@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CLINIC_MESSAGE_LEASE_SECONDS": "5"}, "CLINIC_MESSAGE_LEASE_SECONDS must be above"),
        ({"CELERY_VISIBILITY_TIMEOUT": "60"}, "CELERY_VISIBILITY_TIMEOUT must be above"),
        ({"CLINIC_MESSAGE_MAX_RETRIES": "4"}, "CLINIC_MESSAGE_MAX_RETRIES is no longer read"),
    ],
)
def test_each_process_of_an_installation_refuses_to_start_on_an_unsafe_setting(
    tmp_path, process, env, named
):
    result = subprocess.run(
        [sys.executable, *(arg.format(var=tmp_path) for arg in PROCESSES[process])],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "CLINIC_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "a-real-secret",
            # Nothing listens there: a process that started would wait for it.
            "REDIS_URL": "redis://127.0.0.1:1/0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert named in result.stderr
