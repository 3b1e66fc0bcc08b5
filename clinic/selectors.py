"""Reads that gather several areas of the clinic for one page."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from clinic.timeutils import clinic_today
from courses.models import Course, Visit
from courses.selectors import courses_ending_by, visit_counts_on_day, visits_on_day
from messaging.models import Message
from messaging.selectors import (
    HOME_LIST_LIMIT,
    messages_failed,
    messages_needing_attention,
    patients_due_for_repeat_course,
)
from patients.models import Patient


@dataclass(frozen=True)
class StaffHome:
    today: dt.date
    week_ends_on: dt.date
    visits_today: list[Visit] = field(default_factory=list)
    # True when ``visits_today`` holds one therapist's own visits, not the clinic's.
    own_day: bool = False
    # The clinic's day by status (``courses.selectors.visit_counts_on_day``), when
    # ``visits_today`` holds only its first visits still open.
    visit_counts: dict[str, int] = field(default_factory=dict)
    courses_ending: list[Course] = field(default_factory=list)
    # How many courses end this week in all; ``courses_ending`` holds the first of them.
    courses_ending_count: int = 0
    repeat_courses_due: list[Patient] = field(default_factory=list)
    failed_messages: list[Message] = field(default_factory=list)
    messages_needing_attention: list[Message] = field(default_factory=list)


def staff_home(
    *,
    today: dt.date | None = None,
    with_messages: bool = True,
    therapist_id: int | None = None,
    patients: QuerySet[Patient] | None = None,
) -> StaffHome:
    """What the staff need to act on today, for the admin's home page.

    ``with_messages`` False leaves out the failed messages, for staff who may not see
    the message log (therapists). ``therapist_id`` narrows today's visits to that
    therapist's own day, in full; otherwise the clinic's day is counted by status and
    only its first visits still to happen or to log are listed (a chain books hundreds a
    day: the diary has them all). ``patients`` narrows the courses and patients listed to
    those (a therapist's patients in their care). Every list is at most
    ``HOME_LIST_LIMIT`` rows, the courses ending this week with their number in all.
    """
    today = today or clinic_today()
    # The clinic week ends on Sunday; on a Sunday "this week" is that day.
    week_ends_on = today + dt.timedelta(days=6 - today.weekday())
    own_day = therapist_id is not None
    if own_day:
        visits_today = visits_on_day(today, therapist_id=therapist_id)
        visit_counts: dict[str, int] = {}
    else:
        visits_today = visits_on_day(today, still_open=True, limit=HOME_LIST_LIMIT)
        visit_counts = visit_counts_on_day(today)
    courses_ending = courses_ending_by(week_ends_on, patients=patients, limit=HOME_LIST_LIMIT)
    return StaffHome(
        today=today,
        week_ends_on=week_ends_on,
        visits_today=visits_today,
        own_day=own_day,
        visit_counts=visit_counts,
        courses_ending=courses_ending,
        courses_ending_count=courses_ending[0].ending_count if courses_ending else 0,
        repeat_courses_due=patients_due_for_repeat_course(among=patients),
        failed_messages=messages_failed() if with_messages else [],
        messages_needing_attention=messages_needing_attention() if with_messages else [],
    )
