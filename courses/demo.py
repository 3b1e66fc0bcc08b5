"""A believable small clinic to explore the product with (``manage.py seed_demo``).

Everything is written through the services, so the demo obeys the same rules as the
staff do. Dates are relative to today, so the demo always looks current: courses
running now, visits today and this week, courses finished months ago. A seeded random
generator makes it the same clinic every time, and a patient already present (found
by e-mail) is left alone, so running it twice duplicates nothing.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import roles
from clinic.timeutils import clinic_today
from courses import services
from courses.demo_people import DemoPeople, demo_people
from courses.models import Course, CourseKind, MassageKind, SpineRegion, Visit
from hours.models import ClosedDay, OpeningHours, TimeOff, WorkingHours
from messaging.models import Feedback, Message
from messaging.services import feedback_submit, repeat_reminder_schedule_next
from patients.models import Contraindication, Patient, PatientContraindication
from patients.services import patient_contraindication_save, patient_save

SEED = 20260101
# How the result counts a course completed early, apart from the other completed ones.
COMPLETED_EARLY = "completed early"
EMAIL_DOMAIN = "example.com"

# One entry per patient, in order: the courses they have had, oldest first. Each course
# is (status, region, kind, massage kind). Cycled over the patients. "lapsed" is a
# course completed more than six months ago with no course since: the patient is due
# for a repeat course.
Plan = list[tuple[str, str, str, str]]
C, P = CourseKind.THERAPEUTIC, CourseKind.PREVENTIVE
R = SpineRegion
M = MassageKind
PLANS: list[Plan] = [
    [("active", R.LUMBAR, C, M.CLASSIC)],
    [("active", R.CERVICAL, C, M.SOFT_MANUAL)],
    [("completed", R.LUMBAR, C, M.CLASSIC), ("active", R.LUMBAR, P, M.CLASSIC)],
    [("planned", R.THORACIC, C, M.CLASSIC)],
    [("active", R.WHOLE_SPINE, C, M.HONEY)],
    [("lapsed", R.CERVICAL, C, M.ACUPRESSURE)],
    [("early", R.LUMBAR, C, M.CUPPING)],
    [("active", R.THORACIC, P, M.HARDWARE)],
    [("cancelled", R.LUMBAR, C, M.CLASSIC)],
    [("active", R.LUMBAR, C, M.CUPPING)],
    [("completed", R.WHOLE_SPINE, P, M.HONEY), ("planned", R.CERVICAL, C, M.CLASSIC)],
    [("active", R.CERVICAL, P, M.CLASSIC)],
]

# Positions in PLANS of the patients who show the messaging features; they take messages.
FLAGGED_PLAN = 0  # reports pain 2+ points above the pain before a visit, left unacknowledged
LAPSED_PLAN = 5  # due for a repeat course; the reminder went out
MAILBOX_GONE_PLAN = 9  # the latest message bounced
SETBACK_PLAN = 2  # the fourth session of each course hurt (besides the odd random one)
MAILBOX_GONE_ERROR = "550 5.1.1 <%(email)s>: Recipient address rejected: mailbox unavailable"

TECHNIQUES_NECK = ["stroking", "rubbing", "kneading", "stroking"]
TECHNIQUES_BACK = ["stroking", "rubbing", "kneading", "pressing", "vibration", "stroking"]
TECHNIQUES_BACK_LATER = [*TECHNIQUES_BACK[:-1], "tapping", "stroking"]


# The clinic's week: open six days, shorter on Saturday, closed on Sunday.
OPENING_HOURS = {weekday: (dt.time(9), dt.time(20)) for weekday in range(5)} | {
    5: (dt.time(10), dt.time(16))
}


# Weekdays a patient may come on, by visits a week (Monday is 0).
RHYTHMS = {
    2: [(0, 3), (1, 4), (2, 5), (0, 2), (1, 3), (2, 4)],
    3: [(0, 2, 4), (1, 3, 5), (0, 1, 3), (1, 2, 4)],
}


class DemoClashError(Exception):
    """The database holds real data the demo would overwrite."""


@dataclass
class DemoClinic:
    usernames: list[str]
    password: str
    patients_created: int = 0
    patients_kept: int = 0
    courses_by_status: dict[str, int] = field(default_factory=dict)


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def demo_staff_save(*, people: DemoPeople, password: str) -> list[AbstractUser]:
    """Create or refresh the demo staff; the password is set on every run so the login
    printed by the command always works."""
    User = get_user_model()
    users = []
    for member in people.staff:
        username, role = member.username, member.role
        email = f"{username}@clinic.{EMAIL_DOMAIN}"
        user, created = User.objects.get_or_create(username=username)
        if not created and user.email != email:
            # A real account with a demo name: never reset its password or rights.
            raise DemoClashError(
                _("A user named %(name)s exists and is not a demo user; it was left alone.")
                % {"name": username}
            )
        user.first_name, user.last_name = member.first_name, member.last_name
        user.email = email
        user.is_staff = True
        user.is_superuser = role is None
        user.set_password(password)
        user.save()
        # The groups are made by a migration; a demo user has exactly its role's.
        user.groups.set([Group.objects.get(name=role)] if role else [])
        users.append(user)
    return users


def demo_hours_save(*, people: DemoPeople, therapists: list[AbstractUser], today: dt.date) -> None:
    """The clinic's opening hours and the therapists' working hours, unless the clinic
    has entered its own; the coming bank holidays; a holiday for one therapist."""
    if not OpeningHours.objects.exists():
        for weekday, (starts, ends) in OPENING_HOURS.items():
            OpeningHours.objects.create(weekday=weekday, starts=starts, ends=ends)
    for therapist, member in zip(therapists, people.therapists(), strict=True):
        if not therapist.working_hours.exists():
            for weekday, (starts, ends) in (member.hours or {}).items():
                WorkingHours.objects.create(
                    therapist=therapist, weekday=weekday, starts=starts, ends=ends
                )
        if member.takes_holiday and not therapist.time_off.exists():
            # A week's holiday starting in three weeks, Monday to Sunday.
            monday = today + dt.timedelta(days=21 - today.weekday())
            TimeOff.objects.create(
                therapist=therapist,
                starts_at=_aware(monday, 0),
                ends_at=_aware(monday + dt.timedelta(days=7), 0),
                reason=people.holiday,
            )
    for day, reason in people.closed_days(today):
        ClosedDay.objects.get_or_create(date=day, defaults={"reason": reason})


class _PatientHistory:
    """Builds one patient's courses and visits, as staff would have logged them."""

    def __init__(
        self,
        *,
        rng: random.Random,
        people: DemoPeople,
        patient: Patient,
        therapist,
        today: dt.date,
        setback: bool = False,
    ):
        self.rng, self.patient, self.therapist, self.today = rng, patient, therapist, today
        self.people, self.setback = people, setback
        self.now = timezone.now()

    def course(self, *, status: str, region: str, kind: str, massage: str, age: int) -> Course:
        """``age`` counts the patient's later courses: an older course started earlier."""
        low, high = Course.sessions_range(kind)
        planned = self.rng.randint(low, high)
        per_week = 2 if massage == MassageKind.HONEY else self.rng.choice([2, 2, 3])
        start = self._start(status, planned, per_week, massage, age)
        course = services.course_save(
            course=Course(
                patient=self.patient,
                kind=kind,
                region=region,
                massage_kind=massage,
                planned_sessions=planned,
                visits_per_week=per_week,
                therapist=self.therapist,
                start_date=start,
                status=Course.Status.PLANNED,
            )
        )
        # Patients come on their own weekdays, so the diary is full every day the clinic
        # opens; the booking moves a session around a clash or a day off as staff would.
        visits = services.course_booking_confirm(
            course=course,
            by=None,
            weekdays=self._weekdays(status, per_week),
            time=dt.time(self.rng.choice([10, 11, 12, 13, 14, 15])),
            first_day=start,
        )
        if status == "planned":
            return course
        past = [v for v in visits if v.scheduled_at < self.now]
        if status == "early":
            past = past[: max(1, len(past) - 3)]  # the last ones were never done: missed
        elif status == "cancelled":
            past = past[:3]
        self.log(course, past, allow_missed=status == "active")
        if status == "early":
            services.course_complete_early(course=course)
        elif status == "cancelled":
            services.course_cancel(course=course)
        return course

    def log(self, course: Course, visits: list[Visit], *, allow_missed: bool) -> None:
        """Mark past sessions done with a falling pain trend and the odd setback."""
        rng = self.rng
        pain = rng.randint(5, 8)
        neck = course.region == SpineRegion.CERVICAL
        for i, visit in enumerate(visits):
            if allow_missed and i > 1 and rng.random() < 0.07:
                visit.status = Visit.Status.MISSED
                continue
            early = i < 3
            visit.status = Visit.Status.DONE
            visit.performed_at = visit.scheduled_at
            visit.exacerbation = i == 0 and rng.random() < 0.15
            visit.intensity = (
                Visit.Intensity.SPARING
                if early or visit.exacerbation
                else Visit.Intensity.MODERATE
                if neck
                else rng.choice([Visit.Intensity.MODERATE, Visit.Intensity.INTENSE])
            )
            visit.position = (
                Visit.Position.SITTING
                if neck
                else rng.choice([Visit.Position.PRONE] * 4 + [Visit.Position.SIDE])
            )
            visit.techniques = (
                TECHNIQUES_NECK if neck else TECHNIQUES_BACK if early else TECHNIQUES_BACK_LATER
            )
            visit.duration_minutes = self._duration(course.region, early)
            # Patients rarely report no pain at all before a session.
            visit.pain_before = max(1, min(10, pain + rng.choice([-1, 0, 0, 1])))
            hurt = rng.random() < 0.08 or (self.setback and i == 3)
            if 0 < i < course.planned_sessions - 3 and hurt:
                # The session hurt: the therapist eases off next time (docs/clinic-rules.md).
                visit.pain_after = min(10, visit.pain_before + 1)
                visit.notes = self.people.eased_off_note
            else:
                visit.pain_after = max(0, visit.pain_before - rng.choice([1, 1, 2, 2, 3]))
                pain = max(1, pain - (1 if i % 2 else rng.choice([0, 1])))
        services.visits_save(course=course, visits=visits)

    def _weekdays(self, status: str, per_week: int) -> set[int]:
        """The patient's weekdays; a course running now comes today, if the clinic is
        open, so the diary and the home page have today's sessions to show."""
        rhythms = RHYTHMS[per_week]
        if status == "active":
            rhythms = [r for r in rhythms if self.today.weekday() in r] or rhythms
        return set(self.rng.choice(rhythms))

    def _start(self, status: str, planned: int, per_week: int, massage: str, age: int) -> dt.date:
        """A start date that gives the course its status once its past sessions are logged."""
        rng, today = self.rng, self.today
        if status == "planned":
            return today + dt.timedelta(days=rng.randint(1, 10))
        if status == "active":
            # Whole steps of the course's rhythm back, so many courses have a session
            # today, and never so far back that every session is already done.
            step = Course(visits_per_week=per_week, massage_kind=massage).days_between_sessions()
            return today - dt.timedelta(days=step * rng.randint(1, min(6, planned - 2)))
        if status in ("early", "cancelled"):
            return today - dt.timedelta(days=rng.randint(50, 80))
        if status == "lapsed":
            # Ends 7 to 10 months ago: the first repeat-course reminder (6 months) has
            # fallen due, the second (12 months) has not.
            return today - dt.timedelta(days=rng.randint(270, 300))
        return today - dt.timedelta(days=rng.randint(100, 200) + 150 * age)

    def _duration(self, region: str, early: bool) -> int:
        if early:
            return self.rng.choice([5, 6, 7])
        if region == SpineRegion.LUMBAR:
            return self.rng.randint(15, 20)
        if region == SpineRegion.WHOLE_SPINE:
            return self.rng.randint(20, 40)
        return self.rng.randint(10, 12)


