"""Every change to patients, their records, courses and visits is kept: who, when, what."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import Course, Visit
from patients import services as patient_services
from patients.models import Patient, PatientContraindication
from tests.factories import CourseFactory, PatientContraindicationFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_a_patient_changed_in_the_admin_records_who_changed_what(reception, reception_client):
    patient = PatientFactory(phone="+44 20 7946 0001")
    url = reverse("admin:patients_patient_change", args=[patient.pk])
    form = reception_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "email": patient.email,
            "phone": "+44 20 7946 0999",
            "preferred_channel": patient.preferred_channel,
            "reminders_consent": "on",
            "notes": "",
        }
    )
    for prefix in ("contraindications", "consent_changes", "courses", "data_rights_events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = reception_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = patient.history.latest()
    assert latest.history_user == reception
    assert latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("phone", "+44 20 7946 0001", "+44 20 7946 0999")
    ]


def test_the_history_page_of_a_patient_shows_the_change_and_its_author(manager, manager_client):
    patient = PatientFactory(phone="+44 20 7946 0001")
    patient.phone = "+44 20 7946 0777"
    patient_services.patient_save(patient=patient, by=manager)

    page = manager_client.get(reverse("admin:patients_patient_history", args=[patient.pk]))

    assert page.status_code == 200
    text = page.content.decode()
    assert "+442079460777" in text
    assert manager.username in text


def test_visits_saved_through_the_service_record_the_staff_member(therapist_staff):
    course = CourseFactory()
    visit = Visit(course=course, sequence=1, scheduled_at=course_start_at(course))

    course_services.visit_save(visit=visit, by=therapist_staff)

    assert visit.history.get().history_user == therapist_staff


def test_course_and_contraindication_changes_are_kept_with_their_previous_values():
    course = CourseFactory(planned_sessions=10)
    course.planned_sessions = 12
    course_services.course_save(course=course)
    record = PatientContraindicationFactory(patient=course.patient)
    record.notes = "Resolved at the GP"
    patient_services.patient_contraindication_save(record=record)

    assert list(
        Course.history.filter(id=course.pk).values_list("planned_sessions", flat=True)
    ) == [
        12,
        10,
    ]
    assert PatientContraindication.history.filter(id=record.pk).count() == 2


@pytest.mark.parametrize(
    "url_name", ["admin:courses_course_history", "admin:courses_visit_history"]
)
def test_course_and_visit_pages_have_a_history_view(url_name, therapist_client):
    course = CourseFactory()
    visit = Visit.objects.create(course=course, sequence=1, scheduled_at=course_start_at(course))
    pk = course.pk if "course_history" in url_name else visit.pk
    assert therapist_client.get(reverse(url_name, args=[pk])).status_code == 200


def test_a_patient_with_courses_cannot_be_deleted_even_by_a_manager(manager_client):
    course = CourseFactory()
    url = reverse("admin:patients_patient_delete", args=[course.patient_id])

    page = manager_client.get(url)
    manager_client.post(url, {"post": "yes"})

    assert "would require deleting the following protected related objects" in (
        page.content.decode()
    )
    assert Patient.objects.filter(pk=course.patient_id).exists()


def test_deleting_a_patient_lists_the_records_that_would_go(manager_client):
    record = PatientContraindicationFactory()
    page = manager_client.get(reverse("admin:patients_patient_delete", args=[record.patient_id]))
    assert str(record.contraindication) in page.content.decode()


def course_start_at(course: Course):
    return timezone.make_aware(dt.datetime.combine(course.start_date, dt.time(10)))


def test_an_old_version_cannot_be_restored_from_the_history(therapist_staff, reception_client):
    visit = Visit.objects.create(
        course=CourseFactory(), sequence=1, scheduled_at=timezone.now(), notes="first"
    )
    visit.notes = "second"
    course_services.visit_save(visit=visit, by=therapist_staff)
    old = visit.history.earliest()
    url = reverse("admin:courses_visit_simple_history", args=[visit.pk, old.history_id])

    page = reception_client.get(url)
    reception_client.post(url, {"notes": "first", "course": visit.course_id})

    assert "Revert" not in page.content.decode()
    visit.refresh_from_db()
    assert visit.notes == "second"


def test_cancelling_a_course_leaves_a_history_entry_on_each_cancelled_visit(therapist_staff):
    course = CourseFactory()
    visit = Visit.objects.create(course=course, sequence=1, scheduled_at=course_start_at(course))

    course_services.course_cancel(course=course)

    assert list(visit.history.values_list("status", flat=True)) == [
        Visit.Status.CANCELLED,
        Visit.Status.SCHEDULED,
    ]


def test_a_consent_change_shows_in_the_patients_history_with_its_author(reception):
    patient = PatientFactory(reminders_consent=True)

    patient_services.patient_set_reminders_consent(patient=patient, given=False, by=reception)

    latest = patient.history.latest()
    assert (latest.reminders_consent, latest.history_user) == (False, reception)
