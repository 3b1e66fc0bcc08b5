"""The date drill-down offers the years and months between a list's first and last dates
without reading every row."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.drilldown import range_drilldown
from messaging.models import Message
from tests.factories import MessageFactory, PatientFactory

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 12))


def messages_due(*moments: dt.datetime) -> None:
    patient = PatientFactory()
    for moment in moments:
        MessageFactory(patient=patient, due_at=moment)


def test_years_run_from_the_first_to_the_last_date():
    messages_due(at(2024, 3), at(2026, 11))

    years = range_drilldown(Message.objects.all()).datetimes("due_at", "year")

    assert [d.year for d in years] == [2024, 2025, 2026]


def test_months_of_a_year_run_from_its_first_to_its_last_date():
    messages_due(at(2025, 3), at(2025, 7))

    months = range_drilldown(Message.objects.filter(due_at__year=2025)).datetimes(
        "due_at", "month"
    )

    assert [(d.year, d.month) for d in months] == [(2025, m) for m in range(3, 8)]


def test_days_are_still_read_from_the_rows():
    messages_due(at(2025, 3, 4), at(2025, 3, 20))

    days = range_drilldown(Message.objects.all()).datetimes("due_at", "day")

    assert [d.day for d in days] == [4, 20]


def test_an_empty_list_offers_no_year():
    assert list(range_drilldown(Message.objects.all()).datetimes("due_at", "year")) == []


def test_the_message_list_reads_no_distinct_years(admin_client):
    messages_due(at(2024, 3), at(2026, 11))
    admin_client.get(reverse("admin:messaging_message_changelist"))

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(reverse("admin:messaging_message_changelist")).text

    assert "2025" in page
    assert not any("DISTINCT" in q["sql"] and "due_at" in q["sql"] for q in queries)
