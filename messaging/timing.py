"""When messages fall due, in the clinic's time zone and its sending hours."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    # zoneinfo resolves the wall time on its own; the sending hours never start inside
    # the hour the clocks skip (01:00-02:00 in Europe/London).
    return dt.datetime.combine(day, time).replace(tzinfo=timezone.get_current_timezone())


def within_sending_hours(moment: dt.datetime) -> bool:
    start, end = settings.CLINIC_SENDING_HOURS
    return start <= timezone.localtime(moment).time() < end


def next_sending_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` itself inside the sending hours, else the start of the next window."""
    start, end = settings.CLINIC_SENDING_HOURS
    local = timezone.localtime(moment)
    if local.time() < start:
        return _at(local.date(), start)
    if local.time() >= end:
        return _at(local.date() + dt.timedelta(days=1), start)
    return moment


def morning_of(day: dt.date) -> dt.datetime:
    """When a message due on a clinic-local day goes out: as the sending hours open."""
    return _at(day, settings.CLINIC_SENDING_HOURS[0])


def same_time_days_later(moment: dt.datetime, days: int) -> dt.datetime:
    """The same clinic wall-clock time ``days`` later (-1: the day before), across DST."""
    local = timezone.localtime(moment)
    return _at(local.date() + dt.timedelta(days=days), local.time())


def repeat_course_interval() -> relativedelta:
    """12/N months between repeat courses (N repeat courses a year)."""
    per_year = settings.CLINIC_REPEAT_COURSES_PER_YEAR
    if 12 % per_year == 0:
        return relativedelta(months=12 // per_year)
    return relativedelta(days=round(365.25 / per_year))
