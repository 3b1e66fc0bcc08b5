"""Working time for a span of days, read once: the diary's grid, the booking rules and
the one-step booking ask it day by day without a query per day."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.timeutils import clinic_date, clinic_day_label
from hours.models import CalendarFeed, ClosedDay, OpeningHours, TimeOff, WorkingHours

Window = tuple[dt.datetime, dt.datetime]


def _instant(day: dt.date, time: dt.time) -> dt.datetime:
    # make_aware resolves a wall-clock time on the clock-change days (fold=0).
    return timezone.make_aware(dt.datetime.combine(day, time))


def _clock(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


@dataclass
class WorkingTime:
    """The clinic's opening hours, closed days, and the given therapists' hours and time
    off between two days. Without any opening hours entered, the clinic's hours are not
    set and bound nothing (a new installation books at any time until the manager enters
    them); closed days and the therapists' own hours and time off still apply."""

    opening: dict[int, tuple[dt.time, dt.time]]
    closed: dict[dt.date, str]
    hours: dict[int, dict[int, tuple[dt.time, dt.time]]]
    time_off: dict[int, list[TimeOff]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, *, therapist_ids: Iterable[int], first_day: dt.date, last_day: dt.date
    ) -> "WorkingTime":
        ids = set(therapist_ids)
        hours: dict[int, dict[int, tuple[dt.time, dt.time]]] = {}
        for row in WorkingHours.objects.filter(therapist_id__in=ids):
            hours.setdefault(row.therapist_id, {})[row.weekday] = (row.starts, row.ends)
        time_off: dict[int, list[TimeOff]] = {}
        span_start, span_end = (
            _instant(first_day, dt.time.min),
            _instant(last_day + dt.timedelta(days=1), dt.time.min),
        )
        away = TimeOff.objects.filter(
            therapist_id__in=ids, starts_at__lt=span_end, ends_at__gt=span_start
        )
        for row in away:
            time_off.setdefault(row.therapist_id, []).append(row)
        return cls(
            opening={row.weekday: (row.starts, row.ends) for row in OpeningHours.objects.all()},
            closed=dict(
                ClosedDay.objects.filter(date__range=(first_day, last_day)).values_list(
                    "date", "reason"
                )
            ),
            hours=hours,
            time_off=time_off,
        )

    @property
    def opening_hours_set(self) -> bool:
        return bool(self.opening)

    def clinic_window(self, day: dt.date) -> Window | None:
        """When the clinic is open on ``day``; None when it is closed all day."""
        if day in self.closed:
            return None
        if not self.opening:
            return _instant(day, dt.time.min), _instant(day + dt.timedelta(days=1), dt.time.min)
        if day.weekday() not in self.opening:
            return None
        opens, closes = self.opening[day.weekday()]
        return _instant(day, opens), _instant(day, closes)

    def window(self, therapist_id: int, day: dt.date) -> Window | None:
        """When the therapist works on ``day``, inside the clinic's hours; None when not
        at all. Time off is not taken out (see ``away``)."""
        clinic = self.clinic_window(day)
        if clinic is None:
            return None
        own = self.hours.get(therapist_id)
        if own is None:
            return clinic
        if day.weekday() not in own:
            return None
        starts, ends = own[day.weekday()]
        start, end = max(clinic[0], _instant(day, starts)), min(clinic[1], _instant(day, ends))
        return (start, end) if start < end else None

    def away(self, therapist_id: int, start: dt.datetime, end: dt.datetime) -> TimeOff | None:
        for row in self.time_off.get(therapist_id, ()):
            if row.starts_at < end and start < row.ends_at:
                return row
        return None

    def refusal(
        self, *, therapist_id: int, therapist_name: str, start: dt.datetime, end: dt.datetime
    ) -> str | None:
        """Why a booking from ``start`` to ``end`` is outside working time, in words."""
        day = clinic_date(start)
        label = clinic_day_label(day)
        if day in self.closed:
            reason = self.closed[day]
            return (
                _("The clinic is closed on %(day)s (%(reason)s).")
                % {"day": label, "reason": reason}
                if reason
                else _("The clinic is closed on %(day)s.") % {"day": label}
            )
        clinic = self.clinic_window(day)
        if clinic is None:
            return _("The clinic is closed on %(day)s.") % {"day": label}
        span = f"{_clock(start)}-{_clock(end)}"
        if self.opening and not (clinic[0] <= start and end <= clinic[1]):
            return _("The clinic is open %(hours)s on %(day)s: %(span)s is outside it.") % {
                "hours": f"{_clock(clinic[0])}-{_clock(clinic[1])}",
                "day": label,
                "span": span,
            }
        # A therapist without hours of their own works the clinic's, checked above.
        own = self.window(therapist_id, day) if therapist_id in self.hours else None
        if therapist_id in self.hours and own is None:
            return _("%(name)s does not work on %(day)s.") % {"name": therapist_name, "day": label}
        if own is not None and not (own[0] <= start and end <= own[1]):
            return _("%(name)s works %(hours)s on %(day)s: %(span)s is outside it.") % {
                "name": therapist_name,
                "hours": f"{_clock(own[0])}-{_clock(own[1])}",
                "day": label,
                "span": span,
            }
        away = self.away(therapist_id, start, end)
        if away is not None:
            first, last = clinic_date(away.starts_at), clinic_date(away.ends_at)
            return _("%(name)s is away from %(first)s to %(last)s%(reason)s.") % {
                "name": therapist_name,
                "first": f"{clinic_day_label(first)} {_clock(away.starts_at)}",
                "last": f"{clinic_day_label(last)} {_clock(away.ends_at)}",
                "reason": f" ({away.reason})" if away.reason else "",
            }
        return None


# token_urlsafe(32) gives 43 characters; anything much longer is not an address of ours.
_LONGEST_TOKEN = 100


def calendar_feed_owner(*, token: str):
    """The active staff member whose feed address carries ``token``, or None (an
    unknown or revoked address, or a member of staff who has left). One query."""
    if not token or len(token) > _LONGEST_TOKEN:
        return None
    feed = (
        # The user's preferences too: the feed is written in their language.
        CalendarFeed.objects.select_related("user__preferences")
        .filter(
            token_hash=CalendarFeed.hash_token(token), user__is_active=True, user__is_staff=True
        )
        .first()
    )
    return feed.user if feed else None
