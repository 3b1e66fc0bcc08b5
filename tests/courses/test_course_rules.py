import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from courses import services
from courses.models import Course, CourseKind, SpineRegion
from tests.factories import CourseFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def planned_course(**fields) -> Course:
    defaults = {"status": Course.Status.PLANNED}
    return CourseFactory.build(
        patient=PatientFactory(), therapist=UserFactory(), **{**defaults, **fields}
    )


@pytest.mark.parametrize(
    ("kind", "sessions"),
    [
        (CourseKind.THERAPEUTIC, 10),
        (CourseKind.THERAPEUTIC, 15),
        (CourseKind.PREVENTIVE, 5),
        (CourseKind.PREVENTIVE, 7),
    ],
)
def test_planned_sessions_at_the_edges_of_the_kinds_range_are_accepted(kind, sessions):
    course = services.course_save(course=planned_course(kind=kind, planned_sessions=sessions))

    assert Course.objects.get(pk=course.pk).planned_sessions == sessions


@pytest.mark.parametrize(
    ("kind", "sessions", "message"),
    [
        (CourseKind.THERAPEUTIC, 9, "therapeutic course has 10 to 15 sessions; you entered 9"),
        (CourseKind.THERAPEUTIC, 16, "therapeutic course has 10 to 15 sessions; you entered 16"),
        (CourseKind.PREVENTIVE, 4, "preventive course has 5 to 7 sessions; you entered 4"),
        (CourseKind.PREVENTIVE, 8, "preventive course has 5 to 7 sessions; you entered 8"),
    ],
)
def test_planned_sessions_outside_the_kinds_range_are_refused(kind, sessions, message):
    with pytest.raises(ValidationError, match=message) as caught:
        services.course_save(course=planned_course(kind=kind, planned_sessions=sessions))

    assert "planned_sessions" in caught.value.message_dict
    assert not Course.objects.exists()


@override_settings(CLINIC_THERAPEUTIC_SESSIONS=(8, 12), CLINIC_PREVENTIVE_SESSIONS=(3, 4))
def test_session_ranges_follow_the_settings():
    services.course_save(course=planned_course(kind=CourseKind.THERAPEUTIC, planned_sessions=8))
    services.course_save(
        course=planned_course(
            kind=CourseKind.PREVENTIVE, planned_sessions=3, region=SpineRegion.CERVICAL
        )
    )
    with pytest.raises(ValidationError, match="8 to 12 sessions; you entered 13"):
        services.course_save(
            course=planned_course(kind=CourseKind.THERAPEUTIC, planned_sessions=13)
        )


def test_a_second_open_course_for_the_same_region_is_refused_with_a_clear_message():
    first = CourseFactory(status=Course.Status.ACTIVE, region=SpineRegion.LUMBAR)
    second = CourseFactory.build(
        patient=first.patient,
        therapist=first.therapist,
        region=SpineRegion.LUMBAR,
        status=Course.Status.PLANNED,
    )

    with pytest.raises(ValidationError, match="already has an open course for this spine region"):
        services.course_save(course=second)

    assert Course.objects.count() == 1


def test_the_database_refuses_a_second_open_course_for_the_same_region():
    first = CourseFactory(status=Course.Status.PLANNED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.create(
            patient=first.patient,
            therapist=first.therapist,
            kind=first.kind,
            region=first.region,
            planned_sessions=10,
            start_date=first.start_date,
            status=Course.Status.ACTIVE,
        )


def test_an_open_course_for_another_region_or_after_the_last_one_closed_is_accepted():
    first = CourseFactory(status=Course.Status.ACTIVE, region=SpineRegion.LUMBAR)
    CourseFactory(patient=first.patient, status=Course.Status.CANCELLED, region=SpineRegion.LUMBAR)

    other_region = planned_course(region=SpineRegion.CERVICAL)
    other_region.patient = first.patient
    services.course_save(course=other_region)
    services.course_cancel(course=first)
    again = planned_course(region=SpineRegion.LUMBAR)
    again.patient = first.patient
    services.course_save(course=again)

    assert first.patient.courses.filter(status__in=Course.OPEN_STATUSES).count() == 2


def test_start_date_cannot_move_after_a_booked_visit():
    course = CourseFactory()
    services.course_schedule_visits(
        course=course,
        first_at=timezone.now(),
    )
    course.start_date = course.start_date.replace(year=course.start_date.year + 1)

    with pytest.raises(ValidationError, match="before this start date"):
        services.course_save(course=course)


def test_only_a_planned_course_can_start():
    course = CourseFactory(status=Course.Status.ACTIVE)

    with pytest.raises(ValidationError, match="Only a planned course can start"):
        services.course_start(course=course)


def test_a_planned_course_starts_when_nothing_blocks_it():
    course = CourseFactory(status=Course.Status.PLANNED)

    services.course_start(course=course)

    assert Course.objects.get(pk=course.pk).status == Course.Status.ACTIVE
