"""Reads for the diary page: a day with a column per therapist, a week of one therapist.

The page is a grid of quarter-hour rows counted in the clinic's wall-clock time, so that
on the days the clocks change a 10:00 visit still sits in the 10:00 row. Each read is a
fixed number of queries however many visits the day holds: the therapists, the visits,
and the working time (``WorkingTime.load``). A chain's day has a hundred therapists: it is
shown ``COLUMNS_PER_PAGE`` columns at a time, and only their visits are read.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.utils import timezone

from clinic.staff import staff_name
from clinic.timeutils import clinic_day_bounds, clinic_today
from courses.models import Visit
from courses.selectors import therapists
from hours.selectors import Window, WorkingTime

ROW_MINUTES = 15
# Columns side by side on one page of the day: what fits a wide screen, and a page that
# renders in the same time whether the clinic has ten therapists or a hundred.
COLUMNS_PER_PAGE = 10
# When the clinic's hours are not set, or it is closed that day.
DEFAULT_FIRST_MINUTE = 8 * 60
DEFAULT_LAST_MINUTE = 20 * 60


def _minute_of_day(moment: dt.datetime) -> int:
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute


@dataclass(frozen=True)
class Block:
    """A visit on the grid: ``row`` counts from 1 at the grid's first quarter-hour."""

    visit: Visit
    row: int
    span: int


@dataclass(frozen=True)
class Slot:
    """A quarter-hour of a column: free to book (``starts`` set), or greyed out."""

    row: int
    label: str
    starts: dt.datetime | None

    @property
    def free(self) -> bool:
        return self.starts is not None


@dataclass
class Column:
    day: dt.date
    therapist_id: int
    title: str
    window: Window | None
    slots: list[Slot] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == clinic_today()


