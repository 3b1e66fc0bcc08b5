"""The chain's staff, its opening hours and each therapist's diary of slots."""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, Group
from django.utils import timezone

from clinic import roles
from courses import demo_people
from hours.models import ClosedDay, OpeningHours, TimeOff, WorkingHours

MANAGER_USERNAME = "bench-manager"
RECEPTION_USERNAME = "bench-reception"
EMAIL_DOMAIN = "bench.example.com"

# One therapist per this many patients: with the slot grids below a therapist has
# 38-46 sessions a week to give and their patients need about 30, so the diaries are
# busy (about 6 visits a day) but a course's next session rarely waits for a free slot.
PATIENTS_PER_THERAPIST = 125
MIN_THERAPISTS = 3
# A patient waits at most about this long for a session with their therapist; beyond
# it, the first of a few colleagues with a free slot takes the session (or course).
LONGEST_WAIT = dt.timedelta(days=7)
COLLEAGUES_ASKED = 4

# The clinic's week (weekday: opening, closing); closed on Sunday.
OPENING_HOURS = {weekday: (dt.time(8), dt.time(20)) for weekday in range(5)} | {
    5: (dt.time(9), dt.time(15))
}


def _hours(first: int, count: int) -> list[dt.time]:
    return [dt.time(first + n) for n in range(count)]


@dataclass(frozen=True)
class WorkPattern:
    """A therapist's working hours (empty: the clinic's opening hours) and the hourly
    slots the seed books them in, by weekday. Eight a day at most: nobody is booked
    back to back for a whole opening day."""

    hours: dict[int, tuple[dt.time, dt.time]]
    slots: dict[int, list[dt.time]]


WORK_PATTERNS = [
    # Early: weekdays 08:00-16:00.
    WorkPattern(
        hours={weekday: (dt.time(8), dt.time(16)) for weekday in range(5)},
        slots={weekday: _hours(8, 8) for weekday in range(5)},
    ),
    # Late, four weekdays 12:00-20:00, and Saturdays.
    WorkPattern(
        hours={weekday: (dt.time(12), dt.time(20)) for weekday in (0, 1, 3, 4)}
        | {5: (dt.time(9), dt.time(15))},
        slots={weekday: _hours(12, 8) for weekday in (0, 1, 3, 4)} | {5: _hours(9, 6)},
    ),
    # Whenever the clinic is open, with a lunch hour.
    WorkPattern(
        hours={},
        slots={weekday: [*_hours(9, 4), *_hours(14, 4)] for weekday in range(5)}
        | {5: _hours(9, 6)},
    ),
]

# The demo's names, and more: a chain's patients come from everywhere.
FIRST_NAMES = [
    *demo_people.FIRST_NAMES,
    "Aisha", "Omar", "Priya", "Ravi", "Chen", "Mei", "Kwame", "Ama", "Lukas", "Zofia", "Marco",
    "Giulia", "Sean", "Niamh", "Rhys", "Cerys", "Fraser", "Eilidh", "Noah", "Freya", "Leo",
    "Poppy", "Oscar", "Rosie", "Arthur", "Evie", "Alfie", "Florence", "Jacob", "Isabella",
]  # fmt: skip
LAST_NAMES = [
    *demo_people.LAST_NAMES,
    "Campbell", "Stewart", "Anderson", "Scott", "Reid", "Murray", "Mitchell", "Young", "Khan",
    "Ali", "Singh", "Hussain", "Okafor", "Mensah", "Kowalski", "Silva", "Santos", "Chen",
    "Wang", "Li", "Nguyen", "O'Brien", "McDonald", "Fraser", "Lloyd", "Owen", "Morgan",
    "Jenkins", "Powell", "Parry",
]  # fmt: skip


def therapist_count(patients: int) -> int:
    return max(MIN_THERAPISTS, -(-patients // PATIENTS_PER_THERAPIST))


def staff_save(
    *, therapists: int, rng: random.Random, password: str | None = None
) -> tuple[AbstractUser, list[AbstractUser]]:
    """The manager, a receptionist and the therapists, each in their role's group.

    Without ``password`` nobody can sign in with one: an in-process benchmark signs in
    with ``force_login``, and a database copied around for measurements should open to
    nobody unless asked to. Hashed once for all: hashing is slow on purpose.
    """
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.all()}
    encoded = make_password(password)

    def staff(username: str, first: str, last: str, role: str) -> AbstractUser:
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{EMAIL_DOMAIN}",
            is_staff=True,
        )
        user.password = encoded
        user.save()
        user.groups.set([groups[role]])
        return user

    manager = staff(MANAGER_USERNAME, "Morag", "Bench", roles.MANAGER)
    staff(RECEPTION_USERNAME, "Rhona", "Bench", roles.RECEPTION)
    team = [
        staff(
            f"bench-therapist-{number:03d}",
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            roles.THERAPIST,
        )
        for number in range(1, therapists + 1)
    ]
    return manager, team


