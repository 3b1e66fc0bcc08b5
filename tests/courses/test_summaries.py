import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from courses.summaries import PainSource, course_summaries, course_summary
from messaging.models import Feedback, Message
from messaging.services import feedback_submit
from tests.factories import (
    CourseFactory,
    MessageFactory,
    UserFactory,
    VisitFactory,
    bulk_courses,
    summary_course,
)

pytestmark = pytest.mark.django_db


def test_summary_of_a_known_course_has_every_figure():
    course = summary_course()

    summary = course_summary(course.pk)

    assert summary.patient == "Anna Petrova"
    assert summary.therapist == "Olga Ivanova"
    assert (summary.region, summary.kind, summary.massage_kind) == (
        "lumbar",
        "therapeutic",
        "classic",
    )
    assert (summary.start_date, summary.end_date) == (dt.date(2026, 6, 1), dt.date(2026, 6, 20))
    assert (
        summary.sessions_planned,
        summary.sessions_done,
        summary.sessions_missed,
        summary.sessions_cancelled,
    ) == (10, 3, 1, 1)
    assert (summary.pain_at_start, summary.pain_at_end) == (7, 3)
    assert summary.pain_at_end_at == dt.datetime(2026, 6, 7, 10, tzinfo=ZoneInfo("Europe/London"))
    assert summary.pain_at_end_source == PainSource.VISIT
    assert summary.pain_change == -4
    assert summary.pain_change_percent == Decimal("-57.1")
    assert summary.important_improvement is True
    assert summary.next_repeat_reminder is None
    assert "7 to 3" in summary.outcome
    assert "a clinically important improvement" in summary.outcome


def test_course_without_done_visits_has_no_outcome_yet():
    summary = course_summary(CourseFactory().pk)

    assert (summary.pain_at_start, summary.pain_at_end, summary.pain_change) == (None, None, None)
    assert summary.important_improvement is None
    assert summary.pain_change_percent is None
    assert summary.sessions_done == 0


@pytest.mark.parametrize(
    ("before", "after", "important"),
    [
        (6, 4, True),  # 2 points, 33%: both thresholds met
        (8, 6, False),  # 2 points but only 25%
        (2, 1, False),  # 50% but only 1 point
        (5, 6, False),  # worse
        (0, 0, False),  # no pain to improve on: never a percentage of zero
    ],
)
def test_important_improvement_needs_both_the_points_and_the_percentage(before, after, important):
    course = CourseFactory()
    VisitFactory(course=course, sequence=1, done=True, pain_before=before, pain_after=7)
    VisitFactory(course=course, sequence=2, done=True, pain_before=7, pain_after=after)

    assert course_summary(course.pk).important_improvement is important


def test_important_improvement_thresholds_come_from_settings(settings):
    settings.CLINIC_IMPORTANT_IMPROVEMENT_POINTS = 1
    settings.CLINIC_IMPORTANT_IMPROVEMENT_PERCENT = 20
    course = CourseFactory()
    VisitFactory(course=course, sequence=1, done=True, pain_before=8, pain_after=6)

    assert course_summary(course.pk).important_improvement is True


def test_pain_at_start_and_end_come_from_the_first_and_last_done_visits_by_time():
    course = CourseFactory()
    VisitFactory(course=course, sequence=2, done=True, pain_before=5, pain_after=2)
    VisitFactory(course=course, sequence=1, done=True, pain_before=9, pain_after=8)
    VisitFactory(course=course, sequence=3)  # scheduled, not done: no pain yet

    summary = course_summary(course.pk)

    assert (summary.pain_at_start, summary.pain_at_end) == (9, 2)


def test_unknown_course_raises_does_not_exist():
    with pytest.raises(Course.DoesNotExist):
        course_summary(999_999)


def _summary_queries(count: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        summaries = list(course_summaries(Course.objects.all()))
    assert len(summaries) == count
    return len(queries)


def test_summaries_of_a_list_cost_the_same_queries_for_5_courses_as_for_200():
    therapist = UserFactory()
    # One patient at a time: each course's session an hour before the previous one.
    hours, now = iter(range(1, 201)), timezone.now()

    def done_session(course: Course) -> None:
        booked = now - dt.timedelta(hours=next(hours))
        VisitFactory(course=course, sequence=1, done=True, scheduled_at=booked)

    for course in CourseFactory.create_batch(5, therapist=therapist):
        done_session(course)
    five = _summary_queries(5)

    for course in CourseFactory.create_batch(195, therapist=therapist):
        done_session(course)
        VisitFactory(course=course, sequence=2, status="missed")

    assert _summary_queries(200) == five


def report_pain(course: Course, reported_at: dt.datetime, pain: int) -> None:
    """The patient answers the end-of-course follow-up with a pain score at ``reported_at``."""
    message = MessageFactory(course=course, patient=course.patient)
    feedback = feedback_submit(message=message, pain=pain)
    Feedback.objects.filter(pk=feedback.pk).update(submitted_at=reported_at)
    # Back-dated past the service: the course's summary follows, as the demo's does.
    Course.objects.filter(pk=course.pk).summaries_refresh()


def test_a_patient_report_after_the_last_visit_becomes_the_pain_at_the_end():
    course = summary_course()
    reported_at = dt.datetime(2026, 6, 9, 18, tzinfo=ZoneInfo("Europe/London"))
    report_pain(course, reported_at, 1)

    summary = course_summary(course.pk)

    assert (summary.pain_at_end, summary.pain_at_end_at) == (1, reported_at)
    assert summary.pain_at_end_source == PainSource.PATIENT_REPORT
    assert summary.pain_change == -6


def test_a_patient_report_before_the_last_visit_does_not_replace_its_pain():
    course = summary_course()
    reported_at = dt.datetime(2026, 6, 5, 18, tzinfo=ZoneInfo("Europe/London"))
    report_pain(course, reported_at, 9)

    summary = course_summary(course.pk)

    assert (summary.pain_at_end, summary.pain_at_end_source) == (3, PainSource.VISIT)


def test_the_next_repeat_course_reminder_is_the_patients_pending_one():
    course = summary_course()
    due = dt.datetime(2026, 12, 20, 9, tzinfo=ZoneInfo("Europe/London"))
    MessageFactory(
        kind=Message.Kind.REPEAT_COURSE_REMINDER, course=course, patient=course.patient, due_at=due
    )
    MessageFactory(
        kind=Message.Kind.REPEAT_COURSE_REMINDER,
        course=course,
        patient=course.patient,
        due_at=due - dt.timedelta(days=180),
        status=Message.Status.SENT,
    )

    assert course_summary(course.pk).next_repeat_reminder == due


def test_course_list_in_the_admin_costs_the_same_queries_for_5_courses_as_for_50(
    admin_client,
):
    therapist = UserFactory()
    bulk_courses(5, therapist=therapist, visits_per_course=2)
    url = reverse("admin:courses_course_changelist")
    with CaptureQueriesContext(connection) as five:
        assert admin_client.get(url).status_code == 200

    bulk_courses(45, therapist=therapist, offset=5, visits_per_course=2)
    with CaptureQueriesContext(connection) as fifty:
        assert "Patient49 Bulk" in admin_client.get(url).text

    assert len(fifty) == len(five)


def test_course_list_in_the_admin_shows_the_pain_a_patient_reported_last(admin_client):
    course = summary_course()
    reported_at = dt.datetime(2026, 6, 9, 18, tzinfo=ZoneInfo("Europe/London"))
    report_pain(course, reported_at, 1)

    page = admin_client.get(reverse("admin:courses_course_changelist")).text

    assert "-6 (-85.7%)" in page
