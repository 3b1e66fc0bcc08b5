import datetime as dt

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone

from courses.models import Course, CourseKind, MassageKind, SpineRegion, Visit
from courses.services import course_summaries_recompute, visit_next_sequence
from patients.models import Contraindication, Patient, PatientContraindication


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"therapist{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    is_staff = True
    password = factory.django.Password("correct-horse-battery")


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=25, maximum_age=75)
    # Ofcom's fictional London range, 020 7946 0000-0999: valid numbers that reach no one.
    phone = factory.Sequence(lambda n: f"+44 20 7946 {n % 1000:04d}")
    email = factory.Sequence(lambda n: f"patient{n}@example.test")
    reminders_consent = True
    reminders_consent_changed_at = factory.LazyFunction(timezone.now)


def contraindication(code: str) -> Contraindication:
    """One entry of the catalogue that the data migration seeds."""
    return Contraindication.objects.get(code=code)


class PatientContraindicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PatientContraindication

    patient = factory.SubFactory(PatientFactory)
    contraindication = factory.LazyFunction(lambda: contraindication("fever"))
    noted_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=2))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    patient = factory.SubFactory(PatientFactory)
    kind = CourseKind.THERAPEUTIC
    region = SpineRegion.LUMBAR
    massage_kind = MassageKind.CLASSIC
    planned_sessions = 10
    visits_per_week = 2
    therapist = factory.SubFactory(UserFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    status = Course.Status.ACTIVE


class VisitFactory(factory.django.DjangoModelFactory):
    """A scheduled visit; use ``VisitFactory(done=True)`` for a logged session."""

    class Meta:
        model = Visit

    class Params:
        done = factory.Trait(
            status=Visit.Status.DONE,
            performed_at=factory.SelfAttribute("scheduled_at"),
            duration_minutes=20,
            position=Visit.Position.PRONE,
            techniques=["stroking", "rubbing", "kneading", "stroking"],
            intensity=Visit.Intensity.MODERATE,
            pain_before=6,
            pain_after=4,
        )

    course = factory.SubFactory(CourseFactory)
    # The course's next session number, so the booked day (three days a session from
    # the course's start) stays near the start however many tests ran before.
    sequence = factory.LazyAttribute(lambda v: visit_next_sequence(v.course) if v.course.pk else 1)
    scheduled_at = factory.LazyAttribute(
        lambda v: timezone.make_aware(
            dt.datetime.combine(
                v.course.start_date + dt.timedelta(days=3 * (v.sequence - 1)), dt.time(10)
            )
        )
    )
    therapist = factory.SelfAttribute("course.therapist")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Saved past the services: the course's summary columns follow as they would.
        visit = super()._create(model_class, *args, **kwargs)
        Course.objects.filter(pk=visit.course_id).summaries_refresh()
        return visit


# --- Course summaries and exports -------------------------------------------------------


def summary_course(**patient_fields) -> Course:
    """A completed lumbar course with a known outcome: three done sessions (pain 7 -> 3
    from the first to the last), one missed and one cancelled, in June so that the
    clinic's time zone (Europe/London, +01:00 in summer) shows in exported times."""
    therapist = UserFactory(username="summary-therapist", first_name="Olga", last_name="Ivanova")
    course = CourseFactory(
        patient=PatientFactory(**{"first_name": "Anna", "last_name": "Petrova", **patient_fields}),
        therapist=therapist,
        start_date=dt.date(2026, 6, 1),
        status=Course.Status.COMPLETED,
        end_date=dt.date(2026, 6, 20),
    )
    for sequence, (before, after) in enumerate([(7, 5), (6, 4), (4, 3)], start=1):
        VisitFactory(
            course=course, sequence=sequence, done=True, pain_before=before, pain_after=after
        )
    VisitFactory(course=course, sequence=4, status=Visit.Status.MISSED)
    VisitFactory(course=course, sequence=5, status=Visit.Status.CANCELLED)
    return course


def bulk_courses(count: int, *, therapist, offset: int = 0, visits_per_course: int = 0) -> None:
    """Many completed courses at once with bulk_create, for memory and query-count checks;
    each done visit has pain 6 before and 4 after."""
    patients = Patient.objects.bulk_create(
        Patient(
            first_name=f"Patient{offset + n}",
            last_name="Bulk",
            date_of_birth=dt.date(1970, 1, 1),
            email=f"bulk{offset + n}@example.test",
        )
        for n in range(count)
    )
    courses = Course.objects.bulk_create(
        Course(
            patient=patient,
            kind=CourseKind.THERAPEUTIC,
            region=SpineRegion.LUMBAR,
            planned_sessions=10,
            therapist=therapist,
            start_date=dt.date(2026, 1, 5),
            status=Course.Status.COMPLETED,
        )
        for patient in patients
    )
    first = timezone.make_aware(dt.datetime(2026, 1, 5, 10))
    # Each course's sessions are given by a stand-in of its own: one therapist cannot see
    # every patient at 10:00 (the diary's no-overlap constraint).
    stand_ins = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bulk-therapist-{offset + n}") for n in range(count)
    )
    minutes = settings.CLINIC_SESSION_MINUTES
    Visit.objects.bulk_create(
        Visit(
            course=course,
            therapist=stand_in,
            booked_minutes=minutes,
            ends_at=first + dt.timedelta(days=3 * n, minutes=minutes),
            sequence=n,
            scheduled_at=first + dt.timedelta(days=3 * n),
            performed_at=first + dt.timedelta(days=3 * n),
            status=Visit.Status.DONE,
            pain_before=6,
            pain_after=4,
            techniques=["stroking"],
        )
        for course, stand_in in zip(courses, stand_ins, strict=True)
        for n in range(1, visits_per_course + 1)
    )
    course_summaries_recompute([course.pk for course in courses])


