"""Logging a visit through its admin page costs a bounded number of queries, whatever
the course, the patient or the clinic hold."""

import datetime as dt
import re
from collections import Counter

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.roles import MANAGER, THERAPIST
from courses.models import Course, Visit
from tests.factories import (
    CourseFactory,
    PatientContraindicationFactory,
    UserFactory,
    VisitFactory,
    staff_with_role,
)

# Inside the test's transaction each atomic block of the request takes a savepoint
# where the site takes BEGIN and COMMIT: as many statements either way.
pytestmark = pytest.mark.django_db

# The budget for logging a visit, for the page and for its save.
BUDGET = 30
# Booking a new visit also checks the therapist's diary (their bookings, working hours,
# time off, the clinic's hours and closed days), locks it and schedules the reminder.
BOOKING_BUDGET = 37


def posted_form(response) -> dict[str, list[str]]:
    """What a browser would post back from the visit page."""
    form = lxml.html.fromstring(response.content).xpath('//form[@id="visit_form"]')[0]
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        if "__prefix__" not in name:
            data.setdefault(name, []).append(value)
    return data


def grouped(queries) -> str:
    """The captured queries, the same statement counted once, for a failing assert."""
    shapes = Counter(re.sub(r"\b\d+\b|'[^']*'", "?", q["sql"])[:160] for q in queries)
    return "\n".join(f"{n} x {sql}" for sql, n in shapes.most_common())


def a_busy_course(visits: int, **kwargs) -> tuple[Course, Visit]:
    """An active course with ``visits`` sessions done and the next one booked for an
    hour ago, not yet logged; its patient had a contraindication, resolved."""
    course = CourseFactory(
        planned_sessions=15,
        start_date=timezone.localdate() - dt.timedelta(days=3 * visits + 3),
        **kwargs,
    )
    for _ in range(visits):
        VisitFactory(course=course, done=True)
    PatientContraindicationFactory(
        patient=course.patient, resolved_on=timezone.localdate() - dt.timedelta(days=1)
    )
    # To the minute, as the page shows it: posted back, the booking stays as it was.
    an_hour_ago = (timezone.now() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    booked = VisitFactory(course=course, scheduled_at=an_hour_ago)
    return course, booked


def log_on_its_page(client, visit: Visit) -> tuple[int, int, list]:
    url = reverse("admin:courses_visit_change", args=[visit.pk])
    with CaptureQueriesContext(connection) as page:
        response = client.get(url)
    assert response.status_code == 200
    data = posted_form(response)
    data.update(
        status=[Visit.Status.DONE],
        performed_at_0=data["scheduled_at_0"],
        performed_at_1=data["scheduled_at_1"],
        pain_before=["6"],
        pain_after=["4"],
    )
    with CaptureQueriesContext(connection) as save:
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.DONE
    return len(page), len(save), [*page.captured_queries, *save.captured_queries]


@pytest.fixture
def manager_client(client):
    client.force_login(staff_with_role(MANAGER, username="visit-form-manager"))
    return client


@pytest.mark.parametrize("role", [MANAGER, THERAPIST])
def test_logging_a_visit_on_its_page_takes_at_most_30_queries_to_show_and_30_to_save(client, role):
    staff = staff_with_role(role, username="visit-form-staff")
    client.force_login(staff)
    # A therapist logs the sessions of their own course.
    _, booked = a_busy_course(visits=3, therapist=staff)
    client.get(reverse("admin:courses_visit_change", args=[booked.pk]))  # warm the caches

    shown, saved, queries = log_on_its_page(client, booked)

    assert shown <= BUDGET, grouped(queries)
    assert saved <= BUDGET, grouped(queries)


def test_logging_a_visit_costs_as_many_queries_on_a_long_course_as_on_a_short_one(
    manager_client,
):
    _, early = a_busy_course(visits=1)
    _, late = a_busy_course(visits=12)
    UserFactory.create_batch(5, is_staff=True)
    manager_client.get(reverse("admin:courses_visit_change", args=[early.pk]))

    short = log_on_its_page(manager_client, early)[:2]
    long = log_on_its_page(manager_client, late)[:2]

    assert long == short


def test_booking_a_visit_on_the_add_page_takes_at_most_30_queries_to_show_and_37_to_save(
    manager_client,
):
    course, booked = a_busy_course(visits=3)
    url = reverse("admin:courses_visit_add")
    manager_client.get(url)
    with CaptureQueriesContext(connection) as page:
        response = manager_client.get(url, {"course": course.pk})
    data = posted_form(response)
    when = timezone.localtime(booked.scheduled_at + dt.timedelta(days=3))
    data.update(
        course=[str(course.pk)],
        sequence=[str(booked.sequence + 1)],
        scheduled_at_0=[when.strftime("%d/%m/%Y")],
        scheduled_at_1=[when.strftime("%H:%M:%S")],
    )
    with CaptureQueriesContext(connection) as save:
        response = manager_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert course.visits.count() == 5
    assert len(page) <= BUDGET, grouped(page.captured_queries)
    assert len(save) <= BOOKING_BUDGET, grouped(save.captured_queries)
