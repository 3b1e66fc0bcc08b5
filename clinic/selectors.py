"""Reads that gather several areas of the clinic for one page."""

import datetime as dt
from dataclasses import dataclass, field

from clinic.timeutils import clinic_today
from courses.models import Course, Visit
from courses.selectors import courses_ending_by, visits_on_day


def patients_due_for_repeat_course_not_wired() -> list:
    """Patients due for a repeat course: none until the repeat-course reminders are wired.

    The reminders area owns when a repeat course is due (2 or 3 a year after a course
    ends); the home page shows its list here once it exists. Until then the section
    shows that there is nothing to show rather than a guess.
    """
    return []


def messages_failed_not_wired() -> list:
    """Patient messages whose sending failed: none until the messaging area is wired."""
    return []


@dataclass(frozen=True)
class StaffHome:
    today: dt.date
    week_ends_on: dt.date
    visits_today: list[Visit] = field(default_factory=list)
    courses_ending: list[Course] = field(default_factory=list)
    repeat_courses_due: list = field(default_factory=list)
    failed_messages: list = field(default_factory=list)


def staff_home(*, today: dt.date | None = None) -> StaffHome:
    """What the staff need to act on today, for the admin's home page."""
    today = today or clinic_today()
    # The clinic week ends on Sunday; on a Sunday "this week" is that day.
    week_ends_on = today + dt.timedelta(days=6 - today.weekday())
    return StaffHome(
        today=today,
        week_ends_on=week_ends_on,
        visits_today=visits_on_day(today),
        courses_ending=courses_ending_by(week_ends_on),
        repeat_courses_due=patients_due_for_repeat_course_not_wired(),
        failed_messages=messages_failed_not_wired(),
    )
