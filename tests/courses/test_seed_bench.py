import datetime as dt
from io import StringIO
from itertools import groupby

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from clinic import roles
from clinic.timeutils import clinic_date
from courses.bench_seed import SeedRefused, seed_bench
from courses.bench_seed.clinic import MANAGER_USERNAME
from courses.models import Course, MassageKind, Visit
from courses.services.booking import visits_booking_errors
from courses.services.rules import _honey_spacing_errors
from hours.models import OpeningHours, TimeOff, WorkingHours
from messaging.models import Feedback, Message
from patients.models import ConsentChange, Patient, PatientContraindication
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=False)

PATIENTS = 30


@pytest.fixture
def seeded(db):
    return seed_bench(patients=PATIENTS, seed=7)


def test_a_small_seed_has_a_chains_proportions(seeded):
    patients = Patient.objects.count()
    courses, visits = Course.objects.count(), Visit.objects.count()

    assert patients == PATIENTS
    assert 2 <= courses / patients <= 4.5
    assert 20 <= visits / patients <= 50
    assert 2 <= Message.objects.count() / patients <= 20
    assert set(Visit.objects.values_list("status", flat=True)) == set(Visit.Status.values)
    assert {Course.Status.COMPLETED, Course.Status.ACTIVE} <= set(
        Course.objects.values_list("status", flat=True)
    )
    assert {Message.Status.SENT, Message.Status.PENDING} <= set(
        Message.objects.values_list("status", flat=True)
    )
    assert Feedback.objects.exists()
    assert seeded.rows["courses.Visit"] == visits


def test_the_seed_makes_a_manager_and_therapists_in_their_roles_with_working_hours(seeded):
    users = get_user_model().objects
    therapists = users.filter(groups__name=roles.THERAPIST)

    assert users.get(username=MANAGER_USERNAME).groups.get().name == roles.MANAGER
    assert therapists.count() >= 3
    assert OpeningHours.objects.count() == 6
    assert WorkingHours.objects.exists() and TimeOff.objects.exists()


def test_every_seeded_row_passes_its_models_validation(seeded):
    # The whole of the small tables, every fifth visit: full_clean queries per row.
    rows = [
        *Patient.objects.all(),
        *ConsentChange.objects.all(),
        *PatientContraindication.objects.all(),
        *Course.objects.all(),
        *Visit.objects.order_by("pk")[::5],
        *Message.objects.all(),
        *Feedback.objects.all(),
    ]
    for row in rows:
        row.full_clean()


def test_no_therapist_is_booked_twice_at_once(seeded):
    booked = Visit.objects.booked().order_by("therapist_id", "scheduled_at")
    for _therapist, visits in groupby(booked, key=lambda v: v.therapist_id):
        visits = list(visits)
        for earlier, later in zip(visits, visits[1:], strict=False):
            assert earlier.ends_at <= later.scheduled_at


def test_sessions_ahead_are_booked_inside_working_time_without_clashes(seeded):
    scheduled = list(Visit.objects.filter(status=Visit.Status.SCHEDULED).select_related("course"))
    for visit in scheduled:
        visit._stored_booking = None  # checked as if booked now

    assert scheduled
    assert visits_booking_errors(visits=scheduled) == []


def test_each_visit_ends_where_its_booking_says(seeded):
    for visit in Visit.objects.all():
        assert visit.ends_at == visit.scheduled_at + dt.timedelta(minutes=visit.booked_minutes)


