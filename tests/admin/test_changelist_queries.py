"""Each admin list costs the same number of queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.roles import THERAPIST
from courses.models import Course, Visit
from patients.models import PatientContraindication
from tests.factories import (
    CourseFactory,
    PatientContraindicationFactory,
    PatientFactory,
    UserFactory,
    VisitFactory,
    contraindication,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

CODES = ["fever", "hypertension", "moles-warts-birthmarks"]


def make_rows(count: int) -> None:
    therapists = [UserFactory(username=f"list-therapist-{i}") for i in range(3)]
    earlier = Visit.objects.count()  # rows made by an earlier call keep their hours
    for i in range(earlier, earlier + count):
        patient = PatientFactory()
        course = CourseFactory(
            patient=patient, therapist=therapists[i % 3], status=Course.Status.ACTIVE
        )
        # An hour apart: a therapist sees one patient at a time.
        booked = timezone.now() - dt.timedelta(hours=i + 1)
        VisitFactory(course=course, sequence=1, done=True, scheduled_at=booked)
        PatientContraindicationFactory(
            patient=patient,
            contraindication=contraindication(CODES[i % 3]),
            resolved_on=timezone.localdate() - dt.timedelta(days=1),
        )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


LISTS = [
    "admin:patients_patient_changelist",
    "admin:courses_course_changelist",
    "admin:courses_visit_changelist",
    "admin:patients_contraindication_changelist",
]


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_as_many_queries_with_200_rows_as_with_5(admin_client, name):
    url = reverse(name)
    make_rows(5)
    admin_client.get(url)  # warm the session and content-type caches
    with_5 = queries_for(admin_client, url)

    make_rows(195)
    with_200 = queries_for(admin_client, url)

    assert with_200 == with_5


def test_the_lists_show_the_rows_they_were_given(admin_client):
    make_rows(5)

    assert Course.objects.count() == Visit.objects.count() == 5
    assert PatientContraindication.objects.count() == 5
    page = admin_client.get(reverse("admin:courses_course_changelist")).content.decode()
    assert "1/10" in page


def test_the_course_page_does_not_query_per_visit(admin_client, django_assert_max_num_queries):
    few = CourseFactory(planned_sessions=15, start_date=timezone.localdate() - dt.timedelta(90))
    many = CourseFactory(planned_sessions=15, start_date=few.start_date)
    for n in range(1, 3):
        VisitFactory(course=few, sequence=n, done=True)
    for n in range(1, 31):
        VisitFactory(course=many, sequence=n, done=n <= 15)
    admin_client.get(reverse("admin:courses_course_change", args=[few.pk]))

    with_2 = queries_for(admin_client, reverse("admin:courses_course_change", args=[few.pk]))
    with_30 = queries_for(admin_client, reverse("admin:courses_course_change", args=[many.pk]))

    assert with_30 == with_2


def test_the_patient_page_does_not_query_per_course_or_contraindication(admin_client):
    few = PatientFactory()
    many = PatientFactory()
    CourseFactory(patient=few)
    PatientContraindicationFactory(patient=few)
    for region in ["cervical", "thoracic", "lumbar", "whole_spine"]:
        CourseFactory(patient=many, region=region, therapist=UserFactory())
    for code in CODES:
        PatientContraindicationFactory(patient=many, contraindication=contraindication(code))
    admin_client.get(reverse("admin:patients_patient_change", args=[few.pk]))

    with_few = queries_for(admin_client, reverse("admin:patients_patient_change", args=[few.pk]))
    with_many = queries_for(admin_client, reverse("admin:patients_patient_change", args=[many.pk]))

    assert with_many == with_few


@pytest.mark.parametrize("name", [*LISTS, "admin:messaging_feedback_changelist"])
def test_a_therapists_list_of_their_patients_costs_as_many_queries_with_200_rows_as_with_5(
    client, name
):
    # One of the three therapists that make_rows gives the courses to.
    client.force_login(staff_with_role(THERAPIST, username="list-therapist-0"))
    url = reverse(name)
    make_rows(5)
    client.get(url)
    with_5 = queries_for(client, url)

    make_rows(195)
    with_200 = queries_for(client, url)

    assert with_200 == with_5
