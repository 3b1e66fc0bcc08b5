"""Consent changes, patients' answers, the audit trail and the login log cannot be
deleted in the admin by anyone: they go only with a patient who is erased."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from clinic.roles import MANAGER
from messaging.models import Feedback
from patients import services
from patients.models import ConsentChange, Patient
from tests.factories import MessageFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _feedback() -> Feedback:
    message = MessageFactory()
    return Feedback.objects.create(
        message=message, patient=message.patient, course=message.course, pain=3
    )


def _consent_change() -> ConsentChange:
    patient = PatientFactory()
    services.patient_set_reminders_consent(patient=patient, given=False)
    return patient.consent_changes.get()


def _access_log() -> AccessLog:
    return AccessLog.objects.create(
        username="anna", ip_address="10.0.0.1", user_agent="x", attempt_time=timezone.now()
    )


def _access_failure() -> AccessFailureLog:
    return AccessFailureLog.objects.create(
        username="anna", ip_address="10.0.0.1", user_agent="x", attempt_time=timezone.now()
    )


KEPT = [_feedback, _consent_change, _access_log, _access_failure]


@pytest.mark.parametrize("make", KEPT)
@pytest.mark.parametrize("who", ["manager_client", "superuser_client"])
def test_no_one_deletes_a_kept_record_in_the_admin(make, who, request):
    record = make()
    client = request.getfixturevalue(who)
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[record.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code == 200
    actions = changelist.context["action_form"]
    assert actions is None or "delete_selected" not in dict(actions.fields["action"].choices)
    assert type(record).objects.filter(pk=record.pk).exists()


def test_no_role_holds_a_delete_permission_of_a_kept_record():
    codenames = set(
        Group.objects.filter(permissions__codename__startswith="delete_").values_list(
            "permissions__content_type__app_label", "permissions__codename"
        )
    )
    refused = {
        (label, code)
        for label, code in codenames
        if code.startswith("delete_historical")
        or code in {"delete_consentchange", "delete_feedback", "delete_datarightsevent"}
        or code in {"delete_accesslog", "delete_accessfailurelog"}
    }
    assert refused == set()
    # Lifting a lockout still works: the manager deletes the attempt, not the log.
    manager_perms = Group.objects.get(name=MANAGER).permissions
    assert manager_perms.filter(codename="delete_accessattempt").exists()


def test_a_manager_still_lifts_a_lockout(manager_client):
    attempt = AccessAttempt.objects.create(
        username="anna",
        ip_address="10.0.0.1",
        user_agent="x",
        failures_since_start=5,
        attempt_time=timezone.now(),
    )
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert manager_client.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_consent_changes_go_with_a_patient_a_manager_deletes(manager_client):
    record = _consent_change()
    url = reverse("admin:patients_patient_delete", args=[record.patient_id])

    assert manager_client.post(url, {"post": "yes"}).status_code == 302
    assert not Patient.objects.filter(pk=record.patient_id).exists()
    assert not ConsentChange.objects.filter(pk=record.pk).exists()
