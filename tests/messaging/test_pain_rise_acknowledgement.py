"""A reported rise in pain flags its course until a therapist acknowledges it; who
acknowledged it, and when, is kept on the answer and in its history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from courses.models import Course
from messaging import services
from messaging.models import Feedback, Message
from tests.factories import MessageFactory, staff_with_role

pytestmark = pytest.mark.django_db


def is_flagged(course: Course) -> bool:
    return Course.objects.get(pk=course.pk).pain_flagged


@pytest.fixture
def therapist_staff(db):
    return staff_with_role(THERAPIST, username="therapist-role", first_name="Anna")


def test_acknowledging_the_rise_takes_the_flag_off_the_course(pain_rise, therapist_staff):
    assert is_flagged(pain_rise.course)

    services.feedback_acknowledge(feedback=[pain_rise], by=therapist_staff)

    assert not is_flagged(pain_rise.course)
    assert not Feedback.objects.unacknowledged_rises().exists()


def test_the_answer_records_who_acknowledged_it_and_when(pain_rise, therapist_staff):
    when = timezone.now() - dt.timedelta(minutes=5)

    services.feedback_acknowledge(feedback=[pain_rise], by=therapist_staff, now=when)

    pain_rise.refresh_from_db()
    assert (pain_rise.acknowledged_at, pain_rise.acknowledged_by) == (when, therapist_staff)
    assert pain_rise.acknowledgement().startswith(f"by Anna {therapist_staff.last_name}, ")


def test_the_history_of_the_answer_records_who_acknowledged_it(pain_rise, therapist_staff):
    services.feedback_acknowledge(feedback=[pain_rise], by=therapist_staff)

    latest = pain_rise.history.latest()
    assert (latest.history_type, latest.history_user) == ("~", therapist_staff)
    changes = latest.diff_against(latest.prev_record).changed_fields
    assert sorted(changes) == ["acknowledged_at", "acknowledged_by"]


def test_a_new_rise_on_the_course_flags_it_again(pain_rise, therapist_staff):
    services.feedback_acknowledge(feedback=[pain_rise], by=therapist_staff)
    follow_up = MessageFactory(course=pain_rise.course, status=Message.Status.SENT)

    services.feedback_submit(message=follow_up, pain=7)

    assert is_flagged(pain_rise.course)


def test_an_answer_without_a_rise_leaves_the_course_unflagged(check_in):
    services.feedback_submit(message=check_in, pain=5)

    assert not is_flagged(check_in.course)


def test_a_manager_may_acknowledge_a_rise(pain_rise):
    services.feedback_acknowledge(feedback=[pain_rise], by=staff_with_role(MANAGER))

    assert not is_flagged(pain_rise.course)


def test_reception_may_not_acknowledge_a_rise(pain_rise):
    with pytest.raises(PermissionDenied, match="Only therapists and managers"):
        services.feedback_acknowledge(feedback=[pain_rise], by=staff_with_role(RECEPTION))

    pain_rise.refresh_from_db()
    assert pain_rise.acknowledged_at is None
    assert is_flagged(pain_rise.course)


def test_an_answer_that_reported_no_rise_cannot_be_acknowledged(check_in, therapist_staff):
    calm = services.feedback_submit(message=check_in, pain=5)

    with pytest.raises(ValidationError, match="reported no rise in pain"):
        services.feedback_acknowledge(feedback=[calm], by=therapist_staff)

    calm.refresh_from_db()
    assert calm.acknowledged_at is None


def test_a_rise_cannot_be_acknowledged_twice(pain_rise, therapist_staff):
    services.feedback_acknowledge(feedback=[pain_rise], by=therapist_staff)
    first = Feedback.objects.get(pk=pain_rise.pk).acknowledged_at

    with pytest.raises(ValidationError, match="was already acknowledged by Anna"):
        services.feedback_acknowledge(feedback=[pain_rise], by=staff_with_role(MANAGER))

    pain_rise.refresh_from_db()
    assert (pain_rise.acknowledged_at, pain_rise.acknowledged_by) == (first, therapist_staff)


def test_one_refused_answer_leaves_the_others_unacknowledged(pain_rise, therapist_staff):
    calm_message = MessageFactory(course=pain_rise.course, status=Message.Status.SENT)
    calm = services.feedback_submit(message=calm_message, pain=3)

    with pytest.raises(ValidationError):
        services.feedback_acknowledge(feedback=[pain_rise, calm], by=therapist_staff)

    assert Feedback.objects.filter(acknowledged_at__isnull=False).count() == 0


def test_acknowledging_nothing_is_refused(therapist_staff):
    with pytest.raises(ValidationError, match="Choose at least one"):
        services.feedback_acknowledge(feedback=[], by=therapist_staff)


def test_the_database_refuses_an_acknowledgement_of_an_answer_without_a_rise(
    check_in, therapist_staff
):
    calm = services.feedback_submit(message=check_in, pain=5)

    with pytest.raises(IntegrityError):
        Feedback.objects.filter(pk=calm.pk).update(
            acknowledged_at=timezone.now(), acknowledged_by=therapist_staff
        )


def test_the_database_refuses_an_acknowledgement_without_its_author(pain_rise):
    with pytest.raises(IntegrityError):
        Feedback.objects.filter(pk=pain_rise.pk).update(acknowledged_at=timezone.now())
