"""A course's sessions booked in one step: proposed on the chosen weekdays and time,
around closed days, time off and clashes (each move said), then booked all or none."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from courses import services
from courses.models import Course, CourseKind, MassageKind, Visit
from hours.models import ClosedDay, TimeOff, WorkingHours
from messaging.models import Message
from tests.courses.booking_diary import (
    FIVE,
    MON,
    NOW,
    SAT,
    SUN,
    THU,
    TUE,
    WED,
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


def propose(course: Course, weekdays=(MON, THU), time=FIVE, first_day=MONDAY, **kwargs):
    return services.course_booking_propose(
        course=course, weekdays=set(weekdays), time=time, first_day=first_day, **kwargs
    )


def starts(proposal) -> list[dt.datetime]:
    return [local(s.starts_at) for s in proposal.sessions]


def test_every_remaining_session_is_proposed_on_the_chosen_weekdays_at_the_time():
    course = course_of(anna(), start_date=dt.date(2026, 11, 2))
    VisitFactory(course=course, sequence=1, scheduled_at=at(dt.date(2026, 11, 2), 10), done=True)
    VisitFactory(course=course, sequence=2, scheduled_at=at(dt.date(2026, 11, 5), 10), done=True)

    proposal = propose(course)

    assert [s.sequence for s in proposal.sessions] == list(range(3, 11))
    assert {(s.weekday(), s.hour, s.minute) for s in starts(proposal)} == {
        (MON, 17, 0),
        (THU, 17, 0),
    }
    assert starts(proposal)[:2] == [at(MONDAY, 17), at(THURSDAY, 17)]
    assert proposal.notes == [] and proposal.can_book


def test_closed_days_and_time_off_are_skipped_and_each_move_is_said():
    therapist = anna()
    ClosedDay.objects.create(date=THURSDAY, reason="Staff training")
    TimeOff.objects.create(
        therapist=therapist,
        starts_at=at(dt.date(2026, 12, 3), 0),
        ends_at=at(dt.date(2026, 12, 4), 0),
        reason="Dentist",
    )
    course = course_of(therapist)

    proposal = propose(course)

    assert starts(proposal)[:3] == [
        at(MONDAY, 17),
        at(dt.date(2026, 11, 30), 17),
        at(dt.date(2026, 12, 7), 17),
    ]
    assert proposal.notes == [
        "Session 2 moved to Mon 30 Nov 17:00: The clinic is closed on Thu 26 Nov "
        "(Staff training).",
        "Session 3 moved to Mon 7 Dec 17:00: Anna Kowalska is away from Thu 3 Dec 00:00 "
        "to Fri 4 Dec 00:00 (Dentist).",
    ]


def test_sundays_are_skipped_when_the_clinic_is_closed_on_sundays():
    course = course_of(anna())

    proposal = propose(course, weekdays=(WED, SUN))

    assert {s.weekday() for s in starts(proposal)} == {WED}
    assert proposal.notes[0] == (
        "Session 2 moved to Wed 2 Dec 17:00: The clinic is closed on Sun 29 Nov."
    )


def test_days_the_therapist_does_not_work_are_skipped():
    therapist = anna()
    for weekday in (MON, TUE, WED, THU):
        WorkingHours.objects.create(
            therapist=therapist, weekday=weekday, starts=dt.time(9), ends=dt.time(18)
        )
    course = course_of(therapist)

    proposal = propose(course, weekdays=(THU, SAT))

    assert {s.weekday() for s in starts(proposal)} == {THU}
    assert proposal.notes[0] == (
        "Session 2 moved to Thu 3 Dec 17:00: Anna Kowalska does not work on Sat 28 Nov."
    )


def test_a_clash_moves_the_session_later_the_same_day_and_says_why():
    therapist = anna()
    booked_elsewhere(therapist, at(THURSDAY, 17))
    course = course_of(therapist)

    proposal = propose(course)

    assert starts(proposal)[1] == at(THURSDAY, 18)
    assert proposal.notes == [
        "Session 2 moved to 18:00: Anna Kowalska already sees Mia Novak 17:00-18:00 on Thu 26 Nov."
    ]


def test_a_full_evening_moves_the_session_to_the_next_chosen_weekday():
    therapist = anna()
    for weekday in (MON, THU):
        WorkingHours.objects.create(
            therapist=therapist, weekday=weekday, starts=dt.time(9), ends=dt.time(18)
        )
    booked_elsewhere(therapist, at(THURSDAY, 17))
    course = course_of(therapist)

    proposal = propose(course)

    assert starts(proposal)[:2] == [at(MONDAY, 17), at(dt.date(2026, 11, 30), 17)]
    assert proposal.notes[0].startswith("Session 2 moved to Mon 30 Nov 17:00: Anna Kowalska")


def test_the_patients_session_with_another_therapist_is_avoided():
    course = course_of(anna())
    other = course_of(anna(), start_date=NOW.date())
    other.patient = course.patient
    other.region = "cervical"
    other.save()
    VisitFactory(course=other, sequence=1, scheduled_at=at(MONDAY, 17))

    proposal = propose(course)

    assert starts(proposal)[0] == at(MONDAY, 18)
    assert "Ada Lovelace already has a session with" in proposal.notes[0]


def test_honey_massage_keeps_its_days_between_sessions():
    course = course_of(anna(), massage_kind=MassageKind.HONEY)

    proposal = propose(course, weekdays=(MON, TUE, THU))

    days = [s.date() for s in starts(proposal)]
    assert min((b - a).days for a, b in zip(days, days[1:], strict=False)) >= 3
    assert "honey massage needs 3 days between sessions" in " ".join(proposal.notes).lower()


def test_no_more_sessions_are_proposed_than_the_plan_leaves():
    course = course_of(anna(), kind=CourseKind.PREVENTIVE, planned_sessions=5)
    services.course_booking_confirm(course=course, proposal=propose(course), by=None)

    proposal = propose(course)

    assert proposal.sessions == []
    assert proposal.problems == [
        "All 5 planned sessions are done or booked: nothing is left to book."
    ]
    with pytest.raises(ValidationError, match="nothing is left to book"):
        services.course_booking_confirm(course=course, proposal=proposal, by=None)


def test_the_first_session_cannot_be_before_the_course_starts():
    course = course_of(anna(), start_date=THURSDAY)

    with pytest.raises(ValidationError, match="The course starts on Thu 26 Nov"):
        propose(course)


def test_booking_books_every_proposed_session_with_its_reminder():
    course = course_of(anna())
    proposal = propose(course)

    booked = services.course_booking_confirm(course=course, proposal=proposal, by=None)

    assert len(booked) == 10
    assert [(v.sequence, local(v.scheduled_at)) for v in course.visits.order_by("sequence")] == [
        (s.sequence, local(s.starts_at)) for s in proposal.sessions
    ]
    assert Message.objects.filter(kind=Message.Kind.VISIT_REMINDER).count() == 10


def test_a_slot_taken_after_the_plan_was_shown_refuses_the_whole_booking():
    therapist = anna()
    course = course_of(therapist)
    proposal = propose(course)
    # Another desk books the therapist's Thursday at 17:00 meanwhile.
    booked_elsewhere(therapist, at(THURSDAY, 17))

    with pytest.raises(ValidationError) as refused:
        services.course_booking_confirm(course=course, proposal=proposal, by=None)

    assert refused.value.messages == [
        "Session 2: Anna Kowalska already sees Mia Novak 17:00-18:00 on Thu 26 Nov."
    ]
    assert not course.visits.exists()
    assert not Message.objects.filter(course=course).exists()


def test_the_same_choice_can_be_booked_without_a_proposal_in_hand():
    course = course_of(anna())

    services.course_booking_confirm(
        course=course, weekdays={MON, THU}, time=FIVE, first_day=MONDAY, by=None
    )

    assert course.visits.filter(status=Visit.Status.SCHEDULED).count() == 10


@pytest.mark.parametrize(
    ("planned", "kind"), [(5, CourseKind.PREVENTIVE), (15, CourseKind.THERAPEUTIC)]
)
def test_a_proposal_reads_the_diary_in_a_constant_number_of_queries(
    planned, kind, django_assert_num_queries
):
    therapist = anna()
    for week in range(planned):
        booked_elsewhere(therapist, at(MONDAY + dt.timedelta(weeks=week), 17))
    course = Course.objects.get(pk=course_of(therapist, kind=kind, planned_sessions=planned).pk)

    # The course's counts, its patient and therapist, working time (4), the bookings.
    with django_assert_num_queries(8):
        proposal = propose(course)

    assert len(proposal.sessions) == planned
    assert len(proposal.notes) == (planned + 1) // 2


@pytest.mark.parametrize(
    "first_day",
    [dt.date(2027, 3, 22), dt.date(2027, 10, 25)],
    ids=["spring-forward", "fall-back"],
)
def test_sessions_across_the_clock_change_keep_their_local_time(first_day):
    course = course_of(anna(), start_date=first_day)

    services.course_booking_confirm(
        course=course, proposal=propose(course, first_day=first_day), by=None
    )

    times = {
        (local(v.scheduled_at).hour, local(v.scheduled_at).minute) for v in course.visits.all()
    }
    offsets = {local(v.scheduled_at).utcoffset() for v in course.visits.all()}
    assert times == {(17, 0)}
    assert len(offsets) == 2  # both sides of the change
