"""Staff journeys through the admin in headless Chromium, each ending in the database.

Staff are members of the real role groups (clinic/roles.py); screenshots of the pages
they pass through go to docs/screenshots/ for the README.
"""

import csv
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from selenium.webdriver.common.by import By

from courses.models import Course, CourseKind, SpineRegion, Visit
from patients.models import Patient, PatientContraindication
from tests.e2e.conftest import PASSWORD
from tests.factories import CourseFactory, PatientFactory, VisitFactory

pytestmark = [
    pytest.mark.e2e,
    # The live server needs committed data.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contraindication_catalogue"),
]


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
    browser.type("#id_phone", "020 7946 0123")
    browser.type("#id_email", "ada@example.test")
    browser.add_inline_row("contraindications-group")
    browser.choose("#id_contraindications-0-contraindication", "Fever of any cause")
    browser.type_date("#id_contraindications-0-noted_on", today)
    browser.press("_continue")
    assert browser.errors() == []
    patient = Patient.objects.get(last_name="Lovelace")
    assert (patient.date_of_birth, str(patient.phone)) == (dt.date(1968, 12, 10), "+442079460123")
    fever = PatientContraindication.objects.get(patient=patient)
    assert fever.resolved_on is None
    browser.screenshot("patient")
    assert not browser.overflows("#contraindications-group")

    # The therapist plans a lumbar course for her.
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:courses_course_add"))
    browser.autocomplete("id_patient", "Lovelace")
    browser.choose("#id_kind", str(CourseKind.THERAPEUTIC.label))
    browser.type("#id_planned_sessions", 10)
    browser.choose("#id_region", str(SpineRegion.LUMBAR.label))
    browser.choose("#id_therapist", "Tomas Berg")
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


def test_therapist_logs_three_visits_sees_the_chart_completes_the_course_and_exports_it(
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
        browser.log_visit_row(
            row, sequence=row + 1, day=start + dt.timedelta(days=3 * row), pain=pain
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

    # The summary shows the outcome and a pain chart the browser could draw.
    summary = browser.text("fieldset:has(img.pain-chart)")
    assert "Pain went from 7 to 2" in summary
    assert "a clinically important improvement" in summary
    assert browser.image_size("img.pain-chart") == (720, 300)
    browser.screenshot("course")
    # The whole visit log fits the screen: no column hides behind a scroll bar.
    assert not browser.overflows(".inline-group .tabular:has(fieldset.visit-log)")

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

    # The summaries of the listed courses, as a spreadsheet.
    export_link = browser.find("#content a[href*='/export/csv/']")
    assert export_link.text.lower() == "export csv"
    exported = browser.download(export_link, ".csv")
    with exported.open(newline="", encoding="utf-8") as rows:
        (line,) = [r for r in csv.DictReader(rows) if r["course_id"] == str(course.pk)]
    assert line["patient"] == "Grace Hopper"
    assert line["status"] == "completed"
    assert (line["sessions_done"], line["pain_at_start"], line["pain_at_end"]) == ("3", "7", "2")
    assert line["important_improvement"] == "yes"

    # The one-page summary to hand to the patient.
    browser.open(reverse("admin:courses_course_change", args=[course.pk]))
    pdf_link = browser.find("#content a[href$='/pdf/']")
    assert pdf_link.text.lower() == "course pdf"
    pdf = browser.download(pdf_link, ".pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Grace Hopper" in text


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
    # The message log is for reception and managers, not for therapists.
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "#home-failed-messages")
    assert browser.find("#site-name").text.startswith("Back in Balance Massage Clinic")
    browser.screenshot("home")

    browser.submit_with(browser.find("#home-visits-today a.button"))
    assert browser.driver.current_url.endswith(
        reverse("admin:courses_visit_change", args=[booked[0].pk])
    )
    assert "Ada Lovelace" in browser.text("#content")
    browser.screenshot("visit")
