import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from courses.forms import VisitForm
from courses.models import Visit
from tests.factories import CourseFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("value", [0, 10])
def test_pain_scores_from_0_to_10_are_accepted(field, value):
    visit = VisitFactory(sequence=1, done=True, **{field: value})

    visit.full_clean()


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
def test_a_pain_score_above_10_is_refused_by_the_model(field):
    visit = VisitFactory(sequence=1, done=True)
    setattr(visit, field, 11)

    with pytest.raises(ValidationError) as caught:
        visit.full_clean()

    assert field in caught.value.message_dict


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
def test_a_negative_pain_score_is_refused_by_the_model(field):
    visit = VisitFactory(sequence=1, done=True)
    setattr(visit, field, -1)

    with pytest.raises(ValidationError) as caught:
        visit.full_clean()

    assert field in caught.value.message_dict


def form_data(visit: Visit, **changes) -> dict:
    data = {
        "course": visit.course_id,
        "sequence": visit.sequence,
        "scheduled_at": visit.scheduled_at.isoformat(),
        "status": Visit.Status.DONE,
        "performed_at": visit.scheduled_at.isoformat(),
        "pain_before": "6",
        "pain_after": "4",
        "therapist": visit.therapist_id,
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11", "less than or equal to 10"),
        ("-1", "greater than or equal to 0"),
        ("5.5", "whole number"),
        ("a lot", "whole number"),
    ],
)
def test_the_visit_form_refuses_a_pain_score_that_is_not_a_whole_number_from_0_to_10(
    value, message
):
    visit = VisitFactory.build(course=CourseFactory(), sequence=1)

    form = VisitForm(data=form_data(visit, pain_after=value))

    assert not form.is_valid()
    assert message in " ".join(form.errors["pain_after"])


def test_the_visit_form_accepts_whole_pain_scores():
    visit = VisitFactory.build(course=CourseFactory(), sequence=1)

    form = VisitForm(data=form_data(visit, pain_before="10", pain_after="0"))

    assert form.is_valid(), form.errors


@pytest.mark.parametrize("field", ["pain_before", "pain_after"])
@pytest.mark.parametrize("value", [11, -1])
def test_the_database_refuses_a_pain_score_outside_0_to_10(field, value):
    visit = VisitFactory(sequence=1, done=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(**{field: value})
