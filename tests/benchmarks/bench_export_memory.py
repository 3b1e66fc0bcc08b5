"""Peak memory and time of the CSV and JSON exports for 200 and 2,000 courses.

Not part of the suite (the file name does not match test_*.py); run it on purpose:

    CLINIC_ALLOW_INSECURE_KEY=1 .venv/bin/pytest tests/benchmarks/bench_export_memory.py -s

Times are taken with tracemalloc running, which slows Python down: compare them with
each other, not with a production server.
"""

import time
import tracemalloc

import pytest

from courses.exports import csv_lines, json_chunks
from courses.models import Course
from courses.summaries import course_summaries
from tests.factories import UserFactory, bulk_courses

VISITS_PER_COURSE = 10


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
        bulk_courses(count, therapist=therapist, offset=total, visits_per_course=VISITS_PER_COURSE)
        total += count
        for name, render in (("csv", csv_lines), ("json", json_chunks)):
            peak, elapsed = _measure(render)
            print(f"{total} courses, {name}: peak {peak / 1024:.0f} KiB, {elapsed:.2f} s")