def _contraindications(
    *,
    rng: random.Random,
    people: DemoPeople,
    patient: Patient,
    index: int,
    plan: Plan,
    today: dt.date,
) -> None:
    """Recorded after the visits, since the rules look at what is unresolved now."""
    catalogue = {c.code: c for c in Contraindication.objects.all()}

    def record(code: str, noted: int, resolved: int | None = None, area: str = "") -> None:
        patient_contraindication_save(
            record=PatientContraindication(
                patient=patient,
                contraindication=catalogue[code],
                noted_on=today - dt.timedelta(days=noted),
                resolved_on=None if resolved is None else today - dt.timedelta(days=resolved),
                area=area,
            )
        )

    statuses = [status for status, *_ in plan]
    if "planned" in statuses and index % 24 == 3:
        # Caught a cold: this patient's planned course cannot start until it is resolved.
        record("influenza-cold", noted=2)
    elif "cancelled" in statuses:
        record("hypertension", noted=rng.randint(20, 40))
    if index % 5 == 1:
        record(
            rng.choice(
                ["moles-warts-birthmarks", "skin-lesion-in-area", "varicose-veins-in-area"]
            ),
            noted=rng.randint(30, 300),
            area=rng.choice(people.areas),
        )
    if index % 7 == 2:
        record(
            rng.choice(["fever", "influenza-cold", "allergic-reaction"]), noted=400, resolved=390
        )


