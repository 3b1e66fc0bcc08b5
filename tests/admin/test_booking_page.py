"""The course's booking and moving pages: reception books a course's sessions in one step
from the course page, sees the schedule and nothing clinical, and a slot taken after
the plan was shown refuses the whole booking with the reason."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import RECEPTION
from courses.models import CourseKind, Visit
from tests.courses.booking_diary import (
    MON,
    THU,
    anna,
    at,
    booked_elsewhere,
    clinic_week,  # noqa: F401 (a fixture)
    course_of,
    local,
)
from tests.factories import UserFactory, VisitFactory, contraindication, staff_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_week")]

US_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


@pytest.fixture
def reception() -> Client:
    client = Client()
    client.force_login(staff_with_role(RECEPTION))
    return client


def book_url(course) -> str:
    return reverse("admin:courses_course_book", args=[course.pk])


def shown_plan(page) -> str:
    (plan,) = re.findall(r'name="plan" value="([^"]*)"', page.content.decode())
    return plan.replace("&quot;", '"')


def choice(**fields) -> dict:
    data = {"weekdays": [str(MON), str(THU)], "time": "17:00", "first_day": "23/11/2026"}
    return {**data, **fields}


def test_reception_books_ten_sessions_from_the_course_page_in_two_page_loads(reception):
    course = course_of(anna())

    course_page = reception.get(reverse("admin:courses_course_change", args=[course.pk]))
    assert book_url(course) in course_page.content.decode()
    # The booking page opens with the plan for the course's usual days at 17:00.
    page = reception.get(book_url(course))
    assert page.status_code == 200
    assert page.content.decode().count("17:00-18:00") == 10
    done = reception.post(book_url(course), {**choice(), "plan": shown_plan(page), "_book": "1"})

    assert done.status_code == 302
    assert done["Location"] == reverse("admin:courses_course_change", args=[course.pk])
    visits = list(course.visits.order_by("sequence"))
    assert len(visits) == 10
    assert {(local(v.scheduled_at).weekday(), local(v.scheduled_at).hour) for v in visits} == {
        (MON, 17),
        (THU, 17),
    }


def test_the_first_day_is_typed_the_british_way(reception):
    course = course_of(anna())

    page = reception.post(
        book_url(course), {**choice(first_day="03/12/2026"), "_show": "1"}, **US_BROWSER
    )

    assert page.context["proposal"].sessions[0].starts_at == at(dt.date(2026, 12, 3), 17)


def test_the_booking_page_shows_the_schedule_and_nothing_clinical(reception):
    course = course_of(anna(), start_date=dt.date(2026, 11, 2))
    course.patient.contraindications.create(
        contraindication=contraindication("fever"), noted_on=dt.date(2026, 11, 1)
    )
    VisitFactory(
        course=course,
        sequence=1,
        scheduled_at=at(dt.date(2026, 11, 2), 10),
        done=True,
        notes="Tender left paravertebral zone",
        pain_before=7,
        pain_after=3,
    )

    # The page's own content, not the admin's navigation around it.
    page = reception.get(book_url(course)).content.decode().split('id="content-main"')[1]

    assert "1/10" in page and "Mon 2 Nov 2026" in page and "Done" in page
    for clinical in ("Tender", "Pain", "pain", "Kneading", "kneading", "Fever", "Prone"):
        assert clinical not in page


def test_a_slot_taken_after_the_plan_was_shown_refuses_the_booking_with_the_reason(reception):
    therapist = anna()
    course = course_of(therapist)
    page = reception.post(book_url(course), {**choice(), "_show": "1"})
    booked_elsewhere(therapist, at(dt.date(2026, 11, 26), 17))

    refused = reception.post(
        book_url(course), {**choice(), "plan": shown_plan(page), "_book": "1"}
    )

    assert refused.status_code == 200
    assert refused.context["errors"] == [
        "Session 2: Anna Kowalska already sees Mia Novak 17:00-18:00 on Thu 26 Nov."
    ]
    assert not course.visits.exists()
    # The plan shown again goes around the clash and says so.
    assert refused.context["proposal"].notes[0].startswith("Session 2 moved to 18:00")


def test_the_booking_page_reads_as_many_rows_for_15_sessions_as_for_5(reception):
    counts = []
    for kind, planned in ((CourseKind.PREVENTIVE, 5), (CourseKind.THERAPEUTIC, 15)):
        course = course_of(anna(), kind=kind, planned_sessions=planned)
        for sequence in range(1, planned // 5 + 1):
            VisitFactory(
                course=course,
                sequence=sequence,
                scheduled_at=at(dt.date(2026, 11, 20 + sequence), 10),
            )
        with CaptureQueriesContext(connection) as queries:
            page = reception.get(book_url(course))
        assert len(page.context["proposal"].sessions) == planned - planned // 5
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_staff_who_may_not_book_are_turned_away():
    course = course_of(anna())
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    assert client.get(book_url(course)).status_code == 403
    assert client.get(reverse("admin:courses_course_move", args=[course.pk])).status_code == 403


def test_reception_moves_the_remaining_sessions_by_a_week(reception):
    course = course_of(anna())
    page = reception.get(book_url(course))
    reception.post(book_url(course), {**choice(), "plan": shown_plan(page), "_book": "1"})
    move_url = reverse("admin:courses_course_move", args=[course.pk])
    before = {v.sequence: v.scheduled_at for v in course.visits.all()}

    data = {"from_day": "26/11/2026", "by_days": "7"}
    shown = reception.post(move_url, {**data, "_show": "1"})
    moved = reception.post(move_url, {**data, "plan": shown_plan(shown), "_book": "1"})

    assert moved.status_code == 302
    after = {v.sequence: v.scheduled_at for v in course.visits.all()}
    assert after[1] == before[1]
    assert all(after[n] - before[n] == dt.timedelta(days=7) for n in range(2, 11))
    assert course.visits.filter(status=Visit.Status.SCHEDULED).count() == 10
