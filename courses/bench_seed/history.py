"""One patient's three years at the clinic: registration, consent, contraindications,
courses and their visits, as the services would have recorded them."""

import datetime as dt
import random
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field

from django.conf import settings

from courses.bench_seed.clinic import FIRST_NAMES, LAST_NAMES, Diary
from courses.models import PAIN_MAX, Course, CourseKind, MassageKind, SpineRegion, Visit
from patients.models import ConsentChange, Contraindication, Patient, PatientContraindication

# How far back the first courses go, and how far ahead courses are already planned.
HISTORY_DAYS = 3 * 365
PLANNED_AHEAD_DAYS = 21
# A patient who finishes a course comes back for another with this chance; the next
# one starts this many days after (the clinic suggests two courses a year).
RETURN_CHANCE = 0.93
RETURN_AFTER_DAYS = (130, 270)
# What became of a session booked in the past (the rest of the time: done).
MISSED_CHANCE, CANCELLED_CHANCE = 0.035, 0.045
# A course cancelled, or completed early, after some of its sessions.
COURSE_CANCEL_CHANCE, COURSE_EARLY_CHANCE = 0.05, 0.04
SETBACK_CHANCE = 0.07
LONGEST_SESSION = 60  # minutes: one slot of the diary's grid

REGIONS = [SpineRegion.LUMBAR, SpineRegion.CERVICAL, SpineRegion.THORACIC, SpineRegion.WHOLE_SPINE]
REGION_WEIGHTS = [40, 35, 15, 10]
MASSAGES = [
    MassageKind.CLASSIC,
    MassageKind.SOFT_MANUAL,
    MassageKind.ACUPRESSURE,
    MassageKind.CUPPING,
    MassageKind.HONEY,
    MassageKind.HARDWARE,
]
MASSAGE_WEIGHTS = [50, 15, 10, 10, 8, 7]
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
LOCAL_AREAS = ["left shoulder blade", "lower back, right side", "nape of the neck", "right hip"]


@dataclass
class CourseRecord:
    course: Course
    visits: list[Visit] = field(default_factory=list)

    @property
    def done(self) -> list[Visit]:
        return [v for v in self.visits if v.status == Visit.Status.DONE]


@dataclass
class PatientRecord:
    patient: Patient
    courses: list[CourseRecord]
    consents: list[ConsentChange]
    contraindications: list[PatientContraindication]

    @property
    def messaged(self) -> bool:
        return self.patient.reminders_consent and bool(self.patient.email)


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


