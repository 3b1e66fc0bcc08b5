"""The course list (every filter, search, sort and drill-down), the course page, its PDF
and the export read a constant number of queries, within the page budget, however many
courses and visits there are: the summary is on the course row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Course
from tests.factories import CourseFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

# Queries a staff page may make (the session and the user included).
PAGE_BUDGET = 15

LIST_QUERIES = [
    "",
    "?o=1",
    "?o=4",
    "?o=5",
    "?o=6",
    "?o=7",
    "?o=8",
    "?o=-8",
    "?o=9",
    "?o=-12",
    "?status__exact=active",
    "?kind__exact=therapeutic",
    "?region__exact=lumbar",
    "?massage_kind__exact=classic",
    "?therapist__id__exact={therapist}",
    "?flagged=yes",
    "?flagged=no",
    "?q=Petrova",
    "?start_date__year={year}",
    "?start_date__year={year}&start_date__month={month}",
    "?status__exact=completed&o=8.-6&q=Pet",
]


def courses_with_sessions(count: int, sessions: int = 2) -> list[Course]:
    courses = []
    for _ in range(count):
        course = CourseFactory(patient=PatientFactory(last_name="Petrova"))
        for _ in range(sessions):
            VisitFactory(course=course, done=True)
        courses.append(course)
    return courses


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured.captured_queries)


@pytest.mark.parametrize("query", LIST_QUERIES)
def test_the_course_list_reads_as_many_queries_for_2_courses_as_for_25(admin_client, query):
    first = courses_with_sessions(2)[0]
    url = reverse("admin:courses_course_changelist") + query.format(
        therapist=first.therapist_id,
        year=first.start_date.year,
        month=first.start_date.month,
    )
    few = queries(admin_client, url)

    courses_with_sessions(23)

    assert queries(admin_client, url) == few <= PAGE_BUDGET


def test_the_course_page_reads_as_many_queries_for_2_sessions_as_for_10(admin_client):
    short, long = courses_with_sessions(1, sessions=2)[0], courses_with_sessions(1, sessions=10)[0]

    queries(admin_client, reverse("admin:courses_course_change", args=[short.pk]))  # caches warm
    few = queries(admin_client, reverse("admin:courses_course_change", args=[short.pk]))
    many = queries(admin_client, reverse("admin:courses_course_change", args=[long.pk]))

    assert many == few <= PAGE_BUDGET


def test_the_course_pdf_reads_as_many_queries_for_2_sessions_as_for_10(admin_client):
    short, long = courses_with_sessions(1, sessions=2)[0], courses_with_sessions(1, sessions=10)[0]

    queries(admin_client, reverse("admin:courses_course_pdf", args=[short.pk]))  # caches warm
    few = queries(admin_client, reverse("admin:courses_course_pdf", args=[short.pk]))
    many = queries(admin_client, reverse("admin:courses_course_pdf", args=[long.pk]))

    assert many == few <= PAGE_BUDGET


@pytest.mark.parametrize("format", ["csv", "json"])
def test_the_export_reads_as_many_queries_for_3_courses_as_for_30(admin_client, format):
    url = reverse("admin:courses_course_export", args=[format])
    courses_with_sessions(3)
    few = queries(admin_client, url)

    courses_with_sessions(27)

    assert queries(admin_client, url) == few
