"""The role groups hold exactly the permissions their role needs."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from clinic.roles import MANAGER, RECEPTION, THERAPIST, roles_sync

pytestmark = pytest.mark.django_db


def _perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def _all(app: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for codename in Permission.objects.filter(content_type__app_label=app).values_list(
            "codename", flat=True
        )
    }


def test_reception_can_manage_patients_and_book_visits_but_not_log_or_export():
    assert _perms(RECEPTION) == {
        "patients.view_patient",
        "patients.add_patient",
        "patients.change_patient",
        "patients.view_consentchange",
        "patients.view_contraindication",
        "patients.view_patientcontraindication",
        "patients.add_patientcontraindication",
        "patients.change_patientcontraindication",
        "patients.delete_patientcontraindication",
        "courses.view_course",
        "courses.view_visit",
        "courses.add_visit",
        "courses.change_visit",
        "messaging.view_message",
        "messaging.change_message",
        "hours.view_openinghours",
        "hours.view_closedday",
        "hours.view_workinghours",
        "hours.view_timeoff",
    }


def test_therapist_runs_courses_logs_visits_and_exports_them_but_not_patient_data():
    assert _perms(THERAPIST) == {
        "patients.view_patient",
        "patients.view_consentchange",
        "patients.view_contraindication",
        "patients.view_patientcontraindication",
        "patients.add_patientcontraindication",
        "patients.change_patientcontraindication",
        "courses.view_course",
        "courses.add_course",
        "courses.change_course",
        "courses.view_visit",
        "courses.add_visit",
        "courses.change_visit",
        "courses.delete_visit",
        "courses.log_visit",
        "courses.export_course",
        "messaging.view_feedback",
        "messaging.acknowledge_feedback",
        "hours.view_openinghours",
        "hours.view_closedday",
        "hours.view_workinghours",
        "hours.view_timeoff",
    }
    assert "patients.export_patient_data" not in _perms(THERAPIST)
    assert "patients.anonymise_patient" not in _perms(THERAPIST)


def test_manager_has_every_clinic_permission_but_deleting_kept_records_and_can_lift_lockouts():
    axes = {p for p in _all("axes") if p.split(".")[1].startswith("view_")}
    clinic = _all("patients") | _all("courses") | _all("messaging") | _all("hours")
    kept = {
        "patients.delete_consentchange",
        "patients.delete_datarightsevent",
        "messaging.delete_feedback",
        *(p for p in clinic if p.split(".")[1].startswith("delete_historical")),
    }
    assert _perms(MANAGER) == (clinic - kept) | axes | {"axes.delete_accessattempt"}
    assert {
        "courses.export_course",
        "patients.export_patient_data",
        "patients.anonymise_patient",
        "messaging.acknowledge_feedback",
    } <= _perms(MANAGER)


def test_a_permission_added_by_hand_is_removed_when_the_roles_are_synced():
    reception = Group.objects.get(name=RECEPTION)
    reception.permissions.add(Permission.objects.get(codename="log_visit"))

    roles_sync()

    assert "courses.log_visit" not in _perms(RECEPTION)


def test_migrate_puts_the_roles_back_in_step():
    Group.objects.get(name=THERAPIST).permissions.clear()

    call_command("migrate", verbosity=0)

    assert "courses.log_visit" in _perms(THERAPIST)
