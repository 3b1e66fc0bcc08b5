"""Booking a course's sessions in one step, and moving them.

Staff choose the weekdays, the time and the first day; ``course_booking_propose`` lays
every session the plan has left on them, skipping closed days, time off and days the
therapist does not work, and moving around clashes, each move said in words. The plan
is shown, then ``course_booking_confirm`` books exactly what was shown, all or nothing,
through ``visits_save``: every rule is checked again under the course's lock, so a slot
taken between the two refuses the whole booking with the reason.

Rescheduling is the same two steps: ``course_shift_propose`` moves the course's
remaining sessions by some days or onto new weekdays, ``course_visits_shift`` books the
move. ``visit_move`` moves one visit; its reminder follows (``visit_messages_sync``).

A proposal reads a constant number of rows whatever the number of sessions: working
time once (``WorkingTime.load``) and every booking it could clash with in one query.
"""

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.staff import staff_name
from clinic.timeutils import clinic_date, clinic_day_label, clinic_today
from courses.models import PLANNING_HORIZON, Course, MassageKind, Visit
from courses.services.booking import clash_words
from courses.services.writes import visit_save, visits_save
from hours.selectors import WorkingTime

# Monday first, as ``date.weekday()`` counts; the usual days for a rhythm of n a week,
# spread over the week and clear of Sunday until the rhythm needs it.
USUAL_WEEKDAYS = {
    1: {0},
    2: {0, 3},
    3: {0, 2, 4},
    4: {0, 1, 3, 4},
    5: {0, 1, 2, 3, 4},
    6: {0, 1, 2, 3, 4, 5},
    7: {0, 1, 2, 3, 4, 5, 6},
}


def course_usual_weekdays(course: Course) -> set[int]:
    """The weekdays the booking page offers first for the course's weekly rhythm."""
    return set(USUAL_WEEKDAYS[min(max(course.visits_per_week, 1), 7)])


@dataclass
class PlannedSession:
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    # The visit that moves here; None for a new booking.
    visit_id: int | None = None
    # Why the session is not where the chosen weekdays and time would put it.
    note: str = ""


@dataclass
class BookingProposal:
    """Sessions laid out for a course, not saved yet."""

    course: Course
    therapist_id: int
    therapist_name: str
    sessions: list[PlannedSession] = field(default_factory=list)
    # What keeps the plan from being booked as a whole (nothing is then booked).
    problems: list[str] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [s.note for s in self.sessions if s.note]

    @property
    def can_book(self) -> bool:
        return bool(self.sessions) and not self.problems

    def token(self) -> str:
        """The plan as the confirmation form carries it back: exactly what was shown."""
        return json.dumps(
            [[s.sequence, s.starts_at.isoformat(), s.visit_id] for s in self.sessions]
        )

    @classmethod
    def from_token(
        cls, *, course: Course, therapist: AbstractBaseUser, token: str
    ) -> "BookingProposal":
        """The plan a confirmation form sent back; every rule is checked again when it
        is booked, so a changed form can book nothing the rules refuse."""
        unreadable = ValidationError(_("The plan could not be read: show the plan again."))
        try:
            rows = json.loads(token)
            minutes = dt.timedelta(minutes=course.booking_minutes())
            sessions = []
            for sequence, starts, visit_id in rows:
                start = dt.datetime.fromisoformat(starts)
                if (
                    timezone.is_naive(start)
                    or not isinstance(sequence, int)
                    or not (visit_id is None or isinstance(visit_id, int))
                ):
                    raise unreadable
                sessions.append(PlannedSession(sequence, start, start + minutes, visit_id))
        except (TypeError, ValueError) as error:
            raise unreadable from error
        if not sessions:
            raise unreadable
        return cls(
            course=course,
            therapist_id=therapist.pk,
            therapist_name=staff_name(therapist),
            sessions=sessions,
        )


