"""Planned sessions out of range, very long and unusual text, duplicate submissions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from courses import services as course_services
from courses.forms import CourseForm
from courses.models import Course, CourseKind, Visit
from patients import services as patient_services
from patients.models import Patient, PatientContraindication
from tests.bad_input.conftest import rolled_back, tried
from tests.factories import (
    CourseFactory,
    PatientContraindicationFactory,
    PatientFactory,
    UserFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

RANGES = {CourseKind.THERAPEUTIC: (10, 15), CourseKind.PREVENTIVE: (5, 7)}


@given(kind=st.sampled_from(CourseKind.values), planned=st.integers())
def test_planned_sessions_outside_the_kinds_range_are_refused(kind, planned):
    tried("planned sessions, any integer")
    low, high = RANGES[kind]
    with rolled_back():
        course = CourseFactory.build(
            patient=PatientFactory(), therapist=UserFactory(), kind=kind, planned_sessions=planned
        )
        if low <= planned <= high:
            course_services.course_save(course=course)
            assert Course.objects.get().planned_sessions == planned
        else:
            with pytest.raises(ValidationError) as error:
                course_services.course_save(course=course)
            assert "planned_sessions" in error.value.message_dict
            assert not Course.objects.exists()


@given(planned=st.text(min_size=1).filter(lambda s: not s.strip().isdigit()))
def test_the_course_form_names_the_field_of_non_numeric_planned_sessions(planned):
    tried("planned sessions, not a number (form)")
    with rolled_back():
        patient, therapist = PatientFactory(), UserFactory()
        form = CourseForm(
            data={
                "patient": patient.pk,
                "kind": CourseKind.THERAPEUTIC,
                "region": "lumbar",
                "massage_kind": "classic",
                "planned_sessions": planned,
                "visits_per_week": 2,
                "therapist": therapist.pk,
                "start_date": "2026-01-05",
                "status": Course.Status.PLANNED,
            }
        )
        assert not form.is_valid()
        assert "planned_sessions" in form.errors
        assert not Course.objects.exists()


# Names as people type them, and as pasted text arrives: every script, emoji, combining
# marks, right-to-left text; no control characters (the form refuses NUL, below).
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=150
).filter(lambda s: s.strip())


def _patient_form_data(first_name: str, notes: str = "") -> dict:
    data = {
        "first_name": first_name,
        "last_name": "Okafor",
        "date_of_birth": "1970-05-17",
        "phone": "020 7946 0123",
        "email": "",
        "preferred_channel": "phone",
        "notes": notes,
    }
    for prefix in ("contraindications", "consent_changes", "courses", "data_rights_events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


@given(first_name=names, notes=st.text(max_size=5000))
def test_any_unicode_name_is_kept_exactly_or_refused_for_its_length(
    admin_client, first_name, notes
):
    tried("unicode names and long notes (admin)")
    with rolled_back():
        response = admin_client.post(
            reverse("admin:patients_patient_add"), _patient_form_data(first_name, notes)
        )
        cleaned = first_name.strip()
        if "\x00" in notes or len(cleaned) > 100:
            assert response.status_code == 200
            assert response.context["adminform"].form.errors
            assert not Patient.objects.exists()
        else:
            assert response.status_code == 302
            assert Patient.objects.get().first_name == cleaned


@given(text=st.text(min_size=1, max_size=20).map(lambda s: s + "\x00"))
def test_a_null_character_in_a_name_is_refused_by_the_form(admin_client, text):
    tried("null characters (admin)")
    with rolled_back():
        response = admin_client.post(
            reverse("admin:patients_patient_add"), _patient_form_data(text)
        )
        assert "Null characters are not allowed" in response.content.decode()
        assert not Patient.objects.exists()


@given(repeat=st.integers(min_value=2, max_value=5))
def test_a_visit_submitted_twice_is_saved_once(repeat):
    tried("duplicate visit submissions")
    with rolled_back():
        course = CourseFactory()
        first = VisitFactory.build(course=course, sequence=1)
        course_services.visit_save(visit=first)
        for _ in range(repeat - 1):
            again = VisitFactory.build(course=course, sequence=1)
            with pytest.raises(ValidationError, match="same number"):
                course_services.visit_save(visit=again)
        assert Visit.objects.count() == 1


def test_a_contraindication_recorded_twice_while_open_is_refused_with_a_reason():
    tried("duplicate contraindication records")
    record = PatientContraindicationFactory()
    again = PatientContraindicationFactory.build(
        patient=record.patient, contraindication=record.contraindication
    )
    with pytest.raises(ValidationError, match="already recorded"):
        patient_services.patient_contraindication_save(record=again)
    assert PatientContraindication.objects.count() == 1


def test_a_second_open_course_for_the_same_region_is_refused_with_a_reason():
    tried("duplicate open courses")
    course = CourseFactory()
    again = CourseFactory.build(
        patient=course.patient, therapist=course.therapist, region=course.region
    )
    with pytest.raises(ValidationError, match="already has an open course"):
        course_services.course_save(course=again)
    assert Course.objects.count() == 1
