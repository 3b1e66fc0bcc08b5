import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from courses import services
from courses.models import Course, MassageKind, Visit
from tests.factories import (
    CourseFactory,
    PatientContraindicationFactory,
    VisitFactory,
    contraindication,
)

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_visit_cannot_be_marked_done_while_contraindication_is_active():
    course = CourseFactory()
    PatientContraindicationFactory(patient=course.patient)
    visit = VisitFactory.build(course=course, sequence=1, done=True)

    with pytest.raises(ValidationError, match="Fever of any cause"):
        services.visit_save(visit=visit)

    assert not Visit.objects.exists()


def test_visit_cannot_be_marked_done_while_an_absolute_contraindication_is_recorded():
    course = CourseFactory()
    PatientContraindicationFactory(
        patient=course.patient, contraindication=contraindication("hypertension")
    )
    visit = VisitFactory.build(course=course, sequence=1, done=True)

    with pytest.raises(ValidationError, match="The visit cannot be marked done.*Hypertension"):
        services.visit_save(visit=visit)


def test_a_visit_can_still_be_booked_while_a_contraindication_is_active():
    course = CourseFactory()
    PatientContraindicationFactory(patient=course.patient)

    services.visit_save(visit=VisitFactory.build(course=course, sequence=1))

    assert course.visits.get().status == Visit.Status.SCHEDULED


def test_a_local_or_resolved_contraindication_does_not_block_a_visit():
    course = CourseFactory()
    PatientContraindicationFactory(
        patient=course.patient, contraindication=contraindication("moles-warts-birthmarks")
    )
    PatientContraindicationFactory(
        patient=course.patient, resolved_on=timezone.localdate() - dt.timedelta(days=1)
    )

    services.visit_save(visit=VisitFactory.build(course=course, sequence=1, done=True))

    assert course.visits.get().status == Visit.Status.DONE


def test_visit_cannot_be_marked_done_in_the_future():
    course = CourseFactory()
    visit = VisitFactory.build(
        course=course, sequence=1, done=True, scheduled_at=timezone.now() + dt.timedelta(hours=2)
    )
    with pytest.raises(ValidationError, match="in the future"):
        services.visit_save(visit=visit)


def test_a_done_visit_needs_both_pain_scores():
    course = CourseFactory()
    visit = VisitFactory.build(
        course=course, sequence=1, status=Visit.Status.DONE, pain_before=None
    )

    with pytest.raises(ValidationError) as caught:
        services.visit_save(visit=visit)

    assert set(caught.value.message_dict) >= {"pain_before", "pain_after"}
    assert not Visit.objects.exists()


def test_visit_cannot_be_booked_before_its_course_starts():
    course = CourseFactory()
    visit = VisitFactory.build(
        course=course, sequence=1, scheduled_at=at(course.start_date - dt.timedelta(days=1))
    )

    with pytest.raises(ValidationError, match="before the course starts"):
        services.visit_save(visit=visit)

    assert not Visit.objects.exists()


def test_visit_cannot_be_marked_done_on_another_day_than_it_is_booked_for():
    course = CourseFactory()
    visit = VisitFactory.build(course=course, sequence=1, done=True)
    visit.performed_at = visit.scheduled_at - dt.timedelta(days=2)

    with pytest.raises(ValidationError, match="it can be marked done on that day only"):
        services.visit_save(visit=visit)


def test_no_more_visits_can_be_done_than_the_course_plans():
    course = CourseFactory(
        planned_sessions=10, start_date=timezone.localdate() - dt.timedelta(days=60)
    )
    for n in range(1, 11):
        VisitFactory(course=course, sequence=n, done=True)
    extra = VisitFactory.build(course=course, sequence=11, done=True)

    with pytest.raises(ValidationError, match="10 planned sessions; 11 would be marked done"):
        services.visit_save(visit=extra)

    assert course.visits.count() == 10


@pytest.mark.parametrize("status", [Course.Status.CANCELLED, Course.Status.COMPLETED])
def test_no_visit_can_be_added_to_a_closed_course(status):
    course = CourseFactory(status=status, end_date=timezone.localdate())

    with pytest.raises(ValidationError, match="its visits can no longer be added or changed"):
        services.visit_save(visit=VisitFactory.build(course=course, sequence=1))

    assert not course.visits.exists()


def test_a_visit_of_a_closed_course_cannot_be_changed():
    course = CourseFactory(status=Course.Status.CANCELLED, end_date=timezone.localdate())
    visit = VisitFactory(course=course, sequence=1, status=Visit.Status.CANCELLED)
    visit.notes = "rebooked"

    with pytest.raises(ValidationError, match="can no longer be added or changed"):
        services.visit_save(visit=visit)


