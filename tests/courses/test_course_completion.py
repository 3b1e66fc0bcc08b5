import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Course, Visit
from tests.factories import CourseFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_last_planned_visit_done_completes_the_course():
    course = CourseFactory(planned_sessions=10)
    for n in range(1, 10):
        VisitFactory(course=course, sequence=n, done=True)
    last = VisitFactory.build(course=course, sequence=10, done=True)

    services.visit_save(visit=last)

    course.refresh_from_db()
    assert course.status == Course.Status.COMPLETED
    assert course.end_date == timezone.localdate(last.performed_at)
    assert not course.completed_early


def test_a_course_with_sessions_still_to_do_stays_active():
    course = CourseFactory(planned_sessions=10)
    for n in range(1, 9):
        VisitFactory(course=course, sequence=n, done=True)

    services.visit_save(visit=VisitFactory.build(course=course, sequence=9, done=True))

    assert Course.objects.get(pk=course.pk).status == Course.Status.ACTIVE


def test_the_first_done_visit_starts_a_planned_course():
    course = CourseFactory(status=Course.Status.PLANNED)

    services.visit_save(visit=VisitFactory.build(course=course, sequence=1, done=True))

    assert Course.objects.get(pk=course.pk).status == Course.Status.ACTIVE


def complete_early_through_the_admin(client, course: Course):
    return client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "complete_courses_early", "_selected_action": [course.pk]},
        follow=True,
    )


def test_staff_complete_a_course_early_and_the_sessions_never_done_are_counted(admin_client):
    now = timezone.now()
    course = CourseFactory(planned_sessions=10, start_date=timezone.localdate() - dt.timedelta(20))
    done = VisitFactory(
        course=course, sequence=1, done=True, scheduled_at=now - dt.timedelta(days=10)
    )
    missed = VisitFactory(course=course, sequence=2, scheduled_at=now - dt.timedelta(days=5))
    ahead = VisitFactory(course=course, sequence=3, scheduled_at=now + dt.timedelta(days=2))

    response = complete_early_through_the_admin(admin_client, course)

    assert "Courses completed: 1." in response.content.decode()
    course.refresh_from_db()
    assert course.status == Course.Status.COMPLETED
    assert course.completed_early
    assert course.end_date == timezone.localdate(done.performed_at)
    statuses = dict(course.visits.values_list("pk", "status"))
    assert statuses == {
        done.pk: Visit.Status.DONE,
        missed.pk: Visit.Status.MISSED,
        ahead.pk: Visit.Status.CANCELLED,
    }


def test_a_planned_course_cannot_be_completed_early(admin_client):
    course = CourseFactory(status=Course.Status.PLANNED)

    response = complete_early_through_the_admin(admin_client, course)

    assert "Only an active course can be completed; this one is planned." in (
        response.content.decode()
    )
    assert Course.objects.get(pk=course.pk).status == Course.Status.PLANNED


def test_cancelling_a_course_cancels_its_booked_visits_and_keeps_the_done_ones(admin_client):
    now = timezone.now()
    course = CourseFactory()
    done = VisitFactory(course=course, sequence=1, done=True, scheduled_at=now - dt.timedelta(1))
    booked = VisitFactory(course=course, sequence=2, scheduled_at=now + dt.timedelta(days=2))

    response = admin_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "cancel_courses", "_selected_action": [course.pk]},
        follow=True,
    )

    assert "Courses cancelled: 1." in response.content.decode()
    course.refresh_from_db()
    assert course.status == Course.Status.CANCELLED
    assert course.end_date == timezone.localdate()
    assert Visit.objects.get(pk=done.pk).status == Visit.Status.DONE
    assert Visit.objects.get(pk=booked.pk).status == Visit.Status.CANCELLED


@pytest.mark.parametrize("status", [Course.Status.COMPLETED, Course.Status.CANCELLED])
def test_a_closed_course_cannot_be_cancelled(status):
    course = CourseFactory(status=status, end_date=timezone.localdate())

    with pytest.raises(ValidationError, match="Only a planned or active course can be cancelled"):
        services.course_cancel(course=course)

    assert Course.objects.get(pk=course.pk).status == status
