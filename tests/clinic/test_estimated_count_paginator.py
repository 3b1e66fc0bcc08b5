"""Big unfiltered admin lists are counted from the planner's estimate, the rest exactly."""

import pytest
from django.db import connection

from clinic.paginators import EstimatedCountPaginator, estimated_row_count
from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the estimate is PostgreSQL's pg_class"
)


class LowThresholdPaginator(EstimatedCountPaginator):
    estimate_above_rows = 2


def analyse_patients() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Patient._meta.db_table)}")


@on_postgresql
def test_unfiltered_big_table_is_counted_from_the_planners_estimate():
    PatientFactory.create_batch(4)
    analyse_patients()
    PatientFactory.create_batch(2)  # not yet seen by ANALYZE: the estimate lags

    paginator = LowThresholdPaginator(Patient.objects.all(), per_page=10)

    assert paginator.count == 4
    assert paginator.is_estimated


@on_postgresql
def test_filtered_list_is_counted_exactly():
    PatientFactory.create_batch(4)
    analyse_patients()
    PatientFactory.create_batch(2)

    paginator = LowThresholdPaginator(Patient.objects.filter(id__gt=0), per_page=10)

    assert paginator.count == 6
    assert not paginator.is_estimated


@on_postgresql
def test_table_under_the_threshold_is_counted_exactly():
    PatientFactory.create_batch(4)
    analyse_patients()
    PatientFactory.create_batch(2)

    paginator = EstimatedCountPaginator(Patient.objects.all(), per_page=10)

    assert paginator.count == 6
    assert not paginator.is_estimated


@on_postgresql
def test_last_page_of_an_estimate_shows_a_whole_page_of_rows():
    PatientFactory.create_batch(4)
    analyse_patients()
    PatientFactory.create_batch(2)

    page = LowThresholdPaginator(Patient.objects.all(), per_page=5).page(1)

    assert len(page.object_list) == 5


def test_sqlite_and_filtered_querysets_have_no_estimate():
    PatientFactory.create_batch(2)

    assert estimated_row_count(Patient.objects.filter(id__gt=0)) is None
    if connection.vendor != "postgresql":
        assert estimated_row_count(Patient.objects.all()) is None
        assert EstimatedCountPaginator(Patient.objects.all(), per_page=10).count == 2