# --- Staff roles ----------------------------------------------------------------------


def staff_with_role(role: str, **kwargs):
    """A staff member in one of the role groups of clinic/roles.py (Reception, ...)."""
    from django.contrib.auth.models import Group

    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


# --- messaging ------------------------------------------------------------------------
from messaging.models import Message  # noqa: E402


class MessageFactory(factory.django.DjangoModelFactory):
    """A pending end-of-course follow-up, due now, for a completed course."""

    class Meta:
        model = Message

    kind = Message.Kind.END_OF_COURSE_FOLLOW_UP
    course = factory.SubFactory(
        CourseFactory,
        status=Course.Status.COMPLETED,
        end_date=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1)),
    )
    patient = factory.SelfAttribute("course.patient")
    number = factory.Sequence(lambda n: n + 1)
    due_at = factory.LazyFunction(timezone.now)


def ids_token(message: Message, *, salt: str) -> str:
    """A link token of the form sent before links carried keys: the message's and its
    patient's ids, signed (still accepted from e-mails already sent)."""
    return signing.dumps({"m": message.pk, "p": message.patient_id}, salt=salt, compress=True)


def staff_alert_for(visit: Visit) -> Message:
    """The alert to ``visit``'s therapist after its patient answered a check-in with pain
    9, seven points above the 2 before the visit."""
    from messaging.services import feedback_submit

    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN,
        visit=visit,
        course=visit.course,
        status=Message.Status.SENT,
    )
    visit.pain_before = 2
    visit.save()
    feedback_submit(message=check_in, pain=9, comment="My lower back hurts more.")
    return Message.objects.get(kind=Message.Kind.STAFF_ALERT)


class CheckInFactory(MessageFactory):
    """A post-visit check-in that went out after a done visit (pain 6 before, 4 after,
    unless ``visit__pain_before=...``)."""

    kind = Message.Kind.POST_VISIT_CHECK_IN
    visit = factory.SubFactory(VisitFactory, done=True)
    course = factory.SelfAttribute("visit.course")
    status = Message.Status.SENT


# --- staff with given permissions (browser tests) -------------------------------------


class StaffUserFactory(UserFactory):
    """A staff user holding exactly ``permissions`` ("app_label.codename", ...)."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")

    @factory.post_generation
    def permissions(user, create: bool, extracted, **kwargs) -> None:
        from django.contrib.auth.models import Permission

        if not create or not extracted:
            return
        for name in extracted:
            app_label, codename = name.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
