"""How long two dispatchers at once take to claim 1,000 due messages (batches of 100).

Run against a scratch database, never production:
    DATABASE_URL=postgres://.../scratch python manage.py shell < bench/dispatch_claim.py
It creates one demo patient and course with 1,000 due messages, claims them five times
over and removes what it created. Only the claim is timed; sending is the worker tests'.
"""

import datetime as dt
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.utils import timezone

from courses.models import Course
from messaging import sending
from messaging.models import Message
from tests.factories import CourseFactory

course = CourseFactory(status=Course.Status.COMPLETED)
mine = Message.objects.filter(course=course)
# Noon today is inside the default sending hours.
now = timezone.localtime().replace(hour=12, minute=0)


def make_due() -> None:
    mine.delete()
    Message.objects.bulk_create(
        Message(
            kind=Message.Kind.END_OF_COURSE_FOLLOW_UP,
            patient=course.patient,
            course=course,
            number=n,
            due_at=now - dt.timedelta(minutes=1),
        )
        for n in range(1, 1001)
    )


def dispatcher() -> int:
    claimed = 0
    while batch := sending.messages_claim_due(now=now, limit=100):
        claimed += len(batch)
    connection.close()
    return claimed


timings = []
for run in range(5):
    make_due()
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        counts = list(pool.map(lambda _: dispatcher(), range(2)))
    timings.append(time.perf_counter() - started)
    assert sum(counts) == 1000 == mine.filter(status=Message.Status.SENDING).count(), counts
    print(f"run {run}: {timings[-1] * 1000:.0f} ms, claimed per dispatcher {counts}")
print(f"median {statistics.median(timings) * 1000:.0f} ms ({connection.vendor})")
mine.delete()
therapist, patient = course.therapist, course.patient
course.delete()
patient.delete()
therapist.delete()
