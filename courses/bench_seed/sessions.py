"""A course's sessions: booked one after another in the therapist's diary, then done
(with pain falling over the course, and the odd setback), missed or cancelled."""

import datetime as dt
import random
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field

from courses.bench_seed.clinic import LONGEST_WAIT, Diary
from courses.models import PAIN_MAX, Course, CourseKind, SpineRegion, Visit

# What became of a session booked in the past (the rest of the time: done).
MISSED_CHANCE, CANCELLED_CHANCE = 0.035, 0.045
# A course cancelled, or completed early, after some of its sessions.
COURSE_CANCEL_CHANCE, COURSE_EARLY_CHANCE = 0.05, 0.04
SETBACK_CHANCE = 0.07
T = Visit.Technique
TECHNIQUES = {
    SpineRegion.CERVICAL: [T.STROKING, T.RUBBING, T.KNEADING, T.STROKING],
    None: [T.STROKING, T.RUBBING, T.KNEADING, T.PRESSING, T.VIBRATION, T.STROKING],
}
VISIT_NOTES = [
    "Tension in the trapezius eased during the session.",
    "Stiffness on waking, better by the end.",
    "Worked around a bruise on the left side.",
    "Patient asked for lighter pressure today.",
    "Good range of movement; exercises reviewed.",
]


@dataclass
class CourseRecord:
    course: Course
    visits: list[Visit] = field(default_factory=list)

    @property
    def done(self) -> list[Visit]:
        return [v for v in self.visits if v.status == Visit.Status.DONE]


class Ids:
    """Primary keys handed out by the seed, so that rows can refer to one another
    before any is inserted (the sequences are set past them at the end)."""

    def __init__(self, start: dict[type, int]) -> None:
        self.last = dict(start)

    def __call__(self, model: type) -> int:
        self.last[model] += 1
        return self.last[model]


def link_key(rng: random.Random) -> str:
    """A 128-bit link key from the seeded generator: the same seed, the same keys."""
    return urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).decode().rstrip("=")


def _clamp(pain: int) -> int:
    return max(0, min(PAIN_MAX, pain))


@dataclass(frozen=True)
class Seeding:
    """What every part of the generator shares."""

    rng: random.Random
    ids: Ids
    diary: Diary
    therapist_ids: list[int]
    now: dt.datetime
    today: dt.date


