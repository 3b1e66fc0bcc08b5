import datetime as dt
import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from clinic import roles
from clinic.selectors import staff_home
from clinic.timeutils import clinic_today
from courses import services
from courses.demo import MAILBOX_GONE_ERROR
from courses.models import Course, MassageKind, Visit
from courses.selectors import patients_in_care_of
from courses.services.booking import visits_booking_errors
from hours.models import ClosedDay, OpeningHours, TimeOff, WorkingHours
from messaging import timing
from messaging.models import Feedback, Message
from patients.models import ConsentChange, Contraindication, Patient, PatientContraindication

pytestmark = pytest.mark.django_db(transaction=False)

PATIENTS = 12  # one turn of the demo's course plans: every kind of course, faster


@dataclass(frozen=True)
class Clinic:
    """What a clinic's environment gives the demo, and the demo's people there."""

    language: str
    time_zone: str
    therapists: tuple[str, str, str]
    phone: str


# Ofcom's drama range for London, 020 7946 0000-0999: no real person is rung. Moscow's
# 495 with a subscriber number starting with 0, which Russia gives no one.
LONDON = Clinic(
    "en-gb", "Europe/London", ("anna.kowalska", "ben.okafor", "chloe.martin"), r"\+442079460\d{3}"
)
MOSCOW = Clinic(
    "ru", "Europe/Moscow", ("anna.kovaleva", "bogdan.okunev", "svetlana.markova"), r"\+74950\d{6}"
)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", patients=PATIENTS, stdout=out, **options)
    return out.getvalue()


def printed_password(out: str) -> str:
    # The last word printed, whatever language the labels before it are in.
    return out.split()[-1]


def counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "patients": Patient.objects.count(),
        "consent": ConsentChange.objects.count(),
        "contraindications": PatientContraindication.objects.count(),
        "courses": Course.objects.count(),
        "visits": Visit.objects.count(),
        "messages": Message.objects.count(),
        "messages by status": dict(
            Message.objects.values_list("status").annotate(n=Count("id")).order_by("status")
        ),
        "feedback": Feedback.objects.count(),
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Each run sets the demo staff's password: the real hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(params=[LONDON, MOSCOW], ids=["london", "moscow"])
def clinic(request, settings) -> Clinic:
    settings.LANGUAGE_CODE = request.param.language
    settings.TIME_ZONE = request.param.time_zone
    return request.param


@pytest.fixture
def demo(db, clinic):
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
    assert Contraindication.objects.get(code="influenza-cold").name in message


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


def test_the_demos_diary_has_no_clash_and_books_inside_working_time(demo):
    booked = list(Visit.objects.booked().select_related("course__patient"))
    for visit in booked:
        visit._stored_booking = None  # checked as if booked now
    scheduled = [v for v in booked if v.status == Visit.Status.SCHEDULED]

    # Every booking against all the others, the ones already given included.
    assert visits_booking_errors(visits=booked) == []
    assert scheduled and OpeningHours.objects.count() == 6
    assert WorkingHours.objects.exists() and TimeOff.objects.exists()
    today = timezone.localdate()
    is_open = OpeningHours.objects.filter(weekday=today.weekday()).exists()
    if is_open and not ClosedDay.objects.filter(date=today).exists():
        assert Visit.objects.filter(scheduled_at__date=today).exists()


def test_demo_patients_have_valid_fictional_phone_numbers_in_e164(demo, clinic):
    phones = [patient.phone for patient in Patient.objects.all()]

    assert all(phone.is_valid() for phone in phones)
    assert all(re.fullmatch(clinic.phone, str(phone)) for phone in phones)


def test_running_the_demo_twice_duplicates_nothing(demo):
    before = counts()

    seed(password="second-demo-password")

    assert counts() == before


def test_the_printed_login_works_and_a_new_random_password_is_made_each_run(demo, client):
    first = seed()
    second = seed()

    passwords = [printed_password(out) for out in (first, second)]
    assert passwords[0] != passwords[1]
    assert "manager" in second
    assert client.login(username="manager", password=passwords[1])
    assert not client.login(username="manager", password=passwords[0])
    assert not client.login(username="manager", password="first-demo-password")


def test_demo_staff_are_staff_and_only_the_administrator_is_a_superuser(demo):
    staff = get_user_model().objects.filter(is_staff=True)
    assert staff.count() == 6
    assert list(staff.filter(is_superuser=True).values_list("username", flat=True)) == ["admin"]