def _wall(day: dt.date, time: dt.time, minutes: int = 0) -> dt.datetime:
    """A clinic-local wall-clock time, ``minutes`` after ``time`` on ``day``: 17:00 stays
    17:00 on the clock-change days."""
    naive = dt.datetime.combine(day, time) + dt.timedelta(minutes=minutes)
    return timezone.make_aware(naive)


def _slot_label(start: dt.datetime, *, with_day: bool) -> str:
    local = timezone.localtime(start)
    return f"{clinic_day_label(local.date())} {local:%H:%M}" if with_day else f"{local:%H:%M}"


@dataclass
class _Pending:
    sequence: int
    minutes: int
    visit_id: int | None = None


class _Diary:
    """What a proposal needs to know of the diary, read once."""

    def __init__(
        self,
        *,
        course: Course,
        therapist: AbstractBaseUser,
        first_day: dt.date,
        moving: Sequence[Visit] = (),
    ) -> None:
        self.course, self.patient, self.therapist = course, course.patient, therapist
        self.therapist_id, self.therapist_name = therapist.pk, staff_name(therapist)
        self.gap = (
            settings.CLINIC_HONEY_MIN_DAYS_BETWEEN
            if course.massage_kind == MassageKind.HONEY
            else 1
        )
        self.last_moment = timezone.now() + PLANNING_HORIZON
        self.last_day = clinic_date(self.last_moment)
        self.working = WorkingTime.load(
            therapist_ids={self.therapist_id}, first_day=first_day, last_day=self.last_day
        )
        moving_ids = [v.pk for v in moving]
        # Reaching back by the honey gap finds the course's sessions just before.
        since = _wall(first_day - dt.timedelta(days=self.gap), dt.time.min)
        booked = (
            Visit.objects.booked()
            .filter(
                Q(therapist_id=self.therapist_id)
                | Q(course__patient_id=self.patient.pk)
                | Q(course_id=course.pk)
            )
            .filter(ends_at__gt=since, scheduled_at__lt=self.last_moment)
            .exclude(pk__in=moving_ids)
            .select_related("course__patient", "therapist")
        )
        self.taken: dict[dt.date, list[Visit]] = {}
        # The course's own sessions by day: one a day, and the honey spacing.
        self.course_days: dict[dt.date, int] = {}
        for visit in booked:
            for day in {clinic_date(visit.scheduled_at), clinic_date(visit.ends_at)}:
                self.taken.setdefault(day, []).append(visit)
            if visit.course_id == course.pk:
                self.course_days[clinic_date(visit.scheduled_at)] = visit.sequence

    def day_refusal(self, day: dt.date) -> str | None:
        """Why no session of the course can be on ``day`` whatever the time."""
        for other_day, sequence in sorted(self.course_days.items()):
            if other_day == day:
                return _("the course already has session %(n)d on %(day)s.") % {
                    "n": sequence,
                    "day": clinic_day_label(day),
                }
            if abs((other_day - day).days) < self.gap:
                return _(
                    "honey massage needs %(gap)d days between sessions, and session %(n)d "
                    "is on %(day)s."
                ) % {"gap": self.gap, "n": sequence, "day": clinic_day_label(other_day)}
        return None

    def slot_refusal(self, start: dt.datetime, end: dt.datetime) -> str | None:
        """Why the therapist cannot see the patient from ``start`` to ``end``."""
        if start > self.last_moment:
            return _("%(day)s is more than two years ahead.") % {
                "day": clinic_day_label(clinic_date(start))
            }
        refusal = self.working.refusal(
            therapist_id=self.therapist_id,
            therapist_name=self.therapist_name,
            start=start,
            end=end,
        )
        if refusal:
            return refusal
        for day in {clinic_date(start), clinic_date(end)}:
            for other in self.taken.get(day, ()):
                words = clash_words(
                    therapist_id=self.therapist_id,
                    therapist_name=self.therapist_name,
                    patient=self.patient,
                    start=start,
                    end=end,
                    other=other,
                )
                if words:
                    return words
        return None

    def first_free(
        self, day: dt.date, time: dt.time, minutes: int
    ) -> tuple[dt.datetime | None, str | None]:
        """The first free start on ``day`` from ``time`` on, in steps of the session's
        length inside the therapist's working time, and why ``time`` itself was not free."""
        refusal = self.day_refusal(day)
        if refusal:
            return None, refusal
        window = self.working.window(self.therapist_id, day)
        first_refusal = None
        step = 0
        while True:
            start = _wall(day, time, step * minutes)
            end = start + dt.timedelta(minutes=minutes)
            if clinic_date(start) != day:
                return None, first_refusal
            refusal = self.slot_refusal(start, end)
            if refusal is None:
                return start, first_refusal
            first_refusal = first_refusal or refusal
            if window is None or end >= window[1]:
                return None, first_refusal
            step += 1

    def book(self, session: PlannedSession) -> None:
        """Count a planned session as taken for the sessions planned after it."""
        visit = Visit(
            course=self.course,
            sequence=session.sequence,
            scheduled_at=session.starts_at,
            ends_at=session.ends_at,
            therapist=self.therapist,
        )
        self.taken.setdefault(clinic_date(session.starts_at), []).append(visit)
        self.course_days[clinic_date(session.starts_at)] = session.sequence

    def proposal(self) -> BookingProposal:
        return BookingProposal(
            course=self.course,
            therapist_id=self.therapist_id,
            therapist_name=self.therapist_name,
        )


