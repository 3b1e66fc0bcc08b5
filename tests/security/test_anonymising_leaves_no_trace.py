"""Anonymising leaves the patient's name, e-mail and phone in no column of any table."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse

from courses import services as course_services
from courses.models import Course
from messaging import services as messaging
from messaging.models import Message
from patients import services
from patients.models import Patient
from tests.admin.course_page import course_page_data, visit_row
from tests.admin.patient_page import patient_page_data
from tests.factories import MessageFactory, PatientContraindicationFactory, VisitFactory

pytestmark = pytest.mark.django_db

FIRST, LAST, EARLIER_LAST = "Zenobia", "Marchetti-Okonkwo", "Quartermaine"
EMAIL, PHONE = "zenobia.mo@example.test", "020 7946 0555"
# What a search must not find: the name as shown, each part of it, the name she had
# before, the address and the number as stored (E.164) and as typed.
TRACES = [f"{FIRST} {LAST}", FIRST, LAST, EARLIER_LAST, EMAIL, "2079460555", "7946 0555"]


def _text_columns() -> list[tuple[str, str]]:
    """Every column of every table, as (table, column)."""
    with connection.cursor() as cursor:
        return [
            (table, column.name)
            for table in connection.introspection.table_names(cursor)
            for column in connection.introspection.get_table_description(cursor, table)
        ]


def _where(trace: str) -> list[str]:
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            # Every column read as text, so nothing escapes by its type.
            cursor.execute(
                f"SELECT COUNT(*) FROM {quote(table)} "
                f"WHERE LOWER(CAST({quote(column)} AS TEXT)) LIKE %s",
                [f"%{trace.lower()}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    return found


def _patient_with_a_past(manager_client, manager) -> Patient:
    """Registered and renamed on the admin's pages, a course whose visits were changed
    and deleted there, messages (one bounced), an answer naming her, a contraindication."""
    add = reverse("admin:patients_patient_add")
    manager_client.post(
        add,
        patient_page_data(first_name=FIRST, last_name=EARLIER_LAST, email=EMAIL, phone=PHONE),
    )
    patient = Patient.objects.get(email=EMAIL)
    manager_client.post(
        reverse("admin:patients_patient_change", args=[patient.pk]),
        patient_page_data(first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE),
    )
    patient.refresh_from_db()
    assert patient.last_name == LAST
    PatientContraindicationFactory(patient=patient, notes=f"{FIRST} says it is better")
    done = VisitFactory(course__patient=patient, course__therapist=manager, done=True)
    course = done.course
    booked = VisitFactory(course=course)
    manager_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        course_page_data(
            course,
            [visit_row(done, notes=f"{FIRST} slept badly"), visit_row(booked, DELETE=True)],
            initial=2,
        ),
    )
    check_in = MessageFactory(
        kind=Message.Kind.POST_VISIT_CHECK_IN, course=course, visit=done, status="sent"
    )
    MessageFactory(
        kind=Message.Kind.VISIT_REMINDER,
        course=course,
        visit=done,
        status=Message.Status.FAILED,
        last_error=f"550 5.1.1 <{EMAIL}>: mailbox unavailable",
    )
    messaging.feedback_submit(message=check_in, pain=7, comment=f"{FIRST} {LAST} here, worse")
    course_services.course_complete_early(course=course)
    return patient


def test_the_old_name_e_mail_and_phone_are_in_no_column_of_any_table(manager_client, manager):
    patient = _patient_with_a_past(manager_client, manager)
    entries = LogEntry.objects.all()
    # The admin's log holds her name on the patient, the course and the visits.
    assert {entry.content_type.model for entry in entries if LAST in entry.object_repr} >= {
        "patient",
        "course",
    }
    assert any(LAST in entry.change_message for entry in entries)
    assert _where(LAST) and _where(EMAIL) and _where(EARLIER_LAST)

    services.patient_anonymise(patient=patient, by=manager)

    assert {trace: _where(trace) for trace in TRACES} == {trace: [] for trace in TRACES}


def test_the_home_pages_recent_actions_no_longer_name_her(manager_client, manager):
    patient = _patient_with_a_past(manager_client, manager)

    services.patient_anonymise(patient=patient, by=manager)

    # A new sign-in, without the pages' "changed successfully" notes still queued.
    client = Client()
    client.force_login(manager)
    home = client.get(reverse("admin:index")).content.decode()
    assert LAST not in home and FIRST not in home
    assert f"Anonymised {patient.pk}" in home
    assert Course.objects.filter(patient=patient).exists()


def test_a_namesakes_entries_in_the_admins_log_keep_their_name(manager_client, manager):
    patient = _patient_with_a_past(manager_client, manager)
    namesake = services.patient_save(
        patient=Patient(
            first_name=FIRST,
            last_name=LAST,
            date_of_birth=patient.date_of_birth,
            email="another.zenobia@example.test",
        ),
        by=manager,
        confirmed_different_person=True,
    )
    LogEntry.objects.log_actions(
        user_id=manager.pk, queryset=[namesake], action_flag=CHANGE, change_message="[]"
    )

    services.patient_anonymise(patient=patient, by=manager)

    assert LogEntry.objects.get(
        object_id=str(namesake.pk), content_type__model="patient"
    ).object_repr == (f"{FIRST} {LAST}")