def test_each_demo_user_is_in_the_group_of_their_role(demo, clinic):
    groups = {
        user.username: [group.name for group in user.groups.all()]
        for user in get_user_model().objects.prefetch_related("groups")
    }
    assert groups == {
        "manager": [roles.MANAGER],
        "reception": [roles.RECEPTION],
        **{username: [roles.THERAPIST] for username in clinic.therapists},
        "admin": [],
    }


def test_demo_patients_answered_check_ins_and_follow_ups_after_they_went_out(demo):
    answers = Feedback.objects.select_related("message")
    kinds = set(answers.values_list("message__kind", flat=True))
    assert kinds == {Message.Kind.POST_VISIT_CHECK_IN, Message.Kind.END_OF_COURSE_FOLLOW_UP}
    for answer in answers:
        assert answer.message.status == Message.Status.SENT
        assert answer.message.sent_at < answer.submitted_at <= timezone.now()


def test_a_demo_course_is_flagged_by_an_unacknowledged_pain_rise_and_its_therapist_is_alerted(
    demo,
):
    rise = Feedback.objects.get(raises_alert=True)
    assert rise.pain >= rise.pain_before_visit + 2
    assert list(Feedback.objects.unacknowledged_rises()) == [rise]
    flagged = Course.objects.filter(pain_flagged=True)
    assert list(flagged) == [rise.course]
    alert = Message.objects.get(kind=Message.Kind.STAFF_ALERT)
    assert alert.feedback == rise
    assert alert.status == Message.Status.PENDING
    # Due at once, or when the sending hours open if the demo was built at night.
    assert alert.due_at <= timing.next_sending_time(timezone.now())


def test_a_demo_patient_is_due_for_a_repeat_course_and_shows_on_the_home_page(demo):
    home = staff_home()
    assert home.repeat_courses_due
    six_months_ago = clinic_today() - dt.timedelta(days=183)
    for patient in home.repeat_courses_due:
        courses = list(patient.courses.all())
        assert all(c.status == Course.Status.COMPLETED for c in courses)
        assert max(c.end_date for c in courses) < six_months_ago
        reminders = Message.objects.filter(
            patient=patient, kind=Message.Kind.REPEAT_COURSE_REMINDER
        ).order_by("number")
        first, second = reminders
        assert first.status == Message.Status.SENT
        assert first.sent_at < timezone.now()
        # The next one is the upcoming reminder, a year after the course ended.
        assert second.status == Message.Status.PENDING
        assert second.due_at > timezone.now()


def test_the_demo_has_upcoming_reminders_sent_messages_and_a_believable_failure(demo):
    now = timezone.now()
    pending = Message.objects.filter(status=Message.Status.PENDING)
    assert pending.filter(kind=Message.Kind.VISIT_REMINDER, due_at__gt=now).exists()
    for reminder in pending.filter(kind=Message.Kind.VISIT_REMINDER):
        assert reminder.visit.status == Visit.Status.SCHEDULED
        assert reminder.due_at < reminder.visit.scheduled_at
    sent = Message.objects.filter(status=Message.Status.SENT)
    assert sent.filter(kind=Message.Kind.POST_VISIT_CHECK_IN).exists()
    assert not sent.filter(sent_at__gt=now).exists()
    assert not sent.filter(due_at__gt=now).exists()
    [failed] = staff_home().failed_messages
    assert failed.last_error == MAILBOX_GONE_ERROR % {"email": failed.patient.email}
    assert "550 5.1.1" in failed.last_error
    # Every patient row belongs to a patient who takes messages.
    assert not Message.objects.to_patients().filter(patient__reminders_consent=False).exists()


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


@pytest.mark.parametrize(
    ("role", "logs_visits", "exports", "sees_message_log"),
    [
        (roles.RECEPTION, False, False, True),
        (roles.THERAPIST, True, True, False),
        (roles.MANAGER, True, True, True),
    ],
)
def test_signing_in_as_each_demo_role_shows_the_home_page_with_what_to_act_on(
    demo, client, role, logs_visits, exports, sees_message_log
):
    user = get_user_model().objects.filter(groups__name=role).order_by("pk").first()
    client.force_login(user)

    page = client.get("/admin/").content.decode()

    # A therapist's list holds the patients in their care only.
    everyone = staff_home().repeat_courses_due
    theirs = set(patients_in_care_of(user))
    assert everyone
    for due in everyone:
        assert (str(due) in page) is (due in theirs)
    failed = Message.objects.get(status=Message.Status.FAILED)
    # The failed message is on the home page of those who see the message log.
    assert ("550 5.1.1" in page) is sees_message_log
    if sees_message_log:
        assert str(failed.patient) in page
    assert user.has_perm("courses.log_visit") is logs_visits
    assert user.has_perm("courses.export_course") is exports
