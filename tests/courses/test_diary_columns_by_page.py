"""A chain's day is shown ten therapists' columns to a page, at the same cost."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.roles import RECEPTION
from courses.diary import COLUMNS_PER_PAGE
from courses.models import Visit
from tests.factories import CourseFactory, UserFactory, staff_with_role

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 11, 24)
QUERY_BUDGET = 15


def therapists_with_a_visit(count: int) -> list:
    people = []
    for n in range(count):
        therapist = UserFactory(first_name=f"T{n:03d}", last_name="Column")
        start = timezone.make_aware(dt.datetime.combine(TUESDAY, dt.time(10)))
        Visit.objects.create(
            course=CourseFactory(therapist=therapist),
            therapist=therapist,
            sequence=1,
            scheduled_at=start,
            booked_minutes=30,
        )
        people.append(therapist)
    return people


def day_page(client: Client, **query) -> str:
    response = client.get(reverse("admin:diary"), {"day": TUESDAY.isoformat(), **query})
    assert response.status_code == 200
    return response.text


def columns(page: str) -> list[str]:
    return re.findall(r'<section class="diary-column[^"]*" aria-label="([^"]*)"', page)


@pytest.fixture
def reception() -> Client:
    client = Client()
    client.force_login(staff_with_role(RECEPTION))
    return client


def test_a_busy_day_shows_the_first_columns_and_links_to_the_others(reception):
    therapists_with_a_visit(COLUMNS_PER_PAGE + 2)

    first = day_page(reception)
    second = day_page(reception, page=2)

    assert len(columns(first)) == COLUMNS_PER_PAGE
    assert f"Therapists 1–{COLUMNS_PER_PAGE} of {COLUMNS_PER_PAGE + 2}" in first
    assert "page=2" in first
    assert len(columns(second)) == 2
    assert first.count('class="diary-visit ') == COLUMNS_PER_PAGE
    assert second.count('class="diary-visit ') == 2


def test_a_day_that_fits_one_page_has_no_page_links(reception):
    therapists_with_a_visit(2)

    page = day_page(reception)

    assert len(columns(page)) == 2
    assert "Therapists 1–" not in page


def test_a_page_past_the_last_shows_the_last(reception):
    therapists_with_a_visit(COLUMNS_PER_PAGE + 1)

    assert len(columns(day_page(reception, page=99))) == 1
    assert len(columns(day_page(reception, page="x"))) == COLUMNS_PER_PAGE


def test_other_days_keep_the_page_of_columns(reception):
    therapists_with_a_visit(COLUMNS_PER_PAGE + 1)

    page = day_page(reception, page=2)

    assert "?day=2026-11-25&amp;page=2" in page


def test_the_day_stays_within_its_query_budget_with_many_therapists(
    reception, django_assert_max_num_queries
):
    therapists_with_a_visit(3)
    day_page(reception)  # the session settles
    with django_assert_max_num_queries(QUERY_BUDGET):
        day_page(reception)

    therapists_with_a_visit(3 * COLUMNS_PER_PAGE)
    with django_assert_max_num_queries(QUERY_BUDGET):
        day_page(reception, page=3)
