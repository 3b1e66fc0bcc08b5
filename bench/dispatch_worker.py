"""Messages sent per second by a real Celery worker of one process, into a local SMTP
server, through Redis.

Run against a scratch database and a Redis database of its own (it is flushed):
    DATABASE_URL=postgres://.../scratch CLINIC_TEST_REDIS_URL=redis://127.0.0.1:6379/N \
        python manage.py shell < bench/dispatch_worker.py
It makes BENCH_MESSAGES (default 1,000) due end-of-course follow-ups, starts aiosmtpd
and ``celery -A clinic worker --concurrency 1``, publishes one dispatch per
CLINIC_DISPATCH_BATCH_SIZE, and times the first message arriving to the last; then
removes what it made.
"""

import datetime as dt
import logging
import os
import tempfile
import time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from courses.models import Course
from messaging.models import Message
from tests.factories import CourseFactory
from tests.messaging.real_parts import (
    SMTPServer,
    Workers,
    flush_redis,
    publish_dispatch,
    wait_for,
)

COUNT = int(os.environ.get("BENCH_MESSAGES", "1000"))
logging.getLogger("mail.log").setLevel(logging.WARNING)

with transaction.atomic():
    course = CourseFactory(
        status=Course.Status.COMPLETED,
        start_date=timezone.localdate() - dt.timedelta(days=60),
        end_date=timezone.localdate() - dt.timedelta(days=1),
    )
    Message.objects.bulk_create(
        Message(
            kind=Message.Kind.END_OF_COURSE_FOLLOW_UP,
            patient=course.patient,
            course=course,
            number=n,
            due_at=timezone.now() - dt.timedelta(minutes=1),
        )
        for n in range(1, COUNT + 1)
    )
flush_redis()
with SMTPServer() as smtp, tempfile.TemporaryDirectory() as logs:
    workers = Workers(
        smtp_port=smtp.port,
        log_dir=Path(logs),
        EMAIL_BACKEND="messaging.smtp.EmailBackend",
        CLINIC_DISPATCH_BATCH_SIZE="500",
    )
    try:
        workers.start("bench", concurrency=1)
        time.sleep(8)  # the worker's start
        publish_dispatch(times=COUNT // 500 + 1)
        assert wait_for(lambda: smtp.inbox.received, timeout=60), workers.logs()
        started = time.perf_counter()
        done = wait_for(lambda: len(smtp.inbox.received) >= COUNT, timeout=600, every=0.05)
        elapsed = time.perf_counter() - started
        print(
            f"{len(smtp.inbox.received)} of {COUNT} messages in {elapsed:.2f} s after the "
            f"first: {len(smtp.inbox.received) / elapsed:.0f} messages/s, one worker "
            f"process, {smtp.inbox.connections} SMTP connections"
        )
    finally:
        workers.stop_all()
        flush_redis()
        Message.objects.filter(course=course).delete()
        patient = course.patient
        course.delete()
        patient.delete()
