"""Staff journeys through the admin in headless Chromium, each ending in the database.

Roles are plain staff users with the permissions each job needs; screenshots of the
pages they pass through go to docs/screenshots/ for the README.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, CourseKind, SpineRegion, Visit
from patients.models import Patient, PatientContraindication
from tests.factories import CourseFactory, PatientFactory, StaffUserFactory, VisitFactory

pytestmark = [
    pytest.mark.e2e,
    # The live server needs committed data.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contraindication_catalogue"),
]

PASSWORD = "correct-horse-battery"

RECEPTIONIST_PERMISSIONS = [
    "patients.add_patient",
    "patients.change_patient",
    "patients.view_patient",
    "patients.add_patientcontraindication",
    "patients.change_patientcontraindication",
    "patients.view_patientcontraindication",
    "patients.view_contraindication",
    "patients.view_consentchange",
    "courses.view_course",
]
THERAPIST_PERMISSIONS = [
    "patients.view_patient",
    "patients.view_patientcontraindication",
    "courses.add_course",
    "courses.change_course",
    "courses.view_course",
    "courses.add_visit",
    "courses.change_visit",
    "courses.view_visit",
    "courses.log_visit",
    "auth.view_user",
]


@pytest.fixture
def receptionist(transactional_db):
    return StaffUserFactory(
        username="reception",
        first_name="Rosa",
        last_name="Mendes",
        permissions=RECEPTIONIST_PERMISSIONS,
    )


@pytest.fixture
def therapist(transactional_db):
    return StaffUserFactory(
        username="therapist",
        first_name="Tomas",
        last_name="Berg",
        permissions=THERAPIST_PERMISSIONS,
    )


def test_course_start_is_blocked_by_a_temporary_contraindication_until_it_is_resolved(
    browser, receptionist, therapist
):
    today = timezone.localdate()

    # Reception registers the patient, who has a fever today.
    browser.log_in("reception", PASSWORD)
    browser.open(reverse("admin:patients_patient_add"))
    browser.type("#id_first_name", "Ada")
    browser.type("#id_last_name", "Lovelace")
    browser.type_date("#id_date_of_birth", dt.date(1968, 12, 10))
    browser.type("#id_phone", "+44 7700 900123")
    browser.type("#id_email", "ada@example.test")
    browser.add_inline_row("contraindications-group")
    # The catalogue is short: the patient page offers it as a plain select.
    browser.choose("#id_contraindications-0-contraindication", "Fever of any cause")
    browser.type_date("#id_contraindications-0-noted_on", today)
    browser.press("_continue")
    assert browser.errors() == []
    patient = Patient.objects.get(last_name="Lovelace")
    fever = PatientContraindication.objects.get(patient=patient)
    assert fever.resolved_on is None
    browser.screenshot("patient")

    # The therapist plans a lumbar course for her.
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:courses_course_add"))
    browser.autocomplete("id_patient", "Lovelace")
    browser.choose("#id_kind", str(CourseKind.THERAPEUTIC.label))
    browser.type("#id_planned_sessions", 10)
    browser.choose("#id_region", str(SpineRegion.LUMBAR.label))
    browser.autocomplete("id_therapist", "therapist")
    browser.type_date("#id_start_date", today)
    browser.press("_save")
    assert browser.errors() == []
    course = Course.objects.get(patient=patient)
    assert course.status == Course.Status.PLANNED

    # Starting it is refused, and the message says why.
    browser.run_action(
        reverse("admin:courses_course_changelist"), "Start the selected courses", [course.pk]
    )
    (blocked,) = browser.messages("error")
    assert "The course cannot start" in blocked
    assert "Ada Lovelace has an unresolved contraindication: Fever of any cause" in blocked
    assert browser.messages("success") == []
    course.refresh_from_db()
    assert course.status == Course.Status.PLANNED
    browser.screenshot("course-blocked")

    # Reception records that the fever is over.
    browser.log_in("reception", PASSWORD)
    browser.open(reverse("admin:patients_patient_change", args=[patient.pk]))
    browser.type_date("#id_contraindications-0-resolved_on", today)
    browser.press("_save")
    assert browser.errors() == []
    fever.refresh_from_db()
    assert fever.resolved_on == today

    # Now the course starts.
    browser.log_in("therapist", PASSWORD)
    browser.run_action(
        reverse("admin:courses_course_changelist"), "Start the selected courses", [course.pk]
    )
    assert browser.messages("error") == []
    assert browser.messages("success") == ["Courses started: 1."]
    course.refresh_from_db()
    assert course.status == Course.Status.ACTIVE


def log_visit_row(browser, row: int, *, sequence: int, day: dt.date, pain: tuple[int, int]):
    prefix = f"#id_visits-{row}-"
    browser.type(prefix + "sequence", sequence)
    browser.type_date(prefix + "scheduled_at_0", day)
    browser.type(prefix + "scheduled_at_1", "10:00")
    browser.choose(prefix + "status", "Done")
    browser.type(prefix + "duration_minutes", 15)
    browser.choose(prefix + "position", "Lying prone")
    for technique in ("stroking", "kneading", "vibration"):
        browser.tick(f"input[name='visits-{row}-techniques'][value='{technique}']")
    browser.choose(prefix + "intensity", "Sparing (gentle)")
    browser.type(prefix + "pain_before", pain[0])
    browser.type(prefix + "pain_after", pain[1])


def test_therapist_logs_three_visits_from_the_course_page_and_completes_the_course_early(
    browser, therapist
):
    start = timezone.localdate() - dt.timedelta(days=14)
    course = CourseFactory(
        patient=PatientFactory(first_name="Grace", last_name="Hopper"),
        therapist=therapist,
        kind=CourseKind.THERAPEUTIC,
        region=SpineRegion.CERVICAL,
        planned_sessions=10,
        start_date=start,
        status=Course.Status.ACTIVE,
    )
    pains = [(7, 5), (5, 4), (4, 2)]

    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:courses_course_change", args=[course.pk]))
    for row, pain in enumerate(pains):
        if row:
            browser.add_inline_row("visits-group")
        log_visit_row(
            browser, row, sequence=row + 1, day=start + dt.timedelta(days=3 * row), pain=pain
        )
    browser.press("_continue")

    assert browser.errors() == []
    visits = list(course.visits.order_by("sequence"))
    assert [(v.status, v.pain_before, v.pain_after) for v in visits] == [
        (Visit.Status.DONE, before, after) for before, after in pains
    ]
    assert visits[0].techniques == ["stroking", "kneading", "vibration"]
    course.refresh_from_db()
    assert course.status == Course.Status.ACTIVE
    browser.screenshot("course")

    browser.open(reverse("admin:courses_visit_changelist"))
    assert "Grace Hopper" in browser.text("#result_list")
    browser.screenshot("visits")

    browser.run_action(
        reverse("admin:courses_course_changelist"),
        "Complete the selected courses early",
        [course.pk],
    )
    assert browser.messages("success") == ["Courses completed: 1."]
    row = browser.text(f"#result_list tr:has(input.action-select[value='{course.pk}'])")
    assert "Completed" in row
    assert "3/10" in row
    course.refresh_from_db()
    assert course.status == Course.Status.COMPLETED
    assert course.completed_early is True
    assert course.end_date == start + dt.timedelta(days=6)


def test_home_page_shows_todays_work_and_leads_to_logging_a_visit(browser, therapist):
    today = timezone.localdate()
    now = timezone.localtime()
    booked = []
    for hour, (first, last, region) in zip(
        (9, 11, 14),
        [
            ("Ada", "Lovelace", SpineRegion.LUMBAR),
            ("Alan", "Turing", SpineRegion.CERVICAL),
            ("Katherine", "Johnson", SpineRegion.THORACIC),
        ],
        strict=True,
    ):
        course = CourseFactory(
            patient=PatientFactory(first_name=first, last_name=last),
            therapist=therapist,
            region=region,
            start_date=today - dt.timedelta(days=20),
        )
        booked.append(
            VisitFactory(
                course=course,
                sequence=1,
                scheduled_at=now.replace(hour=hour, minute=0, second=0, microsecond=0),
            )
        )
    ending = CourseFactory(
        patient=PatientFactory(first_name="Edsger", last_name="Dijkstra"),
        therapist=therapist,
        kind=CourseKind.PREVENTIVE,
        planned_sessions=5,
        start_date=today - dt.timedelta(days=20),
    )
    for n in range(1, 5):
        VisitFactory(course=ending, sequence=n, done=True)

    browser.open(reverse("admin:login"))
    assert "Back in Balance Massage Clinic" in browser.text("#header")
    browser.screenshot("login")
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:index"))

    visits_today = browser.text("#home-visits-today")
    for name in ("Ada Lovelace", "Alan Turing", "Katherine Johnson"):
        assert name in visits_today
    assert "Edsger Dijkstra" in browser.text("#home-courses-ending")
    assert "No patient is due for a repeat course." in browser.text("#home-repeat-courses-due")
    assert "No message has failed." in browser.text("#home-failed-messages")
    assert browser.find("#site-name").text.startswith("Back in Balance Massage Clinic")
    browser.screenshot("home")

    browser.submit_with(browser.find("#home-visits-today a.button"))
    assert browser.driver.current_url.endswith(
        reverse("admin:courses_visit_change", args=[booked[0].pk])
    )
    assert "Ada Lovelace" in browser.text("#content")
    browser.screenshot("visit")
