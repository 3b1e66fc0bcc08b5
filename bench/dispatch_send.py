"""Messages sent per second by one process: dispatch and send into a local SMTP server.

Run against a scratch database, never production:
    CLINIC_SENDING_HOURS=00:00-24:00 DATABASE_URL=postgres://.../scratch \
        python manage.py shell < bench/dispatch_send.py
It makes BENCH_MESSAGES (default 1,000) due messages, half end-of-course follow-ups and
half repeat-course reminders (each of which schedules the next one when sent), starts
aiosmtpd on loopback, runs what ``send_due_messages`` runs (one dispatch, every batch
sent in this process), and prints messages per second, queries per message and the SMTP
connections the server saw; then removes what it made.
"""

import datetime as dt
import logging
import os
import time

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from courses.models import Course
from messaging import sending
from messaging.models import Message
from patients.models import Patient
from tests.factories import CourseFactory
from tests.messaging.real_parts import Inbox, free_port

COUNT = int(os.environ.get("BENCH_MESSAGES", "1000"))
logging.getLogger("mail.log").setLevel(logging.WARNING)

courses = [
    CourseFactory(
        status=Course.Status.COMPLETED,
        start_date=timezone.localdate() - dt.timedelta(days=260),
        end_date=timezone.localdate() - dt.timedelta(days=200),
    )
    for _ in range(COUNT // 2)
]
due = timezone.now() - dt.timedelta(minutes=1)
Message.objects.bulk_create(
    Message(kind=kind, patient=course.patient, course=course, number=1, due_at=due)
    for course in courses
    for kind in (Message.Kind.END_OF_COURSE_FOLLOW_UP, Message.Kind.REPEAT_COURSE_REMINDER)
)

inbox = Inbox()
port = free_port()
controller = Controller(inbox, hostname="127.0.0.1", port=port)
controller.start()
settings.EMAIL_BACKEND = "messaging.smtp.EmailBackend"
settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
settings.CLINIC_DISPATCH_BATCH_SIZE = COUNT

try:
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        sending.messages_dispatch(
            enqueue=lambda ids, claim: sending.messages_send(message_ids=ids, claim=claim)
        )
        elapsed = time.perf_counter() - started
    received = len(inbox.received)
    print(
        f"{received} of {COUNT} messages in {elapsed:.2f} s: {received / elapsed:.0f} messages/s, "
        f"{len(queries) / COUNT:.1f} queries per message, "
        f"{inbox.connections} SMTP connections ({connection.vendor})"
    )
finally:
    controller.stop()
    patients = [course.patient_id for course in courses]
    Message.objects.filter(patient_id__in=patients).delete()
    Course.objects.filter(pk__in=[course.pk for course in courses]).delete()
    Patient.objects.filter(pk__in=patients).delete()
