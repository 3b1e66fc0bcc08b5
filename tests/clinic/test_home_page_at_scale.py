"""The home page shows a bounded day for the clinic and a therapist's own day in full,
at the same number of queries whatever the clinic holds."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from courses.models import Visit
from messaging.models import Message
from messaging.selectors import HOME_LIST_LIMIT
from tests.factories import CourseFactory, MessageFactory, VisitFactory, staff_with_role

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 15


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


def busy_day(count: int, *, therapist=None) -> None:
    """``count`` visits today, each on a course one session from its end, and a repeat
    course due for each course's patient once the course is over."""
    for i in range(count):
        course = CourseFactory(planned_sessions=2, visits_per_week=1)
        if therapist is not None and i == 0:
            course.therapist = therapist
            course.save()
        VisitFactory(course=course, sequence=1, done=True)
        VisitFactory(course=course, sequence=2, scheduled_at=today_at(0, i))
        MessageFactory(
            kind=Message.Kind.REPEAT_COURSE_REMINDER,
            patient=CourseFactory(status="completed", therapist=course.therapist).patient,
            course=course,
            due_at=timezone.now() - dt.timedelta(days=i + 1),
            status=Message.Status.SENT,
        )


def home(user) -> tuple[object, str, int]:
    client = Client()
    client.force_login(user)
    client.get(reverse("admin:index"))  # the first request fills the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.context["home"], response.text, len(queries)


@pytest.mark.parametrize("role", [MANAGER, RECEPTION])
def test_clinics_day_lists_its_first_open_visits_and_counts_the_rest(role):
    busy_day(HOME_LIST_LIMIT + 3)

    listed, page, _ = home(staff_with_role(role))

    assert len(listed.visits_today) == HOME_LIST_LIMIT
    assert listed.visit_counts["booked"] == HOME_LIST_LIMIT + 3
    assert f"{HOME_LIST_LIMIT + 3} visits booked today" in page
    assert f"the first {HOME_LIST_LIMIT} still open" in page


@pytest.mark.parametrize("role", [MANAGER, RECEPTION])
def test_courses_ending_this_week_are_listed_up_to_the_limit_with_their_number(role):
    busy_day(HOME_LIST_LIMIT + 3)

    listed, page, _ = home(staff_with_role(role))

    assert len(listed.courses_ending) == HOME_LIST_LIMIT
    assert listed.courses_ending_count == HOME_LIST_LIMIT + 3
    assert f"of {HOME_LIST_LIMIT + 3} courses ending this week" in page


def test_clinics_day_says_so_when_every_visit_is_done_or_missed():
    VisitFactory(course=CourseFactory(), sequence=1, scheduled_at=today_at(0), done=True)

    listed, page, _ = home(staff_with_role(MANAGER))

    assert listed.visits_today == []
    assert "Every visit booked for today is done or marked missed." in page


def test_therapists_own_day_is_listed_in_full_done_visits_too():
    therapist = staff_with_role(THERAPIST)
    course = CourseFactory(therapist=therapist, planned_sessions=30)
    for i in range(HOME_LIST_LIMIT + 3):
        VisitFactory(
            course=course, sequence=i + 1, scheduled_at=today_at(0, 2 * i), booked_minutes=1
        )
    Visit.objects.filter(sequence=1).update(
        status=Visit.Status.DONE, performed_at=today_at(0), pain_before=5, pain_after=3
    )

    listed, _, _ = home(therapist)

    assert len(listed.visits_today) == HOME_LIST_LIMIT + 3
    assert listed.own_day


@pytest.mark.parametrize("role", [MANAGER, RECEPTION, THERAPIST])
def test_home_page_stays_within_its_query_budget_however_busy_the_clinic(role):
    user = staff_with_role(role)
    busy_day(2, therapist=user)
    few = home(user)[2]

    busy_day(HOME_LIST_LIMIT + 3)
    many = home(user)[2]

    assert many == few
    assert many <= QUERY_BUDGET