def _check_open(course: Course) -> None:
    if not course.is_open:
        raise ValidationError(
            _("This course is %(status)s: its sessions can no longer be booked or moved.")
            % {"status": course.get_status_display().lower()}
        )


def _check_choice(*, course: Course, weekdays: Iterable[int], first_day: dt.date) -> None:
    if not weekdays or any(not 0 <= day <= 6 for day in weekdays):
        raise ValidationError(_("Choose at least one weekday."))
    _check_open(course)
    if first_day < course.start_date:
        raise ValidationError(
            _("The course starts on %(start)s: the first session cannot be before that.")
            % {"start": clinic_day_label(course.start_date)}
        )


def _lay_out(
    diary: _Diary,
    pending: Sequence[_Pending],
    *,
    weekdays: set[int],
    time: dt.time,
    first_day: dt.date,
) -> BookingProposal:
    """Each pending session on the next chosen weekday with a free slot at or after
    ``time``, one a day, in order."""
    proposal = diary.proposal()
    queue = list(pending)
    day = first_day
    asked_day, why = None, None
    while queue and day <= diary.last_day:
        if day.weekday() in weekdays:
            item = queue[0]
            asked_day = asked_day or day
            start, refusal = diary.first_free(day, time, item.minutes)
            why = why or refusal
            if start is not None:
                session = PlannedSession(
                    item.sequence,
                    start,
                    start + dt.timedelta(minutes=item.minutes),
                    item.visit_id,
                )
                if why:
                    session.note = _("Session %(n)d moved to %(slot)s: %(reason)s") % {
                        "n": item.sequence,
                        "slot": _slot_label(start, with_day=day != asked_day),
                        "reason": why[0].upper() + why[1:],
                    }
                diary.book(session)
                proposal.sessions.append(session)
                queue.pop(0)
                asked_day, why = None, None
        day += dt.timedelta(days=1)
    if queue:
        proposal.problems.append(
            _(
                "Only %(placed)d of the %(count)d sessions fit on the chosen weekdays in the "
                "next two years: choose more weekdays or another time."
            )
            % {"placed": len(proposal.sessions), "count": len(pending)}
        )
    return proposal


