"""Clinic-local dates: the one place that turns an instant into the clinic's calendar."""

import datetime as dt

from django.utils import formats, timezone


def clinic_today() -> dt.date:
    return timezone.localdate()


def clinic_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def clinic_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware instants at which a clinic-local day starts and the next one starts."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min).replace(tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min).replace(tzinfo=tz)
    return start, end


def clinic_day_label(day: dt.date) -> str:
    """A day as staff say it in a message: "Thu 26 Nov" (2027 and later with the year)."""
    label = formats.date_format(day, "D j M")
    return label if day.year == clinic_today().year else f"{label} {day.year}"
