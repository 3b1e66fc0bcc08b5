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
