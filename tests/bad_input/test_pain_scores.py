"""Pain scores outside 0-10, or not whole numbers, are refused and nothing is saved."""

import datetime as dt
import math
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from courses import services
from courses.forms import VisitForm
from courses.models import Course, Visit
from tests.bad_input.conftest import rolled_back, tried
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db

out_of_range = st.integers().filter(lambda n: not 0 <= n <= 10)


def _reads_as_whole_number(text: str) -> bool:
    # What Django's IntegerField accepts: "7", " 7 ", "7.0", and digits of any script.
    try:
        int(re.sub(r"\.0*$", "", text.strip()))
    except ValueError:
        return False
    return True


not_whole_numbers = st.one_of(
    st.floats().filter(lambda f: not (math.isfinite(f) and f == int(f))).map(repr),
    st.text(min_size=1).filter(lambda s: s.strip() and not _reads_as_whole_number(s)),
)


@pytest.fixture
def course(db) -> Course:
    return CourseFactory(planned_sessions=10, status=Course.Status.ACTIVE)


def _done_visit(course: Course, **values) -> Visit:
    performed = timezone.now() - dt.timedelta(hours=1)
    return Visit(
        course=course,
        sequence=1,
        scheduled_at=performed,
        performed_at=performed,
        status=Visit.Status.DONE,
        **values,
    )


@given(before=out_of_range, after=st.integers(0, 10))
def test_a_pain_score_outside_0_to_10_is_refused_by_the_service(course, before, after):
    tried("pain score out of range (service)")
    with rolled_back():
        with pytest.raises(ValidationError) as error:
            services.visit_save(visit=_done_visit(course, pain_before=before, pain_after=after))
        assert "pain_before" in error.value.message_dict
        assert not Visit.objects.exists()
        assert Course.objects.get().status == Course.Status.ACTIVE


@given(before=st.integers(0, 10), after=st.integers(0, 10))
def test_every_pain_score_from_0_to_10_is_accepted(course, before, after):
    tried("pain score in range (service)")
    with rolled_back():
        services.visit_save(visit=_done_visit(course, pain_before=before, pain_after=after))
        assert Visit.objects.get().pain_change == after - before


def _form_data(course: Course, **values) -> dict:
    when = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    return {
        "course": course.pk,
        "sequence": 1,
        "scheduled_at": when,
        "performed_at": when,
        "status": Visit.Status.DONE,
        "therapist": course.therapist_id,
        "pain_before": 5,
        "pain_after": 3,
        **values,
    }


@given(value=st.one_of(out_of_range.map(str), not_whole_numbers))
def test_the_visit_form_names_the_field_of_a_bad_pain_score(course, value):
    tried("pain score not 0-10 or not a number (form)")
    with rolled_back():
        form = VisitForm(data=_form_data(course, pain_after=value))
        assert not form.is_valid()
        assert form.errors["pain_after"]
        assert not Visit.objects.exists()