def test_a_patient_has_one_open_course_per_region(seeded):
    open_per_region = (
        Course.objects.open().values("patient", "region").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not open_per_region.exists()


def test_a_course_status_follows_its_sessions(seeded):
    for course in Course.objects.prefetch_related("visits"):
        visits = list(course.visits.all())
        done = [v for v in visits if v.is_done]
        booked = [v for v in visits if v.status in Visit.PLAN_STATUSES]
        assert len(booked) <= course.planned_sessions
        assert [v.sequence for v in visits] == list(range(1, len(visits) + 1))
        assert visits == sorted(visits, key=lambda v: v.scheduled_at)
        assert all(clinic_date(v.scheduled_at) >= course.start_date for v in visits)
        if course.status == Course.Status.COMPLETED:
            assert course.end_date == max(clinic_date(v.performed_at) for v in done)
            assert course.completed_early or len(done) == course.planned_sessions
            assert not any(v.status == Visit.Status.SCHEDULED for v in visits)
        elif course.status == Course.Status.ACTIVE:
            assert 0 < len(done) < course.planned_sessions and course.end_date is None
        elif course.status == Course.Status.PLANNED:
            assert not done and course.end_date is None
        else:
            assert course.end_date >= course.start_date
            assert not any(v.status == Visit.Status.SCHEDULED for v in visits)
        if course.massage_kind == MassageKind.HONEY:
            assert _honey_spacing_errors(visits) == []


def test_a_session_is_done_only_once_its_time_has_come_and_on_its_day(seeded):
    now = timezone.now()
    for visit in Visit.objects.all():
        if visit.is_done:
            assert visit.scheduled_at <= visit.performed_at <= now
            assert clinic_date(visit.performed_at) == clinic_date(visit.scheduled_at)
        elif visit.status == Visit.Status.SCHEDULED:
            # Nothing left unlogged: what is still booked has not ended yet.
            assert visit.ends_at > now
    done_twice_a_day = (
        Visit.objects.done()
        .values("course", "performed_at__date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not done_twice_a_day.exists()


def test_no_session_is_done_after_an_unresolved_blocking_contraindication(seeded):
    for record in PatientContraindication.objects.blocking().select_related("patient"):
        done = Visit.objects.done().filter(course__patient=record.patient)
        assert not done.filter(performed_at__date__gte=record.noted_on).exists()


def test_answers_and_alerts_follow_the_pain_the_patient_reported(seeded):
    for answer in Feedback.objects.all():
        rose = answer.pain >= answer.pain_before_visit + settings.CLINIC_PAIN_ALERT_RISE
        assert answer.raises_alert == rose
        assert answer.alerts.exists() == rose
        assert answer.message.status == Message.Status.SENT
        assert answer.submitted_at >= answer.message.sent_at


def test_messages_go_only_to_patients_who_take_them(seeded):
    messaged = Message.objects.to_patients().values("patient").distinct()
    assert not Patient.objects.filter(pk__in=messaged, reminders_consent=False).exists()
    assert not Patient.objects.filter(pk__in=messaged, email="").exists()


def test_no_repeat_course_reminder_waits_while_the_patient_has_an_open_course(seeded):
    waiting = Message.objects.open().filter(kind=Message.Kind.REPEAT_COURSE_REMINDER)
    assert not waiting.filter(patient__courses__status__in=Course.OPEN_STATUSES).exists()


def test_a_visit_reminder_waits_only_for_a_visit_still_booked(seeded):
    waiting = Message.objects.open().filter(kind=Message.Kind.VISIT_REMINDER)
    assert not waiting.exclude(visit__status=Visit.Status.SCHEDULED).exists()


VISIT_FIELDS = ("scheduled_at", "status", "pain_before", "pain_after", "therapist__username")


def _snapshot() -> dict[str, list]:
    return {
        "patients": list(
            Patient.objects.order_by("pk").values_list(
                "pk", "first_name", "last_name", "date_of_birth", "phone", "email", "link_key"
            )
        ),
        "visits": list(Visit.objects.order_by("pk").values_list("pk", "course_id", *VISIT_FIELDS)),
        "messages": list(
            Message.objects.order_by("pk").values_list(
                "pk", "kind", "status", "due_at", "link_key"
            )
        ),
    }


def _forget_the_seed() -> None:
    Course.objects.all().delete()
    Patient.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    OpeningHours.objects.all().delete()


def test_the_same_seed_makes_the_same_data(db):
    seed_bench(patients=8, seed=3)
    first = _snapshot()
    _forget_the_seed()
    seed_bench(patients=8, seed=3)

    assert _snapshot() == first


def test_another_seed_makes_other_data(db):
    seed_bench(patients=8, seed=3)
    first = _snapshot()
    _forget_the_seed()
    seed_bench(patients=8, seed=4)

    assert _snapshot()["patients"] != first["patients"]


def test_the_time_of_day_changes_only_what_is_not_over_yet(db):
    morning = timezone.make_aware(dt.datetime(2026, 3, 10, 9, 30))
    evening = morning + dt.timedelta(hours=9)

    def visits_before_the_morning() -> list[tuple]:
        return list(
            Visit.objects.filter(scheduled_at__lt=morning)
            .order_by("course__patient_id", "scheduled_at")
            .values_list("course__patient_id", *VISIT_FIELDS)
        )

    with time_machine.travel(morning, tick=False):
        seed_bench(patients=8, seed=3)
    patients, visits = _snapshot()["patients"], visits_before_the_morning()
    _forget_the_seed()
    with time_machine.travel(evening, tick=False):
        seed_bench(patients=8, seed=3)

    assert _snapshot()["patients"] == patients
    assert visits_before_the_morning() == visits


def test_the_seed_refuses_a_database_that_has_patients(db):
    PatientFactory()

    with pytest.raises(SeedRefused):
        seed_bench(patients=5)
    with pytest.raises(CommandError, match="already has patients"):
        call_command("seed_bench", patients=5, stdout=StringIO(), stderr=StringIO())
    assert Patient.objects.count() == 1


def test_the_staff_sign_in_with_the_password_given_and_with_none_without(db):
    seed_bench(patients=3, password="for-the-bench")
    manager = get_user_model().objects.get(username=MANAGER_USERNAME)
    assert manager.check_password("for-the-bench")

    _forget_the_seed()
    seed_bench(patients=3)
    manager = get_user_model().objects.get(username=MANAGER_USERNAME)
    assert not manager.has_usable_password()


def test_the_command_prints_the_rows_it_made_and_the_time_it_took(db):
    out = StringIO()

    call_command("seed_bench", patients=5, stdout=out, stderr=StringIO())

    assert "patients.Patient" in out.getvalue()
    assert "Seeded in" in out.getvalue()
    assert Patient.objects.count() == 5
