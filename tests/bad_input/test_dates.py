"""Dates far in the past or the future get a clear error, never a crash or a save."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from clinic.timeutils import clinic_today
from courses import services as course_services
from courses.models import EARLIEST_COURSE_DATE, PLANNING_HORIZON, Course, Visit
from patients import services as patient_services
from patients.models import EARLIEST_DATE_OF_BIRTH, Patient
from tests.bad_input.conftest import rolled_back, tried
from tests.factories import CourseFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

# Every representable instant, kept a day inside datetime's limits so that converting
# to the clinic's time zone stays representable.
any_moment = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.just(dt.UTC)
)


def _far_off(moment: dt.datetime) -> bool:
    earliest = dt.datetime.combine(EARLIEST_COURSE_DATE, dt.time(), tzinfo=dt.UTC)
    return not earliest <= moment <= timezone.now() + PLANNING_HORIZON


@given(born=st.dates().filter(lambda d: not EARLIEST_DATE_OF_BIRTH <= d <= clinic_today()))
def test_a_date_of_birth_before_1900_or_in_the_future_is_refused(born):
    tried("date of birth out of range")
    with rolled_back():
        patient = PatientFactory.build(date_of_birth=born)
        with pytest.raises(ValidationError) as error:
            patient_services.patient_save(patient=patient)
        assert "date_of_birth" in error.value.message_dict
        assert not Patient.objects.exists()


@given(when=any_moment.filter(_far_off))
def test_a_visit_booked_far_in_the_past_or_future_is_refused(when):
    tried("visit booked far in the past or future")
    with rolled_back():
        course = CourseFactory()
        with pytest.raises(ValidationError, match="two years from now"):
            course_services.visit_save(visit=Visit(course=course, sequence=1, scheduled_at=when))
        assert not Visit.objects.exists()


@given(performed=any_moment.filter(lambda m: m > timezone.now()))
def test_a_visit_cannot_be_marked_done_at_any_future_moment(performed):
    tried("visit done in the future")
    with rolled_back():
        course = CourseFactory(start_date=EARLIEST_COURSE_DATE)
        visit = Visit(
            course=course,
            sequence=1,
            scheduled_at=timezone.now(),
            status=Visit.Status.DONE,
            performed_at=performed,
            pain_before=4,
            pain_after=2,
        )
        with pytest.raises(ValidationError) as error:
            course_services.visit_save(visit=visit)
        assert "performed_at" in error.value.message_dict
        assert not Visit.objects.exists()
        assert Course.objects.get().status == Course.Status.ACTIVE


@given(start=st.dates())
def test_a_course_starts_within_the_planning_window_or_is_refused(start):
    tried("course start date")
    inside = EARLIEST_COURSE_DATE <= start <= clinic_today() + PLANNING_HORIZON
    with rolled_back():
        course = CourseFactory.build(
            patient=PatientFactory(), therapist=UserFactory(), start_date=start
        )
        if inside:
            course_services.course_save(course=course)
            assert Course.objects.get().start_date == start
        else:
            with pytest.raises(ValidationError) as error:
                course_services.course_save(course=course)
            assert "start_date" in error.value.message_dict
            assert not Course.objects.exists()
