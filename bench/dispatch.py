"""The dispatch: due messages sent by one process (``send_due_messages``) into a local
SMTP server (aiosmtpd, in a process of its own: ``bench.smtp_sink``), in messages per
second."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from django.utils import timezone

from bench.served import _free_port

ROOT = Path(__file__).resolve().parent.parent
# A number no real follow-up has, so the benchmark's messages never clash with the
# seeded ones (one message of a kind and number per course).
NUMBER = 9_999


def make_due(count: int) -> int:
    """End-of-course follow-ups due a minute ago, one per completed course of a patient
    who may be written to."""
    from courses.models import Course
    from messaging.models import Message

    courses = (
        Course.objects.filter(status=Course.Status.COMPLETED, patient__reminders_consent=True)
        .exclude(patient__email="")
        .order_by("pk")
        .values_list("pk", "patient_id")[:count]
    )
    due_at = timezone.now() - dt.timedelta(minutes=1)
    made = Message.objects.bulk_create(
        Message(
            kind=Message.Kind.END_OF_COURSE_FOLLOW_UP,
            patient_id=patient_id,
            course_id=course_id,
            number=NUMBER,
            due_at=due_at,
        )
        for course_id, patient_id in courses
    )
    return len(made)


def dispatch(*, messages: int, env: dict[str, str]) -> dict:
    made = make_due(messages)
    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.smtp_sink", str(port)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if sink.stdout.readline().strip() != "ready":
            raise RuntimeError("The SMTP server did not start.")
        env = {
            **env,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            # Whatever the time of day the benchmark runs at.
            "CLINIC_SENDING_HOURS": "00:00-24:00",
            "CLINIC_DISPATCH_BATCH_SIZE": str(max(messages * 2, 1)),
        }
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "send_due_messages"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        arrivals = json.loads(sink.communicate(timeout=30)[0])
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.wait()
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else None
    return {
        "made": made,
        "received": len(arrivals),
        "wall_seconds": wall,
        # Between the first message and the last: the process's start-up and the claim
        # are not the sending.
        "per_second": (len(arrivals) - 1) / span if span else None,
        "processes": 1,
    }
