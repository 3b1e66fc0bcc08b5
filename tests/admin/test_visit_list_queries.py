"""The visit list costs a bounded number of queries for every sort, filter, search and
level of the date drill-down, whatever the number of visits."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.paginators import CappedCountPaginator
from clinic.roles import MANAGER
from courses.models import Course
from tests.factories import (
    CourseFactory,
    PatientFactory,
    UserFactory,
    VisitFactory,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

BUDGET = 15


def add_visits(count: int) -> None:
    """``count`` courses with a done visit each, an hour apart (no therapist is booked
    twice at once), spread over the last weeks."""
    therapists = [UserFactory(is_staff=True) for _ in range(2)]
    for i in range(count):
        course = CourseFactory(
            patient=PatientFactory(last_name=f"Smith{i}"),
            therapist=therapists[i % 2],
            status=Course.Status.ACTIVE,
        )
        booked = timezone.now() - dt.timedelta(hours=3 * i + 1)
        VisitFactory(course=course, sequence=1, done=True, scheduled_at=booked)


def year() -> int:
    return timezone.localdate().year


LISTS = {
    "the whole list": {},
    "sorted by booking time, latest first": {"o": "-1"},
    "sorted by patient": {"o": "2"},
    "sorted by status": {"o": "5"},
    "sorted by pain before": {"o": "6"},
    "sorted by pain after, highest first": {"o": "-7"},
    "today's visits": {"when": "today"},
    "upcoming visits": {"when": "upcoming"},
    "past visits": {"when": "past"},
    "done visits": {"status__exact": "done"},
    "one region": {"course__region__exact": "lumbar"},
    "a search": {"q": "Smith"},
    "a year": {"scheduled_at__year": str(year())},
    "a month": {"scheduled_at__year": str(year()), "scheduled_at__month": "1"},
}


def queries_for(client, params: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:courses_visit_changelist"), params)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def manager_client(client):
    client.force_login(staff_with_role(MANAGER, username="visit-list-manager"))
    return client


@pytest.mark.parametrize("params", LISTS.values(), ids=LISTS.keys())
def test_the_visit_list_costs_at_most_15_queries_with_5_visits_or_60(manager_client, params):
    add_visits(5)
    manager_client.get(reverse("admin:courses_visit_changelist"), params)  # warm the caches
    with_5 = queries_for(manager_client, params)

    add_visits(55)
    with_60 = queries_for(manager_client, params)

    assert with_60 == with_5
    assert with_60 <= BUDGET


def test_a_count_past_the_cap_is_shown_as_more_than(manager_client, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "count_at_most_rows", 3)
    add_visits(5)

    page = manager_client.get(
        reverse("admin:courses_visit_changelist"), {"status__exact": "done"}
    ).content.decode()

    assert "More than 3 visits" in page


def test_the_drill_down_offers_the_years_from_the_first_visit_to_the_last(manager_client):
    first = CourseFactory(start_date=timezone.localdate().replace(year=year() - 2, month=1, day=5))
    VisitFactory(course=first, sequence=1)
    VisitFactory(course=CourseFactory(therapist=UserFactory(is_staff=True)), sequence=1)

    page = manager_client.get(reverse("admin:courses_visit_changelist")).content.decode()

    for shown in (year() - 2, year() - 1, year()):
        assert f"scheduled_at__year={shown}" in page