def _messages(
    *, rng: random.Random, people: DemoPeople, patient: Patient, plan_index: int, today: dt.date
) -> None:
    """What months of sending and answering left behind, up to this morning.

    The services created the messages as the visits and completions were logged, all
    still pending. Those due before today went out (the dispatcher would have sent them
    then; replaying that needs the dates of the past, so the rows are marked here), and
    patients answered some. Those due since this morning stay pending: the worker's first
    dispatch sends them.
    """
    now = timezone.now()
    went_out = Message.objects.to_patients().filter(
        patient=patient, status=Message.Status.PENDING, due_at__lt=_aware(today, 0)
    )
    latest = went_out.order_by("-due_at", "-id").first()
    if latest is None:
        return
    if plan_index == MAILBOX_GONE_PLAN:
        # The patient's mailbox closed lately: the earlier messages arrived, the last
        # one bounced for good.
        Message.objects.filter(pk=latest.pk).update(
            status=Message.Status.FAILED,
            attempts=1,
            last_error=MAILBOX_GONE_ERROR % {"email": patient.email},
        )
    for message in went_out:
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.SENT, attempts=1, sent_at=message.due_at
        )
        if message.kind == Message.Kind.REPEAT_COURSE_REMINDER:
            message.status = Message.Status.SENT
            repeat_reminder_schedule_next(sent=message)

    rise = settings.CLINIC_PAIN_ALERT_RISE
    answerable = list(
        Message.objects.filter(
            patient=patient, status=Message.Status.SENT, kind__in=Message.FEEDBACK_KINDS
        )
        .select_related("visit")
        .order_by("due_at", "id")
    )
    flagged = None
    if plan_index == FLAGGED_PLAN:
        # The latest check-in after a visit that left room on the scale for the rise.
        flagged = next(
            (
                m
                for m in reversed(answerable)
                if m.visit and m.visit.pain_before is not None and m.visit.pain_before + rise <= 10
            ),
            None,
        )
    for message in answerable:
        if message == flagged:
            pain = message.visit.pain_before + rise
            comment = people.rise_comment
        elif rng.random() < 0.4:
            visit = message.visit or message.course.visits.latest_done_first().first()
            # Close to the pain after the visit, below the alert threshold.
            pain = max(
                0, min(visit.pain_after + rng.choice([-1, 0, 0, 1]), visit.pain_before + rise - 1)
            )
            comment = rng.choice(people.comments)
        else:
            continue
        feedback = feedback_submit(message=message, pain=pain, comment=comment)
        # Answered within a day of the message, never later than now.
        answered = min(message.sent_at + dt.timedelta(hours=rng.randint(1, 20)), now)
        Feedback.objects.filter(pk=feedback.pk).update(submitted_at=answered)
        # The answer's time changed under the service: its course's pain at the end may.
        Course.objects.filter(pk=feedback.course_id).summaries_refresh()


