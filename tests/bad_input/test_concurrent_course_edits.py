"""Two staff saving visits of one course at the same moment cannot both break its rules."""

import datetime as dt
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses import services
from courses.models import Course, Visit
from tests.bad_input.conftest import at_once, postgresql_only, tried
from tests.factories import CourseFactory, VisitFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only("saves"),
]


def _save_at_once(visits: list[Visit]) -> list[BaseException | None]:
    """Save each visit from its own thread and connection, released together; None for
    each save that went through."""
    outcomes = at_once([partial(services.visit_save, visit=visit) for visit in visits])
    return [outcome if isinstance(outcome, BaseException) else None for outcome in outcomes]


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
