import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F

from courses import services
from courses.models import Course, MassageKind, Visit
from patients.models import ConsentChange, Patient, PatientContraindication

pytestmark = pytest.mark.django_db(transaction=False)

PATIENTS = 12  # one turn of the demo's course plans: every kind of course, faster


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", patients=PATIENTS, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "patients": Patient.objects.count(),
        "consent": ConsentChange.objects.count(),
        "contraindications": PatientContraindication.objects.count(),
        "courses": Course.objects.count(),
        "visits": Visit.objects.count(),
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Each run sets the demo staff's password: the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    return seed(password="first-demo-password")


def test_the_demo_has_courses_in_every_status(demo):
    statuses = set(Course.objects.values_list("status", flat=True))
    assert statuses == set(Course.Status.values)
    assert Course.objects.filter(status=Course.Status.COMPLETED, completed_early=True).exists()
    assert Course.objects.filter(status=Course.Status.COMPLETED, completed_early=False).exists()
    assert Course.objects.filter(massage_kind=MassageKind.HONEY).exists()
    assert Visit.objects.filter(status=Visit.Status.MISSED).exists()


def test_demo_pain_falls_over_a_course_with_the_odd_setback(demo):
    for course in Course.objects.filter(status=Course.Status.COMPLETED, completed_early=False):
        done = list(course.visits.filter(status=Visit.Status.DONE).order_by("sequence"))
        assert done[-1].pain_after < done[0].pain_before
    done = Visit.objects.filter(status=Visit.Status.DONE)
    lower = done.filter(pain_after__lt=F("pain_before")).count()
    assert lower > 0.8 * done.count()
    assert done.filter(pain_after__gt=F("pain_before")).exists()


def test_a_demo_patient_has_a_planned_course_blocked_by_a_temporary_contraindication(demo):
    blocked = [
        course
        for course in Course.objects.filter(status=Course.Status.PLANNED)
        if services.patient_blocking_message(patient=course.patient, action="start")
    ]
    assert blocked
    message = services.patient_blocking_message(patient=blocked[0].patient, action="start")
    assert "Influenza or a cold" in message


def test_the_demo_records_local_resolved_and_blocking_contraindications(demo):
    records = PatientContraindication.objects
    assert records.local().exists()
    assert records.blocking().exists()
    assert records.filter(resolved_on__isnull=False).exists()


def test_the_demo_obeys_the_one_open_course_per_region_rule(demo):
    open_per_region = (
        Course.objects.filter(status__in=Course.OPEN_STATUSES)
        .values("patient", "region")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not open_per_region.exists()


def test_running_the_demo_twice_duplicates_nothing(demo):
    before = counts()

    seed(password="second-demo-password")

    assert counts() == before


def test_the_printed_login_works_and_a_new_random_password_is_made_each_run(demo, client):
    first = seed()
    second = seed()

    passwords = [re.search(r"password:\s+(\S+)", out).group(1) for out in (first, second)]
    assert passwords[0] != passwords[1]
    assert "manager" in second
    assert client.login(username="manager", password=passwords[1])
    assert not client.login(username="manager", password=passwords[0])
    assert not client.login(username="manager", password="first-demo-password")


def test_demo_staff_are_staff_and_only_the_manager_is_a_superuser(demo):
    staff = get_user_model().objects.filter(is_staff=True)
    assert staff.count() == 5
    assert list(staff.filter(is_superuser=True).values_list("username", flat=True)) == ["manager"]


def test_the_demo_leaves_a_real_account_with_a_demo_name_alone(db):
    from django.core.management import CommandError

    real = get_user_model().objects.create_user(
        "manager", email="margaret@real-clinic.test", password="her-own-password"
    )

    with pytest.raises(CommandError, match="manager exists and is not a demo user"):
        seed(password="demo")

    real.refresh_from_db()
    assert real.check_password("her-own-password")
    assert not real.is_superuser
    assert not Patient.objects.exists()