@transaction.atomic
def demo_clinic_build(
    *, password: str, patients: int = 50, seed: int = SEED, language: str | None = None
) -> DemoClinic:
    """Create the demo clinic, or bring back its staff logins if it is already there.

    Its people are the clinic's language's (``LANGUAGE_CODE`` unless ``language`` says),
    and its days the clinic's time zone's: "today" is the clinic's today wherever the
    server's clock is.
    """
    people = demo_people(language or settings.LANGUAGE_CODE)
    rng = random.Random(seed)
    today = clinic_today()
    staff = demo_staff_save(people=people, password=password)
    by_role = list(zip(staff, people.staff, strict=True))
    reception = next(user for user, member in by_role if member.role == roles.RECEPTION)
    therapists = [user for user, member in by_role if member.role == roles.THERAPIST]
    result = DemoClinic(usernames=[user.username for user in staff], password=password)
    demo_hours_save(people=people, therapists=therapists, today=today)

    for index in range(patients):
        name = people.name(index)
        email = f"{name.email_name}{index}@{EMAIL_DOMAIN}".lower()
        # Drawn for every patient, kept or not, so a new patient always gets the same data.
        born = dt.date(rng.randint(1948, 1996), rng.randint(1, 12), rng.randint(1, 28))
        plan_index = index % len(PLANS)
        consents = rng.random() < 0.8 or plan_index in (
            FLAGGED_PLAN,
            LAPSED_PLAN,
            MAILBOX_GONE_PLAN,
        )
        channel = rng.choice([*[Patient.Channel.EMAIL] * 3, Patient.Channel.SMS])
        if Patient.objects.filter(email=email).exists():
            result.patients_kept += 1
            continue
        patient = patient_save(
            patient=Patient(
                first_name=name.first_name,
                last_name=name.last_name,
                patronymic=name.patronymic,
                date_of_birth=born,
                phone=people.phone(index),
                email=email,
                preferred_channel=channel,
                reminders_consent=consents,
            ),
            by=reception,
        )
        plan = PLANS[plan_index]
        history = _PatientHistory(
            rng=random.Random(seed + index),
            people=people,
            patient=patient,
            therapist=therapists[index % len(therapists)],
            today=today,
            setback=plan_index == SETBACK_PLAN,
        )
        for position, (status, region, kind, massage) in enumerate(plan):
            history.course(
                status=status,
                region=region,
                kind=kind,
                massage=massage,
                age=len(plan) - 1 - position,
            )
        _contraindications(
            rng=history.rng, people=people, patient=patient, index=index, plan=plan, today=today
        )
        _messages(
            rng=history.rng, people=people, patient=patient, plan_index=plan_index, today=today
        )
        result.patients_created += 1

    counts: dict[str, int] = {}
    for course in Course.objects.filter(patient__email__endswith=f"@{EMAIL_DOMAIN}"):
        key = COMPLETED_EARLY if course.completed_early else course.status
        counts[key] = counts.get(key, 0) + 1
    result.courses_by_status = counts
    return result
