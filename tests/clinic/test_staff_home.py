import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.selectors import staff_home
from courses.models import Course, Visit
from messaging.models import Message
from tests.factories import CourseFactory, MessageFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


def at_today(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


def course_with_sessions_left(left: int, *, booked_this_week: int = 0, **kwargs) -> Course:
    """An active course with ``left`` sessions to go and some of them booked for later today."""
    course = CourseFactory(planned_sessions=10, visits_per_week=1, **kwargs)
    for n in range(1, 11 - left):
        VisitFactory(course=course, sequence=n, done=True)
    for i in range(booked_this_week):
        VisitFactory(
            course=course,
            sequence=11 - left + i,
            # Ten-minute bookings, back to back, so both stay within today.
            scheduled_at=timezone.now() + dt.timedelta(minutes=1 + 10 * i),
            booked_minutes=10,
        )
    return course


def test_home_page_lists_todays_visits_with_a_link_to_log_each(admin_client):
    visit = VisitFactory(
        course=CourseFactory(start_date=timezone.localdate(), patient__last_name="Okafor"),
        sequence=1,
        scheduled_at=at_today(0, 1),
    )
    VisitFactory(course=visit.course, sequence=2, scheduled_at=at_today(0, 2), status="cancelled")

    response = admin_client.get(reverse("admin:index"))

    assert response.context["home"].visits_today == [visit]
    html = response.content.decode()
    assert "Okafor" in html
    assert reverse("admin:courses_visit_change", args=[visit.pk]) in html
    assert "Log the visit" in html


def test_course_is_ending_this_week_when_its_last_sessions_are_booked_by_sunday():
    ending = course_with_sessions_left(2, booked_this_week=2)
    not_booked = course_with_sessions_left(2, booked_this_week=1)

    listed = staff_home().courses_ending

    assert ending in listed
    assert not_booked not in listed
    assert listed[listed.index(ending)].sessions_left == 2


def test_course_with_at_most_a_weeks_sessions_left_counts_as_ending():
    course = course_with_sessions_left(1)

    assert course in staff_home().courses_ending


def test_completed_and_planned_courses_are_not_listed_as_ending():
    completed = course_with_sessions_left(1)
    Course.objects.filter(pk=completed.pk).update(status=Course.Status.COMPLETED)
    planned = CourseFactory(status=Course.Status.PLANNED, planned_sessions=10)

    listed = staff_home().courses_ending

    assert completed not in listed
    assert planned not in listed


def test_home_page_says_so_when_there_is_nothing_to_do(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "No visits booked for today." in html
    assert "No course is expected to end this week." in html
    assert "No patient is due for a repeat course." in html
    assert "No message has failed." in html


def test_home_page_keeps_the_app_list(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:courses_course_changelist") in html
    assert reverse("admin:patients_patient_changelist") in html


def test_site_header_shows_the_clinic_name(admin_client, settings):
    settings.CLINIC_NAME = "Spine & Ease"

    response = admin_client.get(reverse("admin:index"))

    assert "Spine &amp; Ease" in response.content.decode()


def count_home_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return len(queries)


def test_home_page_runs_the_same_number_of_queries_however_many_rows_it_shows(admin_client):
    course_with_sessions_left(1)
    VisitFactory(scheduled_at=at_today(0, 1), course__start_date=timezone.localdate())
    count_home_queries(admin_client)  # the first request fills the session and caches
    few = count_home_queries(admin_client)

    for _ in range(4):
        course_with_sessions_left(1)
        VisitFactory(scheduled_at=at_today(0, 1), course__start_date=timezone.localdate())
    many = count_home_queries(admin_client)

    home = staff_home()
    assert len(home.visits_today) == 5
    assert len(home.courses_ending) == 5
    assert many == few
    # Session, user, today's visits still open, the day's counts by status, courses
    # ending, repeat courses due, failed messages, messages stuck or that may have
    # arrived, the admin's recent actions. The session is not written again within a
    # minute of its last renewal.
    assert few == 9
    assert Visit.objects.count() > 5


def test_patient_whose_repeat_course_reminder_fell_due_is_listed_until_a_new_course(
    admin_client,
):
    due = MessageFactory(
        kind=Message.Kind.REPEAT_COURSE_REMINDER,
        status=Message.Status.SENT,
        due_at=timezone.now() - dt.timedelta(days=3),
        course__patient=PatientFactory(first_name="Rosa", last_name="Due"),
    )
    MessageFactory(
        kind=Message.Kind.REPEAT_COURSE_REMINDER,
        due_at=timezone.now() + dt.timedelta(days=30),
        course__patient=PatientFactory(first_name="Not", last_name="Yet"),
    )

    page = admin_client.get(reverse("admin:index")).text

    assert "Rosa Due" in page
    assert reverse("admin:patients_patient_change", args=[due.patient_id]) in page
    assert "Not Yet" not in page

    CourseFactory(patient=due.patient, status=Course.Status.PLANNED, region="cervical")
    assert staff_home().repeat_courses_due == []


def test_failed_message_is_listed_with_a_link_to_retry_it(admin_client):
    failed = MessageFactory(status=Message.Status.FAILED, last_error="550 mailbox unavailable")
    MessageFactory(status=Message.Status.SENT)

    page = admin_client.get(reverse("admin:index")).text

    assert reverse("admin:messaging_message_change", args=[failed.pk]) in page
    assert "550 mailbox unavailable" in page
    assert [m.pk for m in staff_home().failed_messages] == [failed.pk]