def closed_days(today: dt.date) -> dict[dt.date, str]:
    """The bank holidays the clinic closes on, over the years the seed covers."""
    days = {}
    for year in range(today.year - 4, today.year + 3):
        days[dt.date(year, 12, 25)] = "Christmas Day"
        days[dt.date(year, 12, 26)] = "Boxing Day"
        days[dt.date(year, 1, 1)] = "New Year's Day"
    return days


def hours_save(
    *, therapists: list[AbstractUser], today: dt.date, closed: dict[dt.date, str]
) -> dict[int, tuple[dt.date, dt.date]]:
    """Opening hours, each therapist's working hours by pattern, the bank holidays and a
    week's holiday ahead for every tenth therapist; returns those holidays by therapist
    position (first and last day) so that the diary books nothing then."""
    if not OpeningHours.objects.exists():
        OpeningHours.objects.bulk_create(
            OpeningHours(weekday=weekday, starts=starts, ends=ends)
            for weekday, (starts, ends) in OPENING_HOURS.items()
        )
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=weekday, starts=starts, ends=ends)
        for position, therapist in enumerate(therapists)
        for weekday, (starts, ends) in WORK_PATTERNS[position % len(WORK_PATTERNS)].hours.items()
    )
    ClosedDay.objects.bulk_create(
        [ClosedDay(date=day, reason=reason) for day, reason in closed.items()],
        ignore_conflicts=True,
    )
    holidays = {}
    monday = today + dt.timedelta(days=21 - today.weekday())
    tz = timezone.get_current_timezone()
    for position in range(0, len(therapists), 10):
        first = monday + dt.timedelta(days=7 * (position // 10 % 4))
        last = first + dt.timedelta(days=6)
        TimeOff.objects.create(
            therapist=therapists[position],
            starts_at=dt.datetime.combine(first, dt.time()).replace(tzinfo=tz),
            ends_at=dt.datetime.combine(last + dt.timedelta(days=1), dt.time()).replace(tzinfo=tz),
            reason="Holiday",
        )
        holidays[position] = (first, last)
    return holidays


class Diary:
    """Every therapist's slots, each handed out once: no therapist is ever booked twice
    at the same time, which PostgreSQL's no-overlap constraint would refuse.

    A slot is an hour on the therapist's grid; a session lasts an hour at most, so two
    sessions in different slots never overlap. Slots are handed out in the order the
    seed asks for them, so the same seed gives the same diary.
    """

    def __init__(
        self,
        *,
        therapists: int,
        closed: set[dt.date],
        holidays: dict[int, tuple[dt.date, dt.date]],
    ) -> None:
        self.grids = [WORK_PATTERNS[p % len(WORK_PATTERNS)].slots for p in range(therapists)]
        self.closed = closed
        self.holidays = holidays
        self.tz = timezone.get_current_timezone()
        # (therapist position, day) -> a bit per slot of the day's grid, set when booked
        self.taken: dict[tuple[int, dt.date], int] = {}

    def works_on(self, therapist: int, day: dt.date) -> bool:
        if day in self.closed or day.weekday() not in self.grids[therapist]:
            return False
        away = self.holidays.get(therapist)
        return away is None or not away[0] <= day <= away[1]

    def first_free_day(self, therapist: int, earliest: dt.date) -> dt.date:
        """The first day on or after ``earliest`` with a slot still free."""
        day = earliest
        while (
            not self.works_on(therapist, day)
            or self.taken.get((therapist, day), 0)
            == (1 << len(self.grids[therapist][day.weekday()])) - 1
        ):
            day += dt.timedelta(days=1)
        return day

    def soonest(self, candidates: list[int], earliest: dt.date) -> int:
        """The first of ``candidates`` with a slot free within ``LONGEST_WAIT`` of
        ``earliest``, else the one free soonest: as reception would book."""
        waits = []
        for candidate in candidates:
            wait = self.first_free_day(candidate, earliest) - earliest
            if wait <= LONGEST_WAIT:
                return candidate
            waits.append(wait)
        return candidates[waits.index(min(waits))]

    def colleagues(self, rng: random.Random) -> list[int]:
        return [rng.randrange(len(self.grids)) for _ in range(COLLEAGUES_ASKED)]

    def book(
        self, *, therapist: int, earliest: dt.date, preferred: int
    ) -> tuple[dt.date, dt.datetime]:
        """The day and start (aware, UTC) of the first free slot on or after ``earliest``,
        as near the patient's usual time (``preferred``, a slot number) as that day
        allows."""
        day = earliest
        while True:
            if self.works_on(therapist, day):
                slots = self.grids[therapist][day.weekday()]
                taken = self.taken.get((therapist, day), 0)
                if taken != (1 << len(slots)) - 1:
                    start = min(preferred, len(slots) - 1)
                    for shift in range(len(slots)):
                        for slot in (start + shift, start - shift):
                            if 0 <= slot < len(slots) and not taken & (1 << slot):
                                self.taken[therapist, day] = taken | (1 << slot)
                                local = dt.datetime.combine(day, slots[slot]).replace(
                                    tzinfo=self.tz
                                )
                                return day, local.astimezone(dt.UTC)
            day += dt.timedelta(days=1)
