"""A therapist's own diary as an iCalendar feed, at a secret address they subscribe to
from Google Calendar, Apple Calendar or Outlook (README, "Subscribe to your diary").

What a calendar shows is out of the clinic's hands (phones, shared calendars, lock
screens), so an event carries the patient's first name and the session number only:
no surname, region, pain or notes.
"""

import datetime as dt

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic import ics
from clinic.language import staff_language
from clinic.staff import staff_name
from courses.models import PLANNING_HORIZON, Visit
from hours.selectors import calendar_feed_owner

# How far back the feed reaches: enough for "who did I see last week", while a year's
# sessions would only slow every refresh of every subscribed calendar.
FEED_PAST = dt.timedelta(days=30)


def visits_for_feed(*, therapist_id: int, now: dt.datetime) -> list[Visit]:
    """The therapist's booked sessions (scheduled and done) from ``FEED_PAST`` ago to
    the planning horizon, with when each was last changed. One query."""
    last_change = Visit.history.filter(id=OuterRef("pk")).order_by("-history_date")
    return list(
        Visit.objects.booked()
        .filter(
            therapist_id=therapist_id,
            scheduled_at__gte=now - FEED_PAST,
            scheduled_at__lte=now + PLANNING_HORIZON,
        )
        .select_related("course__patient")
        .only(
            "scheduled_at",
            "ends_at",
            "sequence",
            "course__planned_sessions",
            "course__patient__first_name",
        )
        .annotate(last_modified=Subquery(last_change.values("history_date")[:1]))
        .order_by("scheduled_at")
    )


def feed_summary(visit: Visit) -> str:
    return _("%(first_name)s, session %(n)d/%(planned)d") % {
        "first_name": visit.course.patient.first_name,
        "n": visit.sequence,
        "planned": visit.course.planned_sessions,
    }


def therapist_calendar(*, therapist, now: dt.datetime | None = None) -> bytes:
    now = now or timezone.now()
    # In the therapist's own language, as everything the clinic shows them.
    with translation.override(staff_language(user=therapist)):
        name = _("%(clinic)s: %(name)s") % {
            "clinic": settings.CLINIC_NAME,
            "name": staff_name(therapist),
        }
        calendar = ics.calendar_new(name=name)
        # Asks Apple Calendar and Outlook to look again every hour (Google decides itself).
        calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        for visit in visits_for_feed(therapist_id=therapist.pk, now=now):
            path = reverse("admin:courses_visit_change", args=[visit.pk])
            calendar.add_component(
                ics.event_new(
                    uid=ics.event_uid("diary-visit", visit.pk),
                    starts_at=visit.scheduled_at,
                    ends_at=visit.ends_at,
                    summary=feed_summary(visit),
                    # Without a METHOD, DTSTAMP is when the event last changed (RFC 5545).
                    stamp=visit.last_modified or now,
                    last_modified=visit.last_modified,
                    url=settings.CLINIC_SITE_URL + path,
                )
            )
    return calendar.to_ical()


@require_safe
@never_cache
def therapist_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed behind a staff member's secret address; 404 for any other address."""
    therapist = calendar_feed_owner(token=token)
    if therapist is None:
        raise Http404
    return HttpResponse(
        therapist_calendar(therapist=therapist), content_type="text/calendar; charset=utf-8"
    )
