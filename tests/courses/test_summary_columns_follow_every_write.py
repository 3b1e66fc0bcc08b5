"""The course's summary columns stay what its visits and answers say, whatever writes
them: services, the course page's visit inline, the lists' bulk actions, the diary's
move, the patient's answers and their acknowledgement, anonymisation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from courses import services
from courses.models import Course, CourseKind, PainSource, SpineRegion, Visit
from messaging import services as messaging
from patients.services import patient_anonymise
from tests.admin.course_page import course_page_data, visit_row
from tests.factories import MessageFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Tuesday morning in the clinic.
MORNING = dt.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)


def on(day_offset: int, hour: int) -> dt.datetime:
    return (MORNING + dt.timedelta(days=day_offset)).replace(hour=hour)


def assert_summaries_true(step: str) -> None:
    assert list(services.course_summaries_stale()) == [], step


def summary(course: Course) -> tuple:
    course.refresh_from_db()
    return (
        course.sessions_done,
        course.sessions_missed,
        course.sessions_cancelled,
        course.pain_at_start,
        course.pain_at_end,
        course.pain_at_end_source,
        course.pain_flagged,
    )


def new_course(patient, therapist, region: str) -> Course:
    return services.course_save(
        course=Course(
            patient=patient,
            kind=CourseKind.THERAPEUTIC,
            region=region,
            planned_sessions=10,
            therapist=therapist,
            start_date=MORNING.date() - dt.timedelta(days=14),
        )
    )


def booked(course: Course, *moments: dt.datetime) -> list[Visit]:
    first = services.visit_next_sequence(course)
    visits = [
        Visit(course=course, sequence=first + n, scheduled_at=moment)
        for n, moment in enumerate(moments)
    ]
    return services.visits_save(course=course, visits=visits)


def logged(visit: Visit, pain: tuple[int, int]) -> Visit:
    visit = Visit.objects.get(pk=visit.pk)
    visit.status = Visit.Status.DONE
    visit.pain_before, visit.pain_after = pain
    return services.visit_save(visit=visit)


def with_status(visit: Visit, status: str) -> Visit:
    visit = Visit.objects.get(pk=visit.pk)
    visit.status = status
    return services.visit_save(visit=visit)


def test_every_write_path_keeps_the_summary_columns_true(admin_client, admin_user):
    with time_machine.travel(MORNING, tick=False):
        therapist = UserFactory(username="olga", is_staff=True)
        patient = PatientFactory()
        course = new_course(patient, therapist, SpineRegion.LUMBAR)
        other = new_course(patient, therapist, SpineRegion.CERVICAL)
        assert_summaries_true("planned")
        assert summary(course) == (0, 0, 0, None, None, "", False)

        first, second, third, fourth, fifth = booked(
            course, on(-6, 10), on(-5, 10), on(-4, 10), on(1, 10), on(2, 10)
        )
        assert_summaries_true("booked")

        logged(first, (7, 5))
        assert_summaries_true("first session logged")
        assert summary(course) == (1, 0, 0, 7, 5, PainSource.VISIT, False)

        # The course page: the visit inline, as the browser posts it.
        rows = [visit_row(v) for v in Visit.objects.filter(course=course).order_by("sequence")]
        rows[1] = visit_row(
            Visit.objects.get(pk=second.pk),
            status=Visit.Status.DONE,
            performed_at=second.scheduled_at,
            pain_before=6,
            pain_after=3,
        )
        response = admin_client.post(
            reverse("admin:courses_course_change", args=[course.pk]),
            course_page_data(course, rows, initial=len(rows)),
        )
        assert response.status_code == 302, response.context["errors"]
        assert_summaries_true("second session logged on the course page")
        assert summary(course)[:5] == (2, 0, 0, 7, 3)

        with_status(third, Visit.Status.MISSED)
        assert_summaries_true("third session missed")

        with_status(second, Visit.Status.SCHEDULED)
        assert_summaries_true("second session undone")
        assert summary(course)[:5] == (1, 1, 0, 7, 5)

        rise = messaging.feedback_submit(
            message=MessageFactory(course=course, patient=patient), pain=9
        )
        assert_summaries_true("the patient reported a rise")
        assert summary(course)[4:] == (9, PainSource.PATIENT_REPORT, True)

        messaging.feedback_acknowledge(feedback=[rise], by=admin_user)
        assert_summaries_true("the rise acknowledged")
        assert summary(course)[6] is False

        services.visit_move(visit=Visit.objects.get(pk=fourth.pk), to=on(3, 11), by=None)
        assert_summaries_true("a session moved in the diary")

        response = admin_client.post(
            reverse("admin:courses_visit_changelist"),
            {"action": "delete_selected", "_selected_action": [fifth.pk], "post": "yes"},
        )
        assert response.status_code == 302
        assert_summaries_true("a session deleted from the visit list")

        logged(second, (6, 2))
        assert_summaries_true("the second session logged again")

        with_status(fourth, Visit.Status.CANCELLED)
        booked(course, on(4, 10))
        assert_summaries_true("a session cancelled and another booked")

        response = admin_client.post(
            reverse("admin:courses_course_changelist"),
            {"action": "complete_courses_early", "_selected_action": [course.pk]},
        )
        assert response.status_code == 302
        assert_summaries_true("completed early from the course list")
        assert summary(course)[:3] == (2, 1, 2)

        booked(other, on(-3, 10), on(5, 10))
        response = admin_client.post(
            reverse("admin:courses_course_changelist"),
            {"action": "cancel_courses", "_selected_action": [other.pk]},
        )
        assert response.status_code == 302
        assert_summaries_true("cancelled from the course list")
        assert summary(other)[:3] == (0, 0, 2)

        patient_anonymise(patient=patient, by=admin_user)
        assert_summaries_true("the patient anonymised")


def test_a_course_page_saved_from_a_stale_read_keeps_the_summary_the_visits_give():
    with time_machine.travel(MORNING, tick=False):
        course = new_course(PatientFactory(), UserFactory(is_staff=True), SpineRegion.LUMBAR)
        read_before = Course.objects.get(pk=course.pk)
        (visit,) = booked(course, on(-1, 10))
        logged(visit, (5, 2))

        read_before.notes = "Prefers a firm touch."
        services.course_save(course=read_before)

        assert summary(course)[:5] == (1, 0, 0, 5, 2)
        assert_summaries_true("a stale course saved")
