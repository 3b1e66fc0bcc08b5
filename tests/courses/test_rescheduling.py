"""Moving booked sessions: one visit, or every remaining session of a course from a day,
by some days or onto new weekdays, with the booking rules and all or nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from courses import services
from courses.models import Visit
from messaging.models import Message
from tests.courses.booking_diary import (
    FIVE,
    FRI,
    MON,
    THU,
    TUE,
    anna,
    at,
    booked_elsewhere,
    course_of,
    local,
)
from tests.factories import VisitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clinic_week")]

MONDAY = dt.date(2026, 11, 23)
THURSDAY = dt.date(2026, 11, 26)


def booked_course(therapist=None, **fields):
    course = course_of(therapist or anna(), **fields)
    services.course_booking_confirm(
        course=course, weekdays={MON, THU}, time=FIVE, first_day=MONDAY, by=None
    )
    return course


def schedule(course) -> dict[int, dt.datetime]:
    return {v.sequence: local(v.scheduled_at) for v in course.visits.order_by("sequence")}


def reminder_due(visit: Visit) -> dt.datetime:
    message = Message.objects.get(kind=Message.Kind.VISIT_REMINDER, visit=visit)
    assert message.status == Message.Status.PENDING
    return local(message.due_at)


def test_moving_a_visit_moves_its_reminder():
    course = booked_course()
    visit = course.visits.get(sequence=2)
    assert reminder_due(visit) == at(dt.date(2026, 11, 25), 17)

    services.visit_move(visit=visit, to=at(dt.date(2026, 11, 27), 11), by=None)

    visit.refresh_from_db()
    assert local(visit.scheduled_at) == at(dt.date(2026, 11, 27), 11)
    assert reminder_due(visit) == at(dt.date(2026, 11, 26), 11)


def test_a_visit_moved_too_close_to_remind_of_loses_its_old_reminder(clinic_week):
    course = booked_course()
    visit = course.visits.get(sequence=2)
    clinic_week.move_to(at(dt.date(2026, 11, 20), 20, 30))  # after the sending hours

    services.visit_move(visit=visit, to=at(dt.date(2026, 11, 21), 9), by=None)

    message = Message.objects.get(kind=Message.Kind.VISIT_REMINDER, visit=visit)
    assert message.status == Message.Status.CANCELLED


def test_moving_a_visit_onto_another_booking_is_refused_with_the_clash():
    therapist = anna()
    course = booked_course(therapist)
    booked_elsewhere(therapist, at(dt.date(2026, 11, 27), 11))
    visit = course.visits.get(sequence=2)

    with pytest.raises(ValidationError, match="Anna Kowalska already sees Mia Novak 11:00-12:00"):
        services.visit_move(visit=visit, to=at(dt.date(2026, 11, 27), 11), by=None)

    assert local(Visit.objects.get(pk=visit.pk).scheduled_at) == at(THURSDAY, 17)


def test_a_done_session_is_not_moved():
    course = course_of(anna(), start_date=dt.date(2026, 11, 16))
    visit = VisitFactory(
        course=course, sequence=1, scheduled_at=at(dt.date(2026, 11, 16), 17), done=True
    )

    with pytest.raises(ValidationError, match="Session 1 is done: only a scheduled session"):
        services.visit_move(visit=visit, to=at(MONDAY, 10), by=None)


def test_the_remaining_sessions_move_by_a_week_from_a_day():
    course = booked_course()
    before = schedule(course)

    proposal = services.course_shift_propose(course=course, from_day=THURSDAY, by_days=7)
    services.course_visits_shift(course=course, proposal=proposal, by=None)

    after = schedule(course)
    assert after[1] == before[1]  # Monday the 23rd: before the day, stays
    assert all(after[n] == before[n] + dt.timedelta(days=7) for n in range(2, 11))
    assert reminder_due(course.visits.get(sequence=2)) == at(dt.date(2026, 12, 2), 17)


def test_the_remaining_sessions_move_onto_new_weekdays_and_time():
    course = booked_course()

    services.course_visits_shift(
        course=course, from_day=THURSDAY, weekdays={TUE, FRI}, time=dt.time(18), by=None
    )

    after = schedule(course)
    assert after[1] == at(MONDAY, 17)
    assert after[2] == at(dt.date(2026, 11, 27), 18)
    assert {(after[n].weekday(), after[n].hour) for n in range(2, 11)} == {(TUE, 18), (FRI, 18)}


def test_one_clash_refuses_the_whole_move_and_nothing_moves():
    therapist = anna()
    course = booked_course(therapist)
    before = schedule(course)
    # The Thursday a week after the last session (Thu 24 Dec) is taken.
    booked_elsewhere(therapist, at(dt.date(2026, 12, 31), 17))

    proposal = services.course_shift_propose(course=course, from_day=THURSDAY, by_days=7)

    assert proposal.problems == [
        "Session 10 cannot move to Thu 31 Dec 17:00: Anna Kowalska already sees Mia Novak "
        "17:00-18:00 on Thu 31 Dec."
    ]
    with pytest.raises(ValidationError, match="Session 10 cannot move"):
        services.course_visits_shift(course=course, proposal=proposal, by=None)
    assert schedule(course) == before


def test_a_slot_taken_after_the_move_was_shown_refuses_it():
    therapist = anna()
    course = booked_course(therapist)
    before = schedule(course)
    proposal = services.course_shift_propose(course=course, from_day=THURSDAY, by_days=1)
    booked_elsewhere(therapist, at(dt.date(2026, 11, 27), 17))

    with pytest.raises(ValidationError, match="Session 2: Anna Kowalska already sees Mia Novak"):
        services.course_visits_shift(course=course, proposal=proposal, by=None)

    assert schedule(course) == before


def test_moving_needs_days_or_weekdays_not_both():
    course = booked_course()

    with pytest.raises(ValidationError, match="by a number of days or to new weekdays"):
        services.course_shift_propose(course=course, from_day=THURSDAY, by_days=7, weekdays={TUE})
