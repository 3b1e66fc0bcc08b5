import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import services
from messaging.models import Feedback, Message
from tests.factories import MessageFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_pain_two_points_above_the_pain_before_the_visit_alerts_the_therapist(check_in):
    feedback = services.feedback_submit(message=check_in, pain=6)

    alert = Message.objects.get(kind=Message.Kind.STAFF_ALERT)
    assert feedback.raises_alert
    assert (alert.feedback, alert.course, alert.status) == (
        feedback,
        check_in.course,
        Message.Status.PENDING,
    )


def test_pain_one_point_above_raises_no_alert(check_in):
    services.feedback_submit(message=check_in, pain=5)

    assert not Message.objects.filter(kind=Message.Kind.STAFF_ALERT).exists()


def test_the_end_of_course_follow_up_compares_with_the_last_visit(check_in):
    follow_up = MessageFactory(course=check_in.course, status=Message.Status.SENT)

    feedback = services.feedback_submit(message=follow_up, pain=6)

    assert (feedback.visit, feedback.pain_before_visit, feedback.raises_alert) == (None, 4, True)


def test_a_flagged_course_shows_in_the_course_list_and_its_filter(admin_client, check_in):
    calm = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        visit=VisitFactory(done=True),
        status=Message.Status.SENT,
    )
    services.feedback_submit(message=check_in, pain=8, comment="It hurts more.")

    flagged = admin_client.get(reverse("admin:courses_course_changelist") + "?flagged=yes")
    not_flagged = admin_client.get(reverse("admin:courses_course_changelist") + "?flagged=no")

    assert [c.pk for c in flagged.context["cl"].result_list] == [check_in.course_id]
    assert calm.course_id in [c.pk for c in not_flagged.context["cl"].result_list]


def test_staff_see_the_answer_on_the_course_and_visit_pages(admin_client, check_in):
    services.feedback_submit(message=check_in, pain=3, comment="Much better now")

    course_page = admin_client.get(
        reverse("admin:courses_course_change", args=[check_in.course_id])
    )
    visit_page = admin_client.get(reverse("admin:courses_visit_change", args=[check_in.visit_id]))

    assert "Much better now" in course_page.content.decode()
    assert "Much better now" in visit_page.content.decode()
    assert Feedback.objects.count() == 1


def test_the_course_list_needs_the_same_queries_for_many_flagged_courses(admin_client, check_in):
    services.feedback_submit(message=check_in, pain=9)
    url = reverse("admin:courses_course_changelist")
    admin_client.get(url)  # the first request fills the session
    with CaptureQueriesContext(connection) as one:
        admin_client.get(url)

    for i in range(10):
        visit = VisitFactory(
            course__therapist=check_in.course.therapist,
            done=True,
            # One patient at a time: an hour apart, before the check-in's visit.
            scheduled_at=check_in.visit.scheduled_at - dt.timedelta(hours=i + 1),
        )
        services.feedback_submit(
            message=MessageFactory(
                kind=Message.Kind.POST_VISIT_CHECK_IN,
                course=visit.course,
                visit=visit,
                patient=visit.course.patient,
            ),
            pain=9,
        )
    with CaptureQueriesContext(connection) as eleven:
        response = admin_client.get(url)

    assert len(response.context["cl"].result_list) == 11
    assert all(course.pain_flagged for course in response.context["cl"].result_list)
    assert len(eleven) == len(one)
