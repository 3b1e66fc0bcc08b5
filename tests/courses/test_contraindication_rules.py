import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Course
from patients.models import PatientContraindication
from patients.services import patient_contraindication_save
from tests.factories import (
    CourseFactory,
    PatientContraindicationFactory,
    PatientFactory,
    VisitFactory,
    contraindication,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "name"),
    [("influenza-cold", "Influenza or a cold"), ("malignant-neoplasm", "Malignant neoplasm")],
)
def test_a_course_cannot_start_while_a_blocking_contraindication_is_unresolved(code, name):
    course = CourseFactory(status=Course.Status.PLANNED)
    PatientContraindicationFactory(patient=course.patient, contraindication=contraindication(code))

    with pytest.raises(ValidationError, match=f"The course cannot start.*{name}"):
        services.course_start(course=course)

    assert Course.objects.get(pk=course.pk).status == Course.Status.PLANNED


def test_a_course_cannot_be_created_already_active_while_a_contraindication_blocks_it():
    patient = PatientFactory()
    PatientContraindicationFactory(patient=patient)
    course = CourseFactory.build(patient=patient, therapist=CourseFactory().therapist)

    with pytest.raises(ValidationError, match="Fever of any cause"):
        services.course_save(course=course)


def test_the_message_names_every_blocking_contraindication_and_when_it_was_noted():
    course = CourseFactory(status=Course.Status.PLANNED)
    fever = PatientContraindicationFactory(patient=course.patient)
    PatientContraindicationFactory(
        patient=course.patient, contraindication=contraindication("angina")
    )

    with pytest.raises(ValidationError) as caught:
        services.course_start(course=course)

    message = " ".join(caught.value.messages)
    assert "unresolved contraindications" in message
    assert f"Fever of any cause (noted {fever.noted_on:%d/%m/%Y})" in message
    assert "Angina" in message


def test_a_resolved_contraindication_no_longer_blocks_the_start():
    course = CourseFactory(status=Course.Status.PLANNED)
    PatientContraindicationFactory(patient=course.patient, resolved_on=timezone.localdate())

    services.course_start(course=course)

    assert Course.objects.get(pk=course.pk).status == Course.Status.ACTIVE


def test_a_local_contraindication_does_not_block_the_start():
    course = CourseFactory(status=Course.Status.PLANNED)
    PatientContraindicationFactory(
        patient=course.patient, contraindication=contraindication("skin-lesion-in-area")
    )

    services.course_start(course=course)

    assert Course.objects.get(pk=course.pk).status == Course.Status.ACTIVE


def test_the_start_action_tells_staff_why_a_course_is_blocked(admin_client):
    course = CourseFactory(status=Course.Status.PLANNED)
    PatientContraindicationFactory(patient=course.patient)

    response = admin_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "start_courses", "_selected_action": [course.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "The course cannot start" in page
    assert "Fever of any cause" in page
    assert "Courses started" not in page
    assert Course.objects.get(pk=course.pk).status == Course.Status.PLANNED


def local_record(patient) -> PatientContraindication:
    return PatientContraindicationFactory(
        patient=patient,
        contraindication=contraindication("moles-warts-birthmarks"),
        area="left shoulder blade",
    )


def test_a_local_contraindication_is_shown_on_the_course_page(admin_client):
    course = CourseFactory()
    local_record(course.patient)

    response = admin_client.get(reverse("admin:courses_course_change", args=[course.pk]))

    page = response.content.decode()
    assert "contraindication-local" in page
    assert "Large moles, warts or birthmarks in the area" in page
    assert "left shoulder blade" in page


def test_a_local_contraindication_is_shown_on_the_visit_page(admin_client):
    visit = VisitFactory()
    local_record(visit.course.patient)

    response = admin_client.get(reverse("admin:courses_visit_change", args=[visit.pk]))

    page = response.content.decode()
    assert "contraindication-local" in page
    assert "left shoulder blade" in page


def test_a_contraindication_cannot_be_resolved_before_it_was_noted():
    record = PatientContraindicationFactory.build(
        patient=PatientFactory(),
        contraindication=contraindication("fever"),
        noted_on=timezone.localdate() - dt.timedelta(days=2),
        resolved_on=timezone.localdate() - dt.timedelta(days=3),
    )

    with pytest.raises(ValidationError, match="cannot be resolved before it was noted"):
        patient_contraindication_save(record=record)


def test_the_database_refuses_a_contraindication_resolved_before_it_was_noted():
    record = PatientContraindicationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PatientContraindication.objects.filter(pk=record.pk).update(
            resolved_on=record.noted_on - dt.timedelta(days=1)
        )


def test_a_contraindication_cannot_be_noted_in_the_future():
    record = PatientContraindicationFactory.build(
        patient=PatientFactory(),
        contraindication=contraindication("fever"),
        noted_on=timezone.localdate() + dt.timedelta(days=1),
    )

    with pytest.raises(ValidationError, match="cannot be noted in the future"):
        patient_contraindication_save(record=record)


def test_the_same_contraindication_cannot_be_open_twice_for_a_patient():
    first = PatientContraindicationFactory()
    second = PatientContraindicationFactory.build(
        patient=first.patient, contraindication=first.contraindication, noted_on=first.noted_on
    )

    with pytest.raises(ValidationError, match="already recorded for the patient"):
        patient_contraindication_save(record=second)


def test_the_catalogue_holds_the_whole_domain_list_in_its_three_kinds():
    from patients.models import Contraindication

    kinds = set(Contraindication.objects.values_list("kind", flat=True))
    assert kinds == {"absolute", "temporary", "local"}
    assert Contraindication.objects.count() >= 28