def course_booking_propose(
    *,
    course: Course,
    weekdays: set[int],
    time: dt.time,
    first_day: dt.date,
    therapist: AbstractBaseUser | None = None,
) -> BookingProposal:
    """Every session the course's plan has left (planned minus done or booked), on the
    chosen weekdays at ``time`` from ``first_day``; nothing is saved."""
    _check_choice(course=course, weekdays=weekdays, first_day=first_day)
    therapist = therapist or course.therapist
    counts = course.visits.aggregate(
        booked=Count("pk", filter=Q(status__in=Visit.PLAN_STATUSES)), last=Max("sequence")
    )
    left = course.planned_sessions - counts["booked"]
    diary = _Diary(course=course, therapist=therapist, first_day=first_day)
    if left <= 0:
        proposal = diary.proposal()
        proposal.problems.append(
            _("All %(planned)d planned sessions are done or booked: nothing is left to book.")
            % {"planned": course.planned_sessions}
        )
        return proposal
    start = (counts["last"] or 0) + 1
    minutes = course.booking_minutes()
    pending = [_Pending(start + i, minutes) for i in range(left)]
    return _lay_out(diary, pending, weekdays=set(weekdays), time=time, first_day=first_day)


def _refuse_unless_bookable(proposal: BookingProposal) -> None:
    if proposal.problems:
        raise ValidationError(proposal.problems)
    if not proposal.sessions:
        raise ValidationError(_("The plan has no sessions to book."))


def course_booking_confirm(
    *,
    course: Course,
    by: AbstractBaseUser | None,
    proposal: BookingProposal | None = None,
    weekdays: set[int] | None = None,
    time: dt.time | None = None,
    first_day: dt.date | None = None,
    therapist: AbstractBaseUser | None = None,
) -> list[Visit]:
    """Book the sessions of ``proposal`` (or of the plan the same choice proposes), all
    or none: ``visits_save`` checks every rule again under the course's lock, and a slot
    taken since the plan was shown refuses the whole booking with the reason."""
    if proposal is None:
        proposal = course_booking_propose(
            course=course, weekdays=weekdays or set(), time=time, first_day=first_day,
            therapist=therapist,
        )  # fmt: skip
    _refuse_unless_bookable(proposal)
    if any(s.visit_id for s in proposal.sessions):
        raise ValidationError(_("This plan moves booked sessions: confirm it as a move."))
    visits = [
        Visit(
            course=course,
            sequence=s.sequence,
            scheduled_at=s.starts_at,
            therapist_id=proposal.therapist_id,
        )
        for s in proposal.sessions
    ]
    return visits_save(course=course, visits=visits, by=by)


def visit_move(*, visit: Visit, to: dt.datetime, by: AbstractBaseUser | None) -> Visit:
    """Move one booked session; every booking rule applies, and its reminder moves."""
    if visit.status != Visit.Status.SCHEDULED:
        raise ValidationError(
            _("Session %(n)d is %(status)s: only a scheduled session can be moved.")
            % {"n": visit.sequence, "status": visit.get_status_display().lower()}
        )
    visit.scheduled_at = to
    return visit_save(visit=visit, by=by)


def _remaining(course: Course, from_day: dt.date) -> list[Visit]:
    return list(
        course.visits.filter(
            status=Visit.Status.SCHEDULED, scheduled_at__gte=_wall(from_day, dt.time.min)
        ).order_by("scheduled_at")
    )