class PatientHistoryMaker:
    def __init__(
        self,
        *,
        rng: random.Random,
        ids: Ids,
        diary: Diary,
        therapist_ids: list[int],
        manager_id: int,
        catalogue: dict[str, list[int]],
        now: dt.datetime,
        today: dt.date,
    ) -> None:
        self.rng, self.ids, self.diary = rng, ids, diary
        self.therapist_ids, self.manager_id, self.catalogue = therapist_ids, manager_id, catalogue
        self.now, self.today = now, today
        self.tz = diary.tz

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(hour, minute)).replace(tzinfo=self.tz)
        return min(local.astimezone(dt.UTC), self.now)

    def make(self, number: int) -> PatientRecord:
        rng = self.rng
        first_start = self.today + dt.timedelta(
            days=rng.randint(-HISTORY_DAYS, PLANNED_AHEAD_DAYS)
        )
        registered_on = min(first_start - dt.timedelta(days=rng.randint(1, 14)), self.today)
        patient = self._patient(number, registered_on)
        home = number % len(self.therapist_ids)
        preferred_slot = rng.randrange(8)
        courses: list[CourseRecord] = []
        start = first_start
        while True:
            record = self._course(
                patient=patient,
                therapist=home if rng.random() < 0.9 else rng.randrange(len(self.therapist_ids)),
                start=start,
                previous=courses[-1].course if courses else None,
                preferred_slot=preferred_slot,
            )
            courses.append(record)
            course = record.course
            if course.is_open or rng.random() > RETURN_CHANCE:
                break
            start = course.end_date + dt.timedelta(days=rng.randint(*RETURN_AFTER_DAYS))
            if start > self.today + dt.timedelta(days=PLANNED_AHEAD_DAYS):
                break
        return PatientRecord(
            patient=patient,
            courses=courses,
            consents=self._consents(patient),
            contraindications=self._contraindications(patient, courses),
        )

    def _patient(self, number: int, registered_on: dt.date) -> Patient:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        contact = rng.random()
        slug = f"{first}.{last}".lower().replace("'", "")
        email = f"{slug}.{number}@example.{rng.choice(['com', 'org', 'net'])}"
        # 07 7xxx xxxxx: a mobile range; the number itself follows from the patient's.
        phone = f"+4477{(number * 7919 + 1234567) % 10**8:08d}"
        born = self.today - dt.timedelta(days=rng.randint(20 * 365, 85 * 365))
        patient = Patient(
            id=self.ids(Patient),
            first_name=first,
            last_name=last,
            date_of_birth=born,
            phone=phone if contact < 0.9 else "",
            email=email if contact >= 0.1 or contact < 0.02 else "",
            link_key=link_key(rng),
            notes=rng.choice(
                ["", "", "", "", "Prefers afternoon appointments.", "Hard of hearing."]
            ),
            created_at=self.at(registered_on, rng.randint(9, 17), rng.randrange(60)),
        )
        if patient.email:
            patient.preferred_channel = Patient.Channel.EMAIL
        else:
            patient.preferred_channel = rng.choice([Patient.Channel.SMS, Patient.Channel.PHONE])
        return patient

    def _consents(self, patient: Patient) -> list[ConsentChange]:
        """Most patients with an e-mail address agree to messages when they register;
        a few withdraw later, a few stop only the repeat-course reminders."""
        rng = self.rng
        if not patient.email or rng.random() < 0.55:
            return []
        given_at = patient.created_at
        changes = [self._consent(patient, given=True, at=given_at)]
        patient.reminders_consent, patient.reminders_consent_changed_at = True, given_at
        odds = rng.random()
        later = given_at + dt.timedelta(days=rng.randint(30, 400))
        if odds < 0.06 and later < self.now:
            changes.append(self._consent(patient, given=False, at=later))
            patient.reminders_consent, patient.reminders_consent_changed_at = False, later
        elif odds < 0.10 and later < self.now:
            changes.append(
                self._consent(
                    patient,
                    given=False,
                    at=later,
                    scope=ConsentChange.Scope.REPEAT_COURSE_REMINDERS,
                    source=ConsentChange.Source.PATIENT_LINK,
                )
            )
            patient.repeat_reminders_consent = False
        return changes

    def _consent(
        self,
        patient: Patient,
        *,
        given: bool,
        at: dt.datetime,
        scope: str = ConsentChange.Scope.ALL,
        source: str = ConsentChange.Source.STAFF,
    ) -> ConsentChange:
        return ConsentChange(
            id=self.ids(ConsentChange),
            patient_id=patient.id,
            given=given,
            changed_at=at,
            source=source,
            scope=scope,
            recorded_by_id=self.manager_id if source == ConsentChange.Source.STAFF else None,
        )

    def _contraindications(
        self, patient: Patient, courses: list[CourseRecord]
    ) -> list[PatientContraindication]:
        """Some local ones (they block nothing), some temporary ones resolved before the
        first course, and a few unresolved blocking ones noted after the last session
        done: from then on no course may start and no session be marked done."""
        rng = self.rng
        records = []
        odds = rng.random()
        registered = patient.created_at.date()
        if odds < 0.05:
            records.append(
                self._contraindication(
                    patient,
                    "local",
                    noted_on=registered,
                    area=rng.choice(LOCAL_AREAS),
                )
            )
        elif odds < 0.10:
            first_start = courses[0].course.start_date
            noted = min(first_start - dt.timedelta(days=rng.randint(8, 40)), self.today)
            resolved = min(first_start - dt.timedelta(days=rng.randint(1, 7)), self.today)
            records.append(
                self._contraindication(
                    patient, "temporary", noted_on=min(noted, resolved), resolved_on=resolved
                )
            )
        elif odds < 0.12:
            last_done = max(
                (v.performed_at for record in courses for v in record.done), default=None
            )
            noted = (last_done + dt.timedelta(days=1)).date() if last_done else registered
            if noted <= self.today:
                kind = rng.choice(["absolute", "temporary"])
                records.append(self._contraindication(patient, kind, noted_on=noted))
        return records

    def _contraindication(
        self,
        patient: Patient,
        kind: str,
        *,
        noted_on: dt.date,
        resolved_on: dt.date | None = None,
        area: str = "",
    ) -> PatientContraindication:
        return PatientContraindication(
            id=self.ids(PatientContraindication),
            patient_id=patient.id,
            contraindication_id=self.rng.choice(self.catalogue[kind]),
            noted_on=noted_on,
            resolved_on=resolved_on,
            area=area,
        )

    def _course(
        self,
        *,
        patient: Patient,
        therapist: int,
        start: dt.date,
        previous: Course | None,
        preferred_slot: int,
    ) -> CourseRecord:
        rng = self.rng
        if previous is None:
            kind = CourseKind.THERAPEUTIC if rng.random() < 0.8 else CourseKind.PREVENTIVE
            region = rng.choices(REGIONS, REGION_WEIGHTS)[0]
        else:
            kind = CourseKind.PREVENTIVE if rng.random() < 0.6 else CourseKind.THERAPEUTIC
            region = (
                previous.region if rng.random() < 0.8 else rng.choices(REGIONS, REGION_WEIGHTS)[0]
            )
        low, high = Course.sessions_range(kind)
        minutes = rng.choices([None, 45, 30, 60], [80, 10, 5, 5])[0]
        if minutes is None and settings.CLINIC_SESSION_MINUTES > LONGEST_SESSION:
            minutes = LONGEST_SESSION
        created_on = start - dt.timedelta(days=rng.randint(1, 10))
        course = Course(
            id=self.ids(Course),
            patient_id=patient.id,
            kind=kind,
            region=region,
            massage_kind=rng.choices(MASSAGES, MASSAGE_WEIGHTS)[0],
            planned_sessions=rng.randint(low, high),
            visits_per_week=rng.choices([1, 2, 3], [5, 70, 25])[0],
            therapist_id=self.therapist_ids[therapist],
            session_minutes=minutes,
            start_date=start,
            created_at=max(
                self.at(created_on, rng.randint(9, 18), rng.randrange(60)), patient.created_at
            ),
        )
        record = CourseRecord(course)
        self._visits(record, therapist=therapist, preferred_slot=preferred_slot)
        return record

    def _visits(self, record: CourseRecord, *, therapist: int, preferred_slot: int) -> None:
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
            day, at = self.diary.book(
                therapist=therapist, earliest=cursor, preferred=preferred_slot
            )
            cursor = day + gap
            visit = Visit(
                id=self.ids(Visit),
                course_id=course.id,
                sequence=len(record.visits) + 1,
                scheduled_at=at,
                booked_minutes=minutes,
                ends_at=at + length,
                therapist_id=course.therapist_id,
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


def contraindication_catalogue() -> dict[str, list[int]]:
    """The catalogue's ids by kind (the migrations seed it)."""
    kinds: dict[str, list[int]] = {kind: [] for kind in Contraindication.Kind.values}
    for pk, kind in Contraindication.objects.order_by("pk").values_list("pk", "kind"):
        kinds[kind].append(pk)
    return kinds