@dataclass(frozen=True)
class Grid:
    first_minute: int
    last_minute: int

    @property
    def rows(self) -> int:
        return (self.last_minute - self.first_minute) // ROW_MINUTES

    def row_of(self, minute: int) -> int:
        return (minute - self.first_minute) // ROW_MINUTES + 1

    def times(self) -> list[tuple[int, str]]:
        """The hour labels down the time column: (row, "09:00")."""
        first_hour = -(-self.first_minute // 60)
        return [
            (self.row_of(hour * 60), f"{hour:02d}:00")
            for hour in range(first_hour, self.last_minute // 60 + (self.last_minute % 60 > 0))
            if hour * 60 < self.last_minute
        ]


def _grid(working: WorkingTime, days: list[dt.date], visits: list[Visit]) -> Grid:
    """From the earliest opening to the latest closing of the days shown, widened to the
    visits booked outside them; 08:00-20:00 when the clinic's hours are not set."""
    first, last = [], []
    if working.opening_hours_set:
        for day in days:
            window = working.clinic_window(day)
            if window is not None:
                first.append(_minute_of_day(window[0]))
                # A window that runs to midnight ends at the next day's 00:00.
                last.append(_minute_of_day(window[1]) or 24 * 60)
    if not first:
        first, last = [DEFAULT_FIRST_MINUTE], [DEFAULT_LAST_MINUTE]
    for visit in visits:
        first.append(_minute_of_day(visit.scheduled_at))
        end = _minute_of_day(visit.ends_at)
        last.append(end if end > first[-1] else 24 * 60)
    start = min(first) // ROW_MINUTES * ROW_MINUTES
    end = -(-max(last) // ROW_MINUTES) * ROW_MINUTES
    return Grid(first_minute=start, last_minute=end)


def _column(
    *,
    grid: Grid,
    working: WorkingTime,
    day: dt.date,
    therapist_id: int,
    title: str,
    visits: list[Visit],
) -> Column:
    window = working.window(therapist_id, day)
    column = Column(day=day, therapist_id=therapist_id, title=title, window=window)
    booked = [v for v in visits if v.status != Visit.Status.CANCELLED]
    for visit in visits:
        row = grid.row_of(_minute_of_day(visit.scheduled_at))
        minutes = max(int((visit.ends_at - visit.scheduled_at).total_seconds() // 60), 1)
        column.blocks.append(Block(visit=visit, row=row, span=-(-minutes // ROW_MINUTES)))
    for index in range(grid.rows):
        minute = grid.first_minute + index * ROW_MINUTES
        label = f"{minute // 60:02d}:{minute % 60:02d}"
        # The wall-clock time on this day; make_aware picks the first of a repeated hour.
        starts = timezone.make_aware(
            dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
        )
        ends = starts + dt.timedelta(minutes=ROW_MINUTES)
        free = (
            window is not None
            and window[0] <= starts
            and ends <= window[1]
            and working.away(therapist_id, starts, ends) is None
            and not any(v.scheduled_at < ends and starts < v.ends_at for v in booked)
        )
        column.slots.append(Slot(row=index + 1, label=label, starts=starts if free else None))
    return column


def _visits(*, start: dt.datetime, end: dt.datetime, therapist_ids=None) -> list[Visit]:
    visits = Visit.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    if therapist_ids is not None:
        visits = visits.filter(therapist_id__in=therapist_ids)
    return list(
        visits.select_related("course__patient", "therapist").order_by("scheduled_at", "id")
    )


@dataclass
class DiaryDay:
    day: dt.date
    grid: Grid
    columns: list[Column]
    therapists: list[AbstractBaseUser]  # every therapist, for the filter
    chosen: set[int]
    closed_reason: str | None
    clinic_open: bool
    # Which of the day's columns this page shows (``COLUMNS_PER_PAGE`` at a time).
    page: Page


def diary_day(
    *, day: dt.date, therapist_ids: set[int] | None = None, page: int | str | None = 1
) -> DiaryDay:
    """The clinic's day: a column for each therapist who works that day or has a visit
    booked, or for exactly the therapists in ``therapist_ids`` when given; the columns
    of ``page`` only, ``COLUMNS_PER_PAGE`` to a page (a page out of range is the last)."""
    everyone = list(therapists())
    start, end = clinic_day_bounds(day)
    booked_with = list(
        get_user_model().objects.filter(
            pk__in=Visit.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end)
            .order_by()
            .values("therapist_id")
        )
    )
    # Visits booked with staff no longer among the therapists still get a column.
    people = {user.pk: user for user in everyone}
    for user in booked_with:
        people.setdefault(user.pk, user)
    ids = set(therapist_ids) & set(people) if therapist_ids else set(people)
    working = WorkingTime.load(therapist_ids=ids, first_day=day, last_day=day)
    with_visits = {user.pk for user in booked_with}
    shown = [
        user
        for user in people.values()
        if user.pk in ids
        and (therapist_ids or user.pk in with_visits or working.window(user.pk, day) is not None)
    ]
    this_page = Paginator(shown, COLUMNS_PER_PAGE).get_page(page)
    visits = _visits(start=start, end=end, therapist_ids=[user.pk for user in this_page])
    grid = _grid(working, [day], visits)
    columns = [
        _column(
            grid=grid,
            working=working,
            day=day,
            therapist_id=user.pk,
            title=staff_name(user),
            visits=[v for v in visits if v.therapist_id == user.pk],
        )
        for user in this_page
    ]
    return DiaryDay(
        day=day,
        grid=grid,
        columns=columns,
        therapists=everyone,
        chosen=set(therapist_ids or ()),
        closed_reason=working.closed.get(day),
        clinic_open=working.clinic_window(day) is not None,
        page=this_page,
    )


@dataclass
class DiaryWeek:
    therapist: AbstractBaseUser | None
    monday: dt.date
    grid: Grid
    columns: list[Column]
    therapists: list[AbstractBaseUser]


def diary_week(*, therapist_id: int | None, day: dt.date) -> DiaryWeek:
    """One therapist's week from Monday to Sunday, a column a day."""
    everyone = list(therapists())
    monday = day - dt.timedelta(days=day.weekday())
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    therapist = next((user for user in everyone if user.pk == therapist_id), None)
    if therapist is None and therapist_id is not None:
        therapist = get_user_model().objects.filter(pk=therapist_id, is_staff=True).first()
    if therapist is None:
        working = WorkingTime.load(therapist_ids=[], first_day=days[0], last_day=days[-1])
        return DiaryWeek(None, monday, _grid(working, days, []), [], everyone)
    start, end = clinic_day_bounds(monday)[0], clinic_day_bounds(days[-1])[1]
    visits = _visits(start=start, end=end, therapist_ids=[therapist.pk])
    working = WorkingTime.load(therapist_ids=[therapist.pk], first_day=days[0], last_day=days[-1])
    grid = _grid(working, days, visits)
    columns = [
        _column(
            grid=grid,
            working=working,
            day=day,
            therapist_id=therapist.pk,
            title="",
            visits=[v for v in visits if timezone.localdate(v.scheduled_at) == day],
        )
        for day in days
    ]
    return DiaryWeek(therapist, monday, grid, columns, everyone)
