"""Therapists log sessions in the admin: from the course page and from the visit list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Visit
from tests.admin.course_page import course_page_data, visit_row
from tests.factories import CourseFactory, PatientContraindicationFactory, VisitFactory

pytestmark = pytest.mark.django_db


def course_url(course: Course) -> str:
    return reverse("admin:courses_course_change", args=[course.pk])


def snapshot(course: Course) -> tuple:
    course = Course.objects.get(pk=course.pk)
    visits = list(Visit.objects.filter(course=course).order_by("pk").values())
    return course.status, course.end_date, course.completed_early, visits


def test_a_therapist_logs_a_session_and_books_the_next_from_the_course_page(admin_client):
    course = CourseFactory(status=Course.Status.PLANNED, planned_sessions=10)
    booked = VisitFactory(course=course, sequence=1)
    new = VisitFactory.build(course=course, sequence=2)

    response = admin_client.post(
        course_url(course),
        course_page_data(
            course,
            [
                visit_row(
                    booked,
                    status=Visit.Status.DONE,
                    performed_at=booked.scheduled_at,
                    pain_before=7,
                    pain_after=5,
                    intensity=Visit.Intensity.SPARING,
                    techniques=["stroking", "kneading", "stroking"],
                ),
                visit_row(new, id=""),
            ],
            initial=1,
        ),
    )

    assert response.status_code == 302, response.context["errors"]
    logged = Visit.objects.get(pk=booked.pk)
    assert (logged.status, logged.pain_before, logged.pain_after) == (Visit.Status.DONE, 7, 5)
    assert logged.therapist == course.therapist
    assert course.visits.count() == 2
    assert Course.objects.get(pk=course.pk).status == Course.Status.ACTIVE


def test_a_failing_visit_in_the_course_page_saves_nothing(admin_client):
    course = CourseFactory(planned_sessions=10)
    first = VisitFactory(course=course, sequence=1)
    second = VisitFactory(course=course, sequence=2)
    before = snapshot(course)

    data = course_page_data(
        course,
        [
            visit_row(
                first,
                status=Visit.Status.DONE,
                performed_at=first.scheduled_at,
                pain_before=6,
                pain_after=3,
            ),
            # Booked before the course starts: the whole page must be refused.
            visit_row(second, scheduled_at=timezone.now() - dt.timedelta(days=400), notes="moved"),
            visit_row(VisitFactory.build(course=course, sequence=3), id=""),
        ],
        initial=2,
    )
    data["notes"] = "changed"

    response = admin_client.post(course_url(course), data)

    assert response.status_code == 200
    assert "before the course starts" in response.content.decode()
    assert snapshot(course) == before
    assert Course.objects.get(pk=course.pk).notes == ""


def test_a_pain_score_out_of_range_on_the_course_page_is_shown_and_saves_nothing(admin_client):
    course = CourseFactory()
    visit = VisitFactory(course=course, sequence=1)
    before = snapshot(course)

    response = admin_client.post(
        course_url(course),
        course_page_data(
            course,
            [
                visit_row(
                    visit,
                    status=Visit.Status.DONE,
                    performed_at=visit.scheduled_at,
                    pain_before=12,
                    pain_after=3,
                )
            ],
            initial=1,
        ),
    )

    assert response.status_code == 200
    assert "less than or equal to 10" in response.content.decode()
    assert snapshot(course) == before


def test_marking_a_visit_done_on_the_course_page_is_blocked_by_a_contraindication(admin_client):
    course = CourseFactory()
    visit = VisitFactory(course=course, sequence=1)
    PatientContraindicationFactory(patient=course.patient)

    response = admin_client.post(
        course_url(course),
        course_page_data(
            course,
            [
                visit_row(
                    visit,
                    status=Visit.Status.DONE,
                    performed_at=visit.scheduled_at,
                    pain_before=5,
                    pain_after=4,
                )
            ],
            initial=1,
        ),
    )

    page = response.content.decode()
    assert "The visit cannot be marked done" in page
    assert "Fever of any cause" in page
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SCHEDULED


def quick_log(client, visit: Visit, **fields):
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "form-0-id": visit.pk,
        "form-0-status": fields.get("status", visit.status),
        "form-0-pain_before": fields.get("pain_before", ""),
        "form-0-pain_after": fields.get("pain_after", ""),
        "_save": "Save",
    }
    return client.post(reverse("admin:courses_visit_changelist"), data)


def test_reception_quick_logs_a_visit_from_the_visit_list(admin_client):
    visit = VisitFactory(scheduled_at=timezone.now() - dt.timedelta(hours=1))

    response = quick_log(
        admin_client, visit, status=Visit.Status.DONE, pain_before=6, pain_after=3
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE
    assert (visit.pain_before, visit.pain_after) == (6, 3)
    assert visit.performed_at == visit.scheduled_at


def test_quick_logging_goes_through_the_course_rules(admin_client):
    visit = VisitFactory(scheduled_at=timezone.now() - dt.timedelta(hours=1))
    PatientContraindicationFactory(patient=visit.course.patient)

    response = quick_log(
        admin_client, visit, status=Visit.Status.DONE, pain_before=6, pain_after=3
    )

    assert response.status_code == 200
    assert "Fever of any cause" in response.content.decode()
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SCHEDULED


def test_quick_logging_without_pain_scores_asks_for_them(admin_client):
    visit = VisitFactory(scheduled_at=timezone.now() - dt.timedelta(hours=1))

    response = quick_log(admin_client, visit, status=Visit.Status.DONE)

    assert response.status_code == 200
    assert "Ask the patient for the pain before the session" in response.content.decode()
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SCHEDULED


def test_the_today_filter_lists_only_todays_visits(admin_client):
    today = VisitFactory(scheduled_at=timezone.now(), notes="")
    course = today.course
    VisitFactory(course=course, scheduled_at=timezone.now() - dt.timedelta(days=2))

    response = admin_client.get(reverse("admin:courses_visit_changelist"), {"when": "today"})

    assert list(response.context["cl"].result_list) == [today]


def test_saving_the_visit_list_checks_only_the_rows_that_changed(admin_client):
    def post(rows: int) -> int:
        Visit.objects.all().delete()
        visits = [VisitFactory(scheduled_at=timezone.now() - dt.timedelta(hours=1))]
        visits += [VisitFactory(sequence=1) for _ in range(rows - 1)]
        data = {
            "form-TOTAL_FORMS": rows,
            "form-INITIAL_FORMS": rows,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "_save": "Save",
        }
        listed = Visit.objects.order_by("scheduled_at", "-pk")
        for i, visit in enumerate(listed):
            changed = visit.pk == visits[0].pk
            data.update(
                {
                    f"form-{i}-id": visit.pk,
                    f"form-{i}-status": Visit.Status.DONE if changed else visit.status,
                    f"form-{i}-pain_before": 6 if changed else "",
                    f"form-{i}-pain_after": 3 if changed else "",
                }
            )
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.post(reverse("admin:courses_visit_changelist"), data)
        assert response.status_code == 302
        assert Visit.objects.get(pk=visits[0].pk).status == Visit.Status.DONE
        return len(queries)

    # What is left per row is the formset looking up the row's id, as every Django model
    # formset does; the constraint and course checks run only for the changed row.
    assert post(20) - post(3) <= 17
