import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses import services
from courses.models import Course, Visit
from tests.factories import CourseFactory, PatientContraindicationFactory, VisitFactory

pytestmark = pytest.mark.django_db


def test_visit_cannot_be_marked_done_while_contraindication_is_active():
    course = CourseFactory()
    PatientContraindicationFactory(patient=course.patient)
    visit = VisitFactory.build(course=course, sequence=1, done=True)

    with pytest.raises(ValidationError, match="Fever of any cause"):
        services.visit_save(visit=visit)

    assert not Visit.objects.exists()


def test_last_planned_visit_done_completes_the_course():
    course = CourseFactory(planned_sessions=10)
    for n in range(1, 10):
        VisitFactory(course=course, sequence=n, done=True)
    last = VisitFactory.build(course=course, sequence=10, done=True)

    services.visit_save(visit=last)

    course.refresh_from_db()
    assert course.status == Course.Status.COMPLETED
    assert course.end_date == timezone.localdate(last.performed_at)


def test_visit_cannot_be_marked_done_in_the_future():
    course = CourseFactory()
    visit = VisitFactory.build(
        course=course, sequence=1, done=True, scheduled_at=timezone.now() + dt.timedelta(hours=2)
    )
    with pytest.raises(ValidationError, match="in the future"):
        services.visit_save(visit=visit)
