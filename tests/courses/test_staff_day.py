"""A property test of the staff's day: book, log, undo, reschedule, cancel, complete
early and delete visits in random order through the services, and check after every
step that the visit log and the patient's messages still tell the truth.

``HYPOTHESIS_PROFILE=thorough`` runs ten times as many days.
"""

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from clinic.timeutils import clinic_date
from courses import services
from courses.models import Course, CourseKind, SpineRegion, Visit
from messaging.models import Message
from tests.factories import PatientFactory, UserFactory

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
START = dt.datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("Europe/London"))
REGIONS = [SpineRegion.LUMBAR, SpineRegion.CERVICAL]
# Any row, by position among those there are: rows come and go as the day goes on.
pick = st.integers(min_value=0, max_value=10_000)
pain = st.integers(min_value=0, max_value=10)


class StaffDay(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        # Short plans, so that a day of 30 steps completes and reopens courses.
        self.short_plans = override_settings(
            CLINIC_THERAPEUTIC_SESSIONS=(3, 4), CLINIC_PREVENTIVE_SESSIONS=(2, 3)
        )
        self.short_plans.enable()
        # Each run of the day starts from an empty clinic and leaves nothing behind.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.patient = PatientFactory()
        self.therapist = UserFactory(username="staff-day-therapist")
        self.refusals = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.short_plans.disable()
        self.traveller.stop()

    # --- helpers ------------------------------------------------------------------------

    def _try(self, action, **kwargs) -> None:
        """Staff try; a refusal is a fine outcome as long as it saved nothing."""
        try:
            with transaction.atomic():
                action(**kwargs)
        except ValidationError:
            self.refusals += 1

    def _course(self, index: int) -> Course | None:
        courses = list(Course.objects.filter(patient=self.patient).order_by("pk"))
        return courses[index % len(courses)] if courses else None

    def _visit(self, index: int, *statuses: str) -> Visit | None:
        visits = Visit.objects.filter(course__patient=self.patient).order_by("pk")
        if statuses:
            visits = visits.filter(status__in=statuses)
        visits = list(visits)
        return visits[index % len(visits)] if visits else None

    def _at(self, days: int, hour: int) -> dt.datetime:
        now = dt.datetime.now(tz=START.tzinfo)
        return (now + dt.timedelta(days=days)).replace(hour=hour, minute=0, second=0)

    # --- what staff do --------------------------------------------------------------------

    @initialize(therapeutic=st.booleans())
    def first_courses(self, therapeutic: bool) -> None:
        # Two regions at once: what one course does to the other's messages is in play.
        for region in REGIONS:
            self.plan_course(region=region, therapeutic=therapeutic)

    @rule(region=st.sampled_from(REGIONS), therapeutic=st.booleans())
    def plan_course(self, region: str, therapeutic: bool) -> None:
        kind = CourseKind.THERAPEUTIC if therapeutic else CourseKind.PREVENTIVE
        course = Course(
            patient=self.patient,
            kind=kind,
            region=region,
            planned_sessions=Course.sessions_range(kind)[0],
            therapist=self.therapist,
            start_date=dt.datetime.now(tz=START.tzinfo).date() - dt.timedelta(days=3),
        )
        self._try(services.course_save, course=course)

    @rule(course=pick, days=st.integers(-2, 6), hour=st.integers(8, 19))
    def book(self, course: int, days: int, hour: int) -> None:
        course = self._course(course)
        if course is None:
            return
        visit = Visit(
            course=course,
            sequence=services.visit_next_sequence(course),
            scheduled_at=self._at(days, hour),
        )
        self._try(services.visit_save, visit=visit)

    @rule(course=pick, days=st.integers(0, 3), hour=st.integers(8, 19))
    def book_the_rest(self, course: int, days: int, hour: int) -> None:
        course = self._course(course)
        if course is not None:
            self._try(
                services.course_schedule_visits, course=course, first_at=self._at(days, hour)
            )

    @rule(visit=pick, before=pain, after=pain)
    def log(self, visit: int, before: int, after: int) -> None:
        visit = self._visit(visit, Visit.Status.SCHEDULED, Visit.Status.MISSED)
        if visit is None:
            return
        visit.status, visit.pain_before, visit.pain_after = Visit.Status.DONE, before, after
        self._try(services.visit_save, visit=visit)

    @rule(visit=pick, before=pain, after=pain)
    def log_a_session_held_today(self, visit: int, before: int, after: int) -> None:
        visit = self._visit(visit, Visit.Status.SCHEDULED)
        if visit is None:
            return
        visit.scheduled_at = dt.datetime.now(tz=START.tzinfo) - dt.timedelta(minutes=5)
        visit.status, visit.pain_before, visit.pain_after = Visit.Status.DONE, before, after
        self._try(services.visit_save, visit=visit)

    @rule(
        visit=pick,
        to=st.sampled_from([Visit.Status.SCHEDULED, Visit.Status.MISSED, Visit.Status.CANCELLED]),
        days=st.one_of(st.none(), st.integers(0, 5)),
    )
    def undo(self, visit: int, to: str, days: int | None) -> None:
        visit = self._visit(visit, Visit.Status.DONE)
        if visit is None:
            return
        visit.status = to
        if days is not None:
            visit.scheduled_at = self._at(days, 11)
        self._try(services.visit_save, visit=visit)

    @rule(visit=pick, days=st.integers(-1, 7), hour=st.integers(8, 19))
    def reschedule(self, visit: int, days: int, hour: int) -> None:
        visit = self._visit(visit, Visit.Status.SCHEDULED, Visit.Status.CANCELLED)
        if visit is None:
            return
        visit.status, visit.scheduled_at = Visit.Status.SCHEDULED, self._at(days, hour)
        self._try(services.visit_save, visit=visit)

    @rule(visit=pick, to=st.sampled_from([Visit.Status.MISSED, Visit.Status.CANCELLED]))
    def cancel_or_miss(self, visit: int, to: str) -> None:
        visit = self._visit(visit, Visit.Status.SCHEDULED)
        if visit is None:
            return
        visit.status = to
        self._try(services.visit_save, visit=visit)

    @rule(visit=pick)
    def delete(self, visit: int) -> None:
        visit = self._visit(visit)
        if visit is not None:
            self._try(services.visits_delete, visits=[visit])

    @rule(course=pick)
    def start(self, course: int) -> None:
        course = self._course(course)
        if course is not None:
            self._try(services.course_start, course=course)

    @rule(course=pick)
    def complete_early(self, course: int) -> None:
        course = self._course(course)
        if course is not None:
            self._try(services.course_complete_early, course=course)

    @rule(course=pick)
    def cancel_course(self, course: int) -> None:
        course = self._course(course)
        if course is not None:
            self._try(services.course_cancel, course=course)

    @rule(course=pick, days=st.integers(1, 3), before=pain, after=pain)
    def sessions_on_the_next_days(self, course: int, days: int, before: int, after: int) -> None:
        """The commonest week: the patient comes on the next mornings, each session
        logged; several at once so that courses complete, and reopen, often."""
        course = self._course(course)
        if course is None:
            return
        for _ in range(days):
            self.clock.move_to(self._at(1, 9))
            # The next booked session, held this morning; a new one when none is booked.
            visit = course.visits.filter(status=Visit.Status.SCHEDULED).order_by(
                "scheduled_at"
            ).first() or Visit(course=course, sequence=services.visit_next_sequence(course))
            visit.scheduled_at = self._at(0, 9)
            visit.status, visit.pain_before, visit.pain_after = Visit.Status.DONE, before, after
            self._try(services.visit_save, visit=visit)
            course.refresh_from_db()

    @rule(hours=st.integers(1, 40))
    def time_passes(self, hours: int) -> None:
        self.clock.shift(dt.timedelta(hours=hours))

    # --- what must hold after every step ----------------------------------------------

    @invariant()
    def courses_keep_to_their_plan(self) -> None:
        for course in Course.objects.filter(patient=self.patient):
            visits = list(course.visits.all())
            done = [v for v in visits if v.is_done]
            booked = [v for v in visits if v.status in Visit.PLAN_STATUSES]
            assert len(done) <= course.planned_sessions
            assert len(booked) <= course.planned_sessions
            scheduled = [v for v in visits if v.status == Visit.Status.SCHEDULED]
            if course.status in Course.CLOSED_STATUSES:
                assert not scheduled, f"{course.status} course has sessions booked"
                assert course.end_date is not None
            else:
                assert course.end_date is None
            if course.status == Course.Status.COMPLETED and not course.completed_early:
                assert len(done) == course.planned_sessions
            if course.status == Course.Status.ACTIVE:
                assert len(done) < course.planned_sessions
            if done:
                assert course.status != Course.Status.PLANNED
            days = [clinic_date(v.performed_at) for v in done]
            assert len(days) == len(set(days)), "two sessions of a course on one day"

    @invariant()
    def done_sessions_happened_on_their_day(self) -> None:
        now = dt.datetime.now(tz=START.tzinfo)
        for visit in Visit.objects.filter(course__patient=self.patient):
            if visit.is_done:
                assert visit.performed_at <= now
                assert clinic_date(visit.performed_at) == clinic_date(visit.scheduled_at)
                assert visit.pain_before is not None and visit.pain_after is not None
            else:
                assert visit.performed_at is None and visit.pain_before is None

    @invariant()
    def messages_match_the_record(self) -> None:
        open_messages = Message.objects.open().filter(patient=self.patient)
        for message in open_messages.select_related("visit", "course"):
            if message.kind == Message.Kind.POST_VISIT_CHECK_IN:
                assert message.visit.is_done, "a check-in is pending for a visit not done"
            elif message.kind == Message.Kind.VISIT_REMINDER:
                assert message.visit.status == Visit.Status.SCHEDULED, (
                    "a reminder is pending for a visit not booked"
                )
            elif message.kind == Message.Kind.END_OF_COURSE_FOLLOW_UP:
                assert message.course.status == Course.Status.COMPLETED
            elif message.kind == Message.Kind.REPEAT_COURSE_REMINDER:
                assert message.course.status == Course.Status.COMPLETED
                assert not self.patient.courses.open().exists(), (
                    "a repeat-course reminder is pending while the patient has an open course"
                )
        done = Visit.objects.filter(course__patient=self.patient, status=Visit.Status.DONE)
        for visit in done:
            assert Message.objects.filter(
                visit=visit, kind=Message.Kind.POST_VISIT_CHECK_IN
            ).exclude(status=Message.Status.CANCELLED), "a done visit has no check-in"
        for course in Course.objects.filter(patient=self.patient, status="completed"):
            assert Message.objects.open().filter(
                course=course, kind=Message.Kind.END_OF_COURSE_FOLLOW_UP
            ) or Message.objects.filter(course=course, status=Message.Status.SENT)


StaffDay.TestCase.settings = settings(
    max_examples=300 if THOROUGH else 30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStaffDay = pytest.mark.django_db(StaffDay.TestCase)
