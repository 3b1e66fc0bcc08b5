"""One patient's three years at the clinic: registration, consent, contraindications,
courses and their visits, as the services would have recorded them."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from courses.bench_seed.clinic import FIRST_NAMES, LAST_NAMES
from courses.bench_seed.sessions import CourseRecord, Seeding, SessionMaker, link_key
from courses.models import Course, CourseKind, MassageKind, SpineRegion
from patients.models import ConsentChange, Contraindication, Patient, PatientContraindication

# How far back the courses go, and how far ahead courses are already planned.
HISTORY_DAYS = 3 * 365
PLANNED_AHEAD_DAYS = 21
# Patients came to the clinic before the data starts too: their courses then are left
# out, but keep their rhythm, so the clinic is about as busy three years ago as now
# (a chain that grew by half since) instead of filling up from nothing.
LEAD_IN_DAYS = 3 * 365
# A patient who finishes a course comes back for another with this chance; the next
# one starts this many days after (the clinic suggests two courses a year).
RETURN_CHANCE = 0.88
RETURN_AFTER_DAYS = (120, 240)
COURSE_DAYS = (21, 42)  # about how long a course took, for the courses left out
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
LOCAL_AREAS = ["left shoulder blade", "lower back, right side", "nape of the neck", "right hip"]


@dataclass
class PatientRecord:
    patient: Patient
    courses: list[CourseRecord]
    consents: list[ConsentChange]
    contraindications: list[PatientContraindication]

    @property
    def messaged(self) -> bool:
        return self.patient.reminders_consent and bool(self.patient.email)


class PatientHistoryMaker:
    def __init__(
        self, seeding: Seeding, *, manager_id: int, catalogue: dict[str, list[int]]
    ) -> None:
        self.rng, self.ids, self.diary = seeding.rng, seeding.ids, seeding.diary
        self.therapist_ids, self.now, self.today = (
            seeding.therapist_ids,
            seeding.now,
            seeding.today,
        )
        self.manager_id, self.catalogue = manager_id, catalogue
        self.tz = seeding.diary.tz
        self.sessions = SessionMaker(seeding)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(hour, minute)).replace(tzinfo=self.tz)
        return min(local.astimezone(dt.UTC), self.now)

    def make(self, number: int) -> PatientRecord:
        rng = self.rng
        days = rng.randint(-HISTORY_DAYS - LEAD_IN_DAYS, PLANNED_AHEAD_DAYS)
        registered_on = self.today + dt.timedelta(days=days - rng.randint(1, 14))
        while days < -HISTORY_DAYS:
            if rng.random() > RETURN_CHANCE:
                # Left before the data starts: in the data, a patient who came later.
                days = rng.randint(-HISTORY_DAYS, PLANNED_AHEAD_DAYS)
                registered_on = self.today + dt.timedelta(days=days - rng.randint(1, 14))
            else:
                days += rng.randint(*COURSE_DAYS) + rng.randint(*RETURN_AFTER_DAYS)
        first_start = self.today + dt.timedelta(days=days)
        registered_on = min(registered_on, self.today)
        patient = self._patient(number, registered_on)
        consents = self._consents(patient)
        home = number % len(self.therapist_ids)
        preferred_slot = rng.randrange(8)
        courses: list[CourseRecord] = []
        start = first_start
        while True:
            record = self._course(
                patient=patient,
                therapist=self._therapist(home, start),
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
            consents=consents,
            contraindications=self._contraindications(patient, courses),
        )

    def _therapist(self, home: int, start: dt.date) -> int:
        """The patient's own therapist, now and then another; a colleague when that
        one's diary is full for a while."""
        rng, diary = self.rng, self.diary
        chosen = home if rng.random() < 0.9 else rng.randrange(len(self.therapist_ids))
        return diary.soonest([chosen, *diary.colleagues(rng)], start)

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
            kind = CourseKind.PREVENTIVE if rng.random() < 0.35 else CourseKind.THERAPEUTIC
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
        self.sessions.book(record, therapist=therapist, preferred_slot=preferred_slot)
        return record


def contraindication_catalogue() -> dict[str, list[int]]:
    """The catalogue's ids by kind (the migrations seed it)."""
    kinds: dict[str, list[int]] = {kind: [] for kind in Contraindication.Kind.values}
    for pk, kind in Contraindication.objects.order_by("pk").values_list("pk", "kind"):
        kinds[kind].append(pk)
    return kinds
