"""Reception sees what booking needs: not a session's clinical fields, a course's notes
and pain figures, nor the patients' answers."""

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Message
from tests.factories import CourseFactory, MessageFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_visit(therapist_staff):
    course = CourseFactory(therapist=therapist_staff, notes="Sciatica on the left")
    visit = VisitFactory(course=course, done=True, notes="Tender at L4", pain_before=7)
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        course=course,
        visit=visit,
        status=Message.Status.SENT,
    )
    # Pain 9 after 7 before the session: a rise that flags the course.
    services.feedback_submit(message=check_in, pain=9, comment="Stiff since the session")
    return visit


CLINICAL = [
    "Tender at L4",
    "Sciatica on the left",
    "Stiff since the session",
    "pain-chart",
    "no one has acknowledged it yet",
]


def _pages(visit) -> list[str]:
    return [
        reverse("admin:courses_visit_change", args=[visit.pk]),
        reverse("admin:courses_course_change", args=[visit.course_id]),
        reverse("admin:courses_visit_changelist"),
        reverse("admin:courses_course_changelist"),
    ]


def test_reception_reads_no_clinical_detail_on_the_course_and_visit_pages(
    reception_client, answered_visit
):
    for url in _pages(answered_visit):
        response = reception_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert [text for text in CLINICAL if text in page] == [], url
        assert "pain before" not in page.lower(), url
    assert reception_client.get(reverse("admin:messaging_feedback_changelist")).status_code == 403


def test_the_therapist_reads_them_all(therapist_client, answered_visit):
    pages = "".join(therapist_client.get(url).content.decode() for url in _pages(answered_visit))
    assert [text for text in CLINICAL if text not in pages] == []
