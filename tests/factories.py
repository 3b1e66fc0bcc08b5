import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from courses.models import Course, CourseKind, MassageKind, SpineRegion, Visit
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
    phone = factory.Sequence(lambda n: f"+44 7700 9{n:05d}")
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
    sequence = factory.Sequence(lambda n: n + 1)
    scheduled_at = factory.LazyAttribute(
        lambda v: timezone.make_aware(
            dt.datetime.combine(
                v.course.start_date + dt.timedelta(days=3 * (v.sequence - 1)), dt.time(10)
            )
        )
    )
    therapist = factory.SelfAttribute("course.therapist")


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
