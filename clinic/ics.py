"""iCalendar files for the clinic's visits: the therapists' feeds and the patients'
reminder attachments. Times are written in UTC, so no calendar has to know the clinic's
time zone rules and a clock change moves nothing."""

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings


def calendar_new(*, method: str | None = None, name: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_NAME}//Diary//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def event_uid(kind: str, pk: int) -> str:
    """A UID that stays the same for one visit, so that a calendar updates its event
    when the visit moves instead of adding another."""
    domain = urlsplit(settings.CLINIC_SITE_URL).hostname or "localhost"
    return f"{kind}-{pk}@{domain}"


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def event_new(
    *,
    uid: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    summary: str,
    stamp: dt.datetime,
    location: str = "",
    url: str = "",
    last_modified: dt.datetime | None = None,
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(starts_at))
    event.add("dtend", _utc(ends_at))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    if last_modified:
        event.add("last-modified", _utc(last_modified))
    return event
