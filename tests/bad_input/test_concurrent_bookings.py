"""Two staff booking one therapist's slot at the same moment: exactly one wins, and the
other is told who took it (docs/clinic-rules.md, "The diary")."""

import datetime as dt
import importlib
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from clinic.timeutils import clinic_date, clinic_day_label
from courses import services
from courses.models import Visit
from courses.services import writes
from tests.bad_input.conftest import at_once, postgresql_only, tried
from tests.factories import CourseFactory, PatientFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only("bookings"),
]

no_overlap = importlib.import_module("courses.migrations.0006_therapist_no_overlap")


def _rivals(therapist) -> list[Visit]:
    slot = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(17)))
    slot += dt.timedelta(days=2)
    return [
        Visit(
            course=CourseFactory(therapist=therapist, patient=PatientFactory(first_name=name)),
            sequence=1,
            scheduled_at=slot,
        )
        for name in ("Mia", "Leo")
    ]


def _book_at_once(visits: list[Visit]) -> list[BaseException | None]:
    outcomes = at_once([partial(services.visit_save, visit=visit) for visit in visits])
    return [outcome if isinstance(outcome, BaseException) else None for outcome in outcomes]


@pytest.mark.parametrize("round_", range(5))
def test_two_bookings_of_one_slot_at_once_leave_exactly_one(round_):
    tried("concurrent bookings of one slot")
    therapist = UserFactory(first_name="Anna", last_name="Kowalska")

    outcomes = _book_at_once(_rivals(therapist))

    failures = [outcome for outcome in outcomes if outcome is not None]
    assert len(failures) == 1, outcomes
    assert isinstance(failures[0], ValidationError)
    assert "Anna Kowalska already sees" in failures[0].messages[0]
    assert Visit.objects.filter(therapist=therapist).count() == 1


def test_the_database_refuses_a_clash_that_slipped_past_the_check(monkeypatch):
    """Both staff checked before either saved: the exclusion constraint decides, and the
    loser hears which booking won, not a database error."""
    therapist = UserFactory(first_name="Anna", last_name="Kowalska")
    first, second = _rivals(therapist)
    services.visit_save(visit=first)
    monkeypatch.setattr(writes, "visits_booking_errors", lambda **kwargs: [])

    with pytest.raises(ValidationError) as caught:
        services.visit_save(visit=second)

    assert caught.value.messages == [
        f"Session 1: Anna Kowalska already sees Mia {first.course.patient.last_name} "
        f"17:00-18:00 on {clinic_day_label(clinic_date(second.scheduled_at))}."
    ]
    assert Visit.objects.count() == 1


def test_the_constraint_migration_names_the_bookings_that_already_overlap():
    therapist = UserFactory()
    first, second = _rivals(therapist)
    with connection.schema_editor() as editor:
        no_overlap.drop_constraint(None, editor)
    try:
        for visit in (first, second):
            Visit.objects.create(course=visit.course, sequence=1, scheduled_at=visit.scheduled_at)
        with (
            pytest.raises(RuntimeError, match="book one therapist twice") as caught,
            connection.schema_editor() as editor,
        ):
            no_overlap.add_constraint(None, editor)
        ids = sorted(Visit.objects.values_list("pk", flat=True))
        assert f"visits {ids[0]} and {ids[1]}" in str(caught.value)
    finally:
        Visit.objects.all().delete()
        with connection.schema_editor() as editor:
            no_overlap.add_constraint(None, editor)