def course_shift_propose(
    *,
    course: Course,
    from_day: dt.date,
    by_days: int | None = None,
    weekdays: set[int] | None = None,
    time: dt.time | None = None,
) -> BookingProposal:
    """Where the course's scheduled sessions from ``from_day`` on would go: each moved by
    ``by_days`` (at ``time`` if given, else at its own time), or laid out anew on
    ``weekdays`` at ``time`` from ``from_day``; nothing is saved."""
    if by_days is not None and weekdays:
        raise ValidationError(_("Move the sessions by a number of days or to new weekdays."))
    if by_days is None and not weekdays and time is None:
        raise ValidationError(_("Say how to move the sessions: by days, weekdays or time."))
    _check_open(course)
    moving = _remaining(course, from_day)
    # The sessions keep their therapist: the one of the first moving session.
    therapist = moving[0].therapist if moving else course.therapist
    diary = _Diary(course=course, therapist=therapist, first_day=from_day, moving=moving)
    if not moving:
        proposal = diary.proposal()
        proposal.problems.append(
            _("The course has no scheduled session from %(day)s on.")
            % {"day": clinic_day_label(from_day)}
        )
        return proposal
    if weekdays:
        _check_choice(course=course, weekdays=weekdays, first_day=from_day)
        time = time or timezone.localtime(moving[0].scheduled_at).time()
        pending = [_Pending(v.sequence, v.booked_minutes, v.pk) for v in moving]
        return _lay_out(diary, pending, weekdays=set(weekdays), time=time, first_day=from_day)
    proposal = diary.proposal()
    for visit in moving:
        local = timezone.localtime(visit.scheduled_at)
        day = local.date() + dt.timedelta(days=by_days or 0)
        start = _wall(day, time or local.time().replace(tzinfo=None))
        session = PlannedSession(
            visit.sequence, start, start + dt.timedelta(minutes=visit.booked_minutes), visit.pk
        )
        refusal = (
            _("The course starts on %(start)s.") % {"start": clinic_day_label(course.start_date)}
            if day < course.start_date
            else diary.day_refusal(day) or diary.slot_refusal(session.starts_at, session.ends_at)
        )
        if refusal:
            proposal.problems.append(
                _("Session %(n)d cannot move to %(slot)s: %(reason)s")
                % {
                    "n": visit.sequence,
                    "slot": _slot_label(start, with_day=True),
                    "reason": refusal[0].upper() + refusal[1:],
                }
            )
        diary.book(session)
        proposal.sessions.append(session)
    return proposal


def course_visits_shift(
    *,
    course: Course,
    by: AbstractBaseUser | None,
    proposal: BookingProposal | None = None,
    from_day: dt.date | None = None,
    by_days: int | None = None,
    weekdays: set[int] | None = None,
    time: dt.time | None = None,
) -> list[Visit]:
    """Move the sessions of ``proposal`` (or of the move the same choice proposes), all
    or none, with every rule checked again under the course's lock."""
    if proposal is None:
        proposal = course_shift_propose(
            course=course, from_day=from_day, by_days=by_days, weekdays=weekdays, time=time
        )
    _refuse_unless_bookable(proposal)
    to = {s.visit_id: s.starts_at for s in proposal.sessions}
    visits = list(course.visits.filter(pk__in=[pk for pk in to if pk is not None]))
    gone = len(visits) != len(to) or any(v.status != Visit.Status.SCHEDULED for v in visits)
    if gone:
        raise ValidationError(
            _("The course's sessions changed since the move was shown: show the move again.")
        )
    # The rows are written one by one and PostgreSQL checks the therapist's no-overlap
    # at each: a session moving later goes before the one whose slot it takes (the
    # latest first), one moving earlier after the one leaving its slot (the earliest
    # first).
    later = sorted((v for v in visits if to[v.pk] > v.scheduled_at), key=lambda v: v.scheduled_at)
    earlier = sorted(
        (v for v in visits if to[v.pk] <= v.scheduled_at), key=lambda v: v.scheduled_at
    )
    ordered = [*reversed(later), *earlier]
    for visit in ordered:
        visit.scheduled_at = to[visit.pk]
    return visits_save(course=course, visits=ordered, by=by)


def course_schedule_visits(
    *, course: Course, first_at: dt.datetime, user: AbstractBaseUser | None = None
) -> list[Visit]:
    """Book the sessions the plan has left on the usual weekdays of the course's rhythm
    (Mon and Thu for two a week), at the time of ``first_at``, from its day on (the
    demo clinic and scripts; staff book on the booking page)."""
    local = timezone.localtime(first_at)
    first_day = max(local.date(), course.start_date)
    if first_day > clinic_today() + PLANNING_HORIZON:
        raise ValidationError(_("Enter a first day within two years from today."))
    return course_booking_confirm(
        course=course,
        by=user,
        weekdays=course_usual_weekdays(course),
        time=local.time().replace(second=0, microsecond=0),
        first_day=first_day,
    )
