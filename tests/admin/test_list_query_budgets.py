"""The patient and message lists, with each filter, search and sortable column, and the
patient's page, stay within the page budget of 15 queries however many rows they hold."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.roles import MANAGER
from messaging.admin import MessageAdmin
from messaging.models import Message
from patients.admin import PatientAdmin
from tests.factories import (
    CourseFactory,
    MessageFactory,
    PatientContraindicationFactory,
    PatientFactory,
    contraindication,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 15
CODES = ["fever", "hypertension", "moles-warts-birthmarks"]
STATUSES = ["pending", "sent", "failed", "uncertain", "cancelled"]


def make_rows(count: int) -> None:
    """Patients with a course, a contraindication and messages in several statuses."""
    offset = Message.objects.count()
    for i in range(offset, offset + count):
        patient = PatientFactory(last_name=f"Row{i}")
        course = CourseFactory(patient=patient)
        PatientContraindicationFactory(
            patient=patient, contraindication=contraindication(CODES[i % 3])
        )
        MessageFactory(
            kind=Message.Kind.REPEAT_COURSE_REMINDER,
            patient=patient,
            course=course,
            due_at=timezone.now() + dt.timedelta(days=i - 30),
            status=STATUSES[i % len(STATUSES)],
        )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PATIENT_LIST = "admin:patients_patient_changelist"
PATIENT_QUERIES = [
    "",
    "?reminders_consent__exact=1",
    "?preferred_channel__exact=email",
    "?contraindicated=blocking",
    "?contraindicated=local",
    "?contraindicated=none",
    "?q=Row1",
    "?q=020+7946+0001",
    *[f"?o={n}" for n in range(2, len(PatientAdmin.list_display) + 1)],
    *[f"?o=-{n}" for n in range(2, len(PatientAdmin.list_display) + 1)],
]
MESSAGE_LIST = "admin:messaging_message_changelist"
MESSAGE_QUERIES = [
    "",
    "?attention=stuck",
    "?attention=uncertain",
    "?kind__exact=repeat_course_reminder",
    *[f"?status__exact={status}" for status in STATUSES],
    "?q=Row1",
    f"?due_at__year={timezone.now().year}",
    *[f"?o={MessageAdmin.list_display.index(name) + 1}" for name in MessageAdmin.sortable_by],
    *[f"?o=-{MessageAdmin.list_display.index(name) + 1}" for name in MessageAdmin.sortable_by],
]


@pytest.fixture
def manager_client(client):
    client.force_login(staff_with_role(MANAGER))
    return client


@pytest.mark.parametrize(
    "url",
    [
        *[(PATIENT_LIST, query) for query in PATIENT_QUERIES],
        *[(MESSAGE_LIST, query) for query in MESSAGE_QUERIES],
    ],
    ids=lambda url: f"{url[0].split(':')[1]}{url[1]}",
)
def test_a_list_keeps_its_query_budget_with_5_rows_or_60(manager_client, url):
    address = reverse(url[0]) + url[1]
    make_rows(5)
    manager_client.get(address)  # the session and caches settle
    with_5 = queries_for(manager_client, address)

    make_rows(55)
    with_60 = queries_for(manager_client, address)

    assert with_60 == with_5
    assert with_60 <= QUERY_BUDGET


def test_the_patient_page_keeps_its_query_budget(manager_client):
    make_rows(3)
    patient = PatientFactory()
    for region in ["cervical", "thoracic", "lumbar"]:
        CourseFactory(patient=patient, region=region)
    for code in CODES:
        PatientContraindicationFactory(patient=patient, contraindication=contraindication(code))
    address = reverse("admin:patients_patient_change", args=[patient.pk])
    manager_client.get(address)

    assert queries_for(manager_client, address) <= QUERY_BUDGET


def test_the_message_list_sorts_only_by_columns_an_index_walks():
    assert set(MessageAdmin.sortable_by) == {"id", "due_at", "status"}