def test_two_sessions_of_a_course_cannot_share_a_number():
    course = CourseFactory()
    VisitFactory(course=course, sequence=1)

    with pytest.raises(ValidationError, match="same number"):
        services.visit_save(visit=VisitFactory.build(course=course, sequence=1))


def test_honey_massage_sessions_closer_than_three_days_are_refused():
    course = CourseFactory(massage_kind=MassageKind.HONEY)
    VisitFactory(course=course, sequence=1, scheduled_at=at(course.start_date))
    too_close = VisitFactory.build(
        course=course, sequence=2, scheduled_at=at(course.start_date + dt.timedelta(days=2))
    )

    with pytest.raises(ValidationError, match="at least 3 days between sessions"):
        services.visit_save(visit=too_close)

    assert course.visits.count() == 1


def test_honey_massage_sessions_three_days_apart_are_accepted():
    course = CourseFactory(massage_kind=MassageKind.HONEY)
    VisitFactory(course=course, sequence=1, scheduled_at=at(course.start_date))

    services.visit_save(
        visit=VisitFactory.build(
            course=course, sequence=2, scheduled_at=at(course.start_date + dt.timedelta(days=3))
        )
    )

    assert course.visits.count() == 2


def test_a_cancelled_honey_session_does_not_count_for_the_spacing():
    course = CourseFactory(massage_kind=MassageKind.HONEY)
    VisitFactory(
        course=course,
        sequence=1,
        scheduled_at=at(course.start_date),
        status=Visit.Status.CANCELLED,
    )

    services.visit_save(
        visit=VisitFactory.build(
            course=course, sequence=2, scheduled_at=at(course.start_date + dt.timedelta(days=1))
        )
    )


def test_other_massage_kinds_may_have_sessions_on_consecutive_days():
    course = CourseFactory(massage_kind=MassageKind.CLASSIC)
    VisitFactory(course=course, sequence=1, scheduled_at=at(course.start_date))

    services.visit_save(
        visit=VisitFactory.build(
            course=course, sequence=2, scheduled_at=at(course.start_date + dt.timedelta(days=1))
        )
    )


@override_settings(CLINIC_HONEY_MIN_DAYS_BETWEEN=5)
def test_honey_spacing_follows_the_setting():
    course = CourseFactory(massage_kind=MassageKind.HONEY)
    VisitFactory(course=course, sequence=1, scheduled_at=at(course.start_date))

    with pytest.raises(ValidationError, match="at least 5 days"):
        services.visit_save(
            visit=VisitFactory.build(
                course=course,
                sequence=2,
                scheduled_at=at(course.start_date + dt.timedelta(days=4)),
            )
        )


@pytest.mark.parametrize("intensity", [Visit.Intensity.MODERATE, Visit.Intensity.INTENSE])
def test_during_an_exacerbation_only_a_sparing_intensity_is_accepted(intensity):
    course = CourseFactory()
    visit = VisitFactory.build(
        course=course, sequence=1, done=True, exacerbation=True, intensity=intensity
    )

    with pytest.raises(ValidationError, match="only a sparing intensity") as caught:
        services.visit_save(visit=visit)

    assert "intensity" in caught.value.message_dict


def test_a_sparing_session_during_an_exacerbation_is_accepted():
    course = CourseFactory()
    visit = VisitFactory.build(
        course=course,
        sequence=1,
        done=True,
        exacerbation=True,
        intensity=Visit.Intensity.SPARING,
    )

    services.visit_save(visit=visit)

    assert course.visits.get().exacerbation


def test_a_failing_visit_in_a_batch_saves_none_of_them_and_leaves_the_course_alone():
    course = CourseFactory(status=Course.Status.PLANNED, planned_sessions=10)
    good = VisitFactory.build(course=course, sequence=1, done=True)
    bad = VisitFactory.build(
        course=course, sequence=2, scheduled_at=at(course.start_date - dt.timedelta(days=3))
    )

    with pytest.raises(ValidationError):
        services.visits_save(course=course, visits=[good, bad])

    assert not Visit.objects.exists()
    assert Course.objects.get(pk=course.pk).status == Course.Status.PLANNED


def test_unknown_techniques_are_refused():
    course = CourseFactory()
    visit = VisitFactory.build(course=course, sequence=1, techniques=["stroking", "cracking"])

    with pytest.raises(ValidationError, match="Choose techniques from the list"):
        services.visit_save(visit=visit)
