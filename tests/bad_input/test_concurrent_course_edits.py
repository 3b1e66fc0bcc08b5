"""Two staff saving visits of one course at the same moment cannot both break its rules."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from courses import services
from courses.models import Course, Visit
from tests.bad_input.conftest import tried
from tests.factories import CourseFactory, VisitFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite allows one writer at a time, so saves never overlap; "
        "the row lock is exercised on PostgreSQL only",
    ),
]


def _save_at_once(visits: list[Visit]) -> list[BaseException | None]:
    """Save each visit from its own thread and connection, released together."""
    start = threading.Barrier(len(visits))
    outcomes: list[BaseException | None] = [None] * len(visits)

    def save(index: int) -> None:
        try:
            start.wait()
            services.visit_save(visit=visits[index])
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(visits))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("round_", range(5))
def test_two_last_sessions_logged_at_once_complete_the_course_only_once(round_):
    tried("concurrent edits of one course")
    course = CourseFactory(planned_sessions=10, start_date=timezone.localdate() - dt.timedelta(60))
    for n in range(1, 10):
        VisitFactory(course=course, sequence=n, done=True)
    performed = timezone.now() - dt.timedelta(hours=1)
    rivals = [
        VisitFactory.build(
            course=Course.objects.get(pk=course.pk),
            sequence=n,
            done=True,
            scheduled_at=performed,
        )
        for n in (10, 11)
    ]

    outcomes = _save_at_once(rivals)

    failures = [outcome for outcome in outcomes if outcome is not None]
    assert len(failures) == 1, outcomes
    assert isinstance(failures[0], ValidationError)
    assert Visit.objects.filter(course=course, status=Visit.Status.DONE).count() == 10
    course.refresh_from_db()
    assert course.status == Course.Status.COMPLETED


@pytest.mark.parametrize("round_", range(5))
def test_the_same_session_number_saved_twice_at_once_is_kept_once(round_):
    tried("concurrent duplicate submissions")
    course = CourseFactory()
    rivals = [
        VisitFactory.build(course=Course.objects.get(pk=course.pk), sequence=1) for _ in range(2)
    ]

    outcomes = _save_at_once(rivals)

    failures = [outcome for outcome in outcomes if outcome is not None]
    assert len(failures) == 1, outcomes
    # The course lock turns the race into the rule's message, not a database error.
    assert isinstance(failures[0], ValidationError), failures
    assert Visit.objects.filter(course=course).count() == 1
