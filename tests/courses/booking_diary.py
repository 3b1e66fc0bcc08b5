"""A clinic week for the booking tests: open Monday to Saturday 09:00-20:00, closed on
Sundays, the clock stopped on Friday 20 November 2026 at 09:00 in London."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from hours.models import OpeningHours
from tests.factories import CourseFactory, PatientFactory, UserFactory, VisitFactory

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
FIVE = dt.time(17)


@pytest.fixture
def clinic_week():
    for weekday in range(SUN):
        OpeningHours.objects.create(weekday=weekday, starts=dt.time(9), ends=dt.time(20))
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def anna():
    return UserFactory(first_name="Anna", last_name="Kowalska", is_staff=True)


def course_of(therapist, first_name: str = "Ada", last_name: str = "Lovelace", **fields):
    patient = PatientFactory(first_name=first_name, last_name=last_name)
    fields.setdefault("start_date", NOW.date())
    return CourseFactory(patient=patient, therapist=therapist, **fields)


def booked_elsewhere(therapist, start: dt.datetime, first_name="Mia", last_name="Novak"):
    """A session of another patient's course with the same therapist."""
    other = course_of(therapist, first_name, last_name, start_date=start.date())
    return VisitFactory(course=other, sequence=1, scheduled_at=start)
