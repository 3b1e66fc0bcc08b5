"""Peak memory and time of the CSV and JSON exports for 200 and 2,000 courses.

Not part of the suite (the file name does not match test_*.py); run it on purpose:

    CLINIC_ALLOW_INSECURE_KEY=1 .venv/bin/pytest tests/benchmarks/bench_export_memory.py -s

Times are taken with tracemalloc running, which slows Python down: compare them with
each other, not with a production server.
"""

import datetime as dt
import time
import tracemalloc

import pytest
from django.utils import timezone

from courses.exports import csv_lines, json_chunks
from courses.models import Course, Visit
from courses.summaries import course_summaries
from patients.models import Patient
from tests.factories import UserFactory

VISITS_PER_COURSE = 10


def _add_courses(count: int, therapist, offset: int) -> None:
    patients = Patient.objects.bulk_create(
        Patient(
            first_name=f"Patient{offset + n}",
            last_name="Bench",
            date_of_birth=dt.date(1970, 1, 1),
            email=f"bench{offset + n}@example.test",
        )
        for n in range(count)
    )
    courses = Course.objects.bulk_create(
        Course(
            patient=patient,
            kind="therapeutic",
            region="lumbar",
            planned_sessions=10,
            therapist=therapist,
            start_date=dt.date(2026, 1, 5),
            status="completed",
        )
        for patient in patients
    )
    first = timezone.make_aware(dt.datetime(2026, 1, 5, 10))
    Visit.objects.bulk_create(
        Visit(
            course=course,
            sequence=n,
            scheduled_at=first + dt.timedelta(days=3 * n),
            performed_at=first + dt.timedelta(days=3 * n),
            status="done",
            pain_before=6,
            pain_after=4,
            techniques=["stroking"],
        )
        for course in courses
        for n in range(1, VISITS_PER_COURSE + 1)
    )


def _measure(render) -> tuple[int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    for _ in render(course_summaries(Course.objects.all())):
        pass
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, elapsed


@pytest.mark.django_db
def test_export_memory_and_time_for_200_and_2000_courses():
    therapist = UserFactory()
    total = 0
    for count in (200, 1800):
        _add_courses(count, therapist, total)
        total += count
        for name, render in (("csv", csv_lines), ("json", json_chunks)):
            peak, elapsed = _measure(render)
            print(f"{total} courses, {name}: peak {peak / 1024:.0f} KiB, {elapsed:.2f} s")
