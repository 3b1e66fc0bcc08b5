from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from messaging import services as messaging
from patients.models import ConsentChange, Patient, PatientContraindication


@transaction.atomic
def patient_save(*, patient: Patient, by: AbstractBaseUser | None = None) -> Patient:
    """Create or change a patient; a change of reminder consent is recorded."""
    patient.full_clean()
    stored = (
        Patient.objects.select_for_update()
        .filter(pk=patient.pk)
        .values_list("reminders_consent", flat=True)
        .first()
        if patient.pk
        else None
    )
    consent_changed = stored != patient.reminders_consent and (
        patient.pk or patient.reminders_consent
    )
    if consent_changed:
        patient.reminders_consent_changed_at = timezone.now()
    patient.save()
    if consent_changed:
        ConsentChange.objects.create(
            patient=patient,
            given=patient.reminders_consent,
            changed_at=patient.reminders_consent_changed_at,
            source=ConsentChange.Source.STAFF,
            recorded_by=by if by is not None and by.is_authenticated else None,
        )
        if not patient.reminders_consent:
            messaging.patient_messages_cancel(patient=patient)
    return patient


@transaction.atomic
def patient_set_reminders_consent(
    *,
    patient: Patient,
    given: bool,
    source: str = ConsentChange.Source.STAFF,
    by: AbstractBaseUser | None = None,
) -> bool:
    """Give or withdraw consent to reminders. Returns False when nothing changed."""
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.reminders_consent == given:
        return False
    now = timezone.now()
    Patient.objects.filter(pk=patient.pk).update(
        reminders_consent=given, reminders_consent_changed_at=now
    )
    patient.reminders_consent, patient.reminders_consent_changed_at = given, now
    ConsentChange.objects.create(
        patient=patient, given=given, changed_at=now, source=source, recorded_by=by
    )
    if not given:
        messaging.patient_messages_cancel(patient=patient)
    return True


@transaction.atomic
def patient_contraindication_save(*, record: PatientContraindication) -> PatientContraindication:
    record.full_clean()
    record.save()
    return record