class SessionMaker:
    """Books and fills in the sessions of the courses a patient history makes."""

    def __init__(self, seeding: Seeding) -> None:
        self.rng, self.ids, self.diary = seeding.rng, seeding.ids, seeding.diary
        self.therapist_ids, self.now, self.today = (
            seeding.therapist_ids,
            seeding.now,
            seeding.today,
        )

    def book(self, record: CourseRecord, *, therapist: int, preferred_slot: int) -> None:
        """Book the course's sessions one after another in the therapist's diary; those
        over by now happened (mostly), were missed or cancelled; the rest are ahead."""
        rng, course = self.rng, record.course
        planned = course.planned_sessions
        minutes = course.booking_minutes()
        length = dt.timedelta(minutes=minutes)
        gap = dt.timedelta(days=course.days_between_sessions())
        fate = rng.random()
        cancel_after = rng.randrange(planned) if fate < COURSE_CANCEL_CHANCE else None
        early_after = (
            rng.randint(max(1, planned // 2), planned - 1)
            if COURSE_CANCEL_CHANCE <= fate < COURSE_CANCEL_CHANCE + COURSE_EARLY_CHANCE
            else None
        )
        pain = self._pain_plan(course)
        not_booked_yet = course.start_date > self.today and rng.random() < 0.3
        cursor, done, ahead, last_day = course.start_date, 0, 0, None
        closing = None
        while done + ahead < planned and not not_booked_yet:
            booked_with = therapist
            if self.diary.first_free_day(therapist, cursor) - cursor > LONGEST_WAIT:
                # A colleague covers the session rather than leave weeks between two.
                booked_with = self.diary.soonest([therapist, *self.diary.colleagues(rng)], cursor)
            day, at = self.diary.book(
                therapist=booked_with, earliest=cursor, preferred=preferred_slot
            )
            cursor = day + gap
            visit = Visit(
                id=self.ids(Visit),
                course_id=course.id,
                sequence=len(record.visits) + 1,
                scheduled_at=at,
                booked_minutes=minutes,
                ends_at=at + length,
                therapist_id=self.therapist_ids[booked_with],
                techniques=[],
            )
            record.visits.append(visit)
            if closing is not None:
                visit.status = Visit.Status.CANCELLED
                ahead += 1
                continue
            if visit.ends_at > self.now:
                visit.status = Visit.Status.SCHEDULED
                ahead += 1
                continue
            if done in (cancel_after, early_after):
                # Closed before this session: it and those booked after it are cancelled.
                closing = Course.Status.CANCELLED if done == cancel_after else "early"
                visit.status = Visit.Status.CANCELLED
                closed_on = day - dt.timedelta(days=rng.randint(0, 3))
                ahead += 1
                continue
            odds = rng.random()
            if odds < MISSED_CHANCE:
                visit.status = Visit.Status.MISSED
            elif odds < MISSED_CHANCE + CANCELLED_CHANCE:
                visit.status = Visit.Status.CANCELLED
            else:
                self._done(visit, course, pain, done)
                done += 1
                last_day = day
        if closing == Course.Status.CANCELLED:
            course.status = Course.Status.CANCELLED
            course.end_date = max(closed_on, last_day or course.start_date, course.start_date)
        elif closing == "early":
            course.status, course.completed_early = Course.Status.COMPLETED, True
            course.end_date = last_day
        elif done == planned:
            course.status, course.end_date = Course.Status.COMPLETED, last_day
        else:
            course.status = Course.Status.ACTIVE if done else Course.Status.PLANNED

    def _pain_plan(self, course: Course) -> tuple[int, int]:
        """Pain at the first session and where the course should bring it."""
        rng = self.rng
        if course.kind == CourseKind.THERAPEUTIC:
            first = rng.randint(5, 8)
            return first, max(0, first - rng.randint(3, 5))
        first = rng.randint(2, 4)
        return first, max(0, first - rng.randint(0, 2))

    def _done(self, visit: Visit, course: Course, pain: tuple[int, int], done: int) -> None:
        rng = self.rng
        first, last = pain
        progress = done / max(1, course.planned_sessions - 1)
        setback = rng.random() < SETBACK_CHANCE
        before = round(first + (last - first) * progress) + rng.choice([-1, 0, 0, 0, 1])
        if setback:
            before += rng.randint(2, 3)
        before = _clamp(before)
        after = _clamp(before - rng.choice([0, 1, 1, 2, 2, 3]) + (rng.random() < 0.03))
        visit.status = Visit.Status.DONE
        visit.performed_at = visit.scheduled_at + dt.timedelta(minutes=rng.randint(0, 10))
        visit.duration_minutes = visit.booked_minutes - rng.randint(0, 10)
        visit.pain_before, visit.pain_after = before, after
        visit.exacerbation = setback
        if setback:
            visit.intensity = Visit.Intensity.SPARING
        else:
            visit.intensity = rng.choices(
                [Visit.Intensity.MODERATE, Visit.Intensity.SPARING, Visit.Intensity.INTENSE],
                [70, 15, 15],
            )[0]
        if course.region == SpineRegion.CERVICAL:
            visit.position = rng.choice([Visit.Position.SITTING, Visit.Position.PRONE])
            visit.techniques = list(TECHNIQUES[SpineRegion.CERVICAL])
        else:
            visit.position = Visit.Position.PRONE if rng.random() < 0.8 else Visit.Position.SIDE
            visit.techniques = list(TECHNIQUES[None])
        if rng.random() < 0.1:
            visit.notes = rng.choice(VISIT_NOTES)
