"""A therapist's home page shows their own day; the clinic's whole day is in the diary."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from messaging.models import Message
from tests.factories import CourseFactory, MessageFactory, VisitFactory, staff_with_role

pytestmark = pytest.mark.django_db


def today_at(hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour)))


@pytest.fixture
def two_therapists_today():
    mine = staff_with_role(THERAPIST, first_name="Tomas", last_name="Berg")
    other = staff_with_role(THERAPIST, first_name="Anna", last_name="Kowalska")
    own = VisitFactory(
        course=CourseFactory(therapist=mine, patient__last_name="Mine"),
        sequence=1,
        scheduled_at=today_at(0),
    )
    theirs = VisitFactory(
        course=CourseFactory(therapist=other, patient__last_name="Theirs"),
        sequence=1,
        scheduled_at=today_at(0),
    )
    return mine, own, theirs


def home(user) -> tuple[object, str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.context["home"], response.text


def test_a_therapists_home_page_lists_their_own_visits_today_and_links_the_diary(
    two_therapists_today,
):
    therapist, own, _ = two_therapists_today

    listed, page = home(therapist)

    assert listed.visits_today == [own]
    assert "Your visits today" in page
    assert "Theirs" not in page
    assert f'href="{reverse("admin:diary")}"' in page


@pytest.mark.parametrize("role", [RECEPTION, MANAGER])
def test_other_roles_keep_the_clinics_whole_day(role, two_therapists_today):
    _, own, theirs = two_therapists_today

    listed, page = home(staff_with_role(role))

    assert set(listed.visits_today) == {own, theirs}
    assert "Today's visits" in page
    assert f'href="{reverse("admin:diary")}"' in page


def test_a_therapists_patients_due_for_a_repeat_course_are_theirs_only_longest_overdue_first():
    mine = staff_with_role(THERAPIST)
    other = staff_with_role(THERAPIST)
    for days, therapist, name in [(3, mine, "Later"), (9, mine, "Earlier"), (20, other, "Theirs")]:
        course = CourseFactory(therapist=therapist, status="completed", patient__last_name=name)
        MessageFactory(
            kind=Message.Kind.REPEAT_COURSE_REMINDER,
            patient=course.patient,
            course=course,
            due_at=timezone.now() - dt.timedelta(days=days),
            status=Message.Status.SENT,
        )

    listed, _ = home(mine)

    assert [p.last_name for p in listed.repeat_courses_due] == ["Earlier", "Later"]
    assert listed.repeat_courses_due[0].repeat_course_due_at < timezone.now()
