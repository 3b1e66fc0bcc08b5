import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clinic.language import supported
from messaging import services as messaging
from patients.models import (
    IDENTITY_FIELDS,
    ConsentChange,
    DataRightsEvent,
    Patient,
    PatientContraindication,
)

# Enough for staff to recognise the record; more would be a shared address, not a person.
DUPLICATES_SHOWN = 10


class LikelyDuplicates(ValidationError):
    """The patient is probably one already registered: ``patients`` are those records."""

    def __init__(self, patients: list[Patient]) -> None:
        self.patients = patients
        super().__init__(
            _(
                "This looks like a patient already registered: %(records)s. Check the "
                "record; if this is a different person, confirm it to save."
            )
            % {
                "records": "; ".join(
                    f"{duplicate.full_name} ({duplicate_summary(duplicate)})"
                    for duplicate in patients
                )
            },
            code="likely_duplicate",
        )


def duplicate_summary(duplicate: Patient) -> str:
    """Why a row of ``likely_duplicates_of`` looks like the patient, and how to find it."""
    reasons = [
        reason
        for flag, reason in [
            ("same_name_and_birth", _("same name and date of birth")),
            ("same_phone", _("same phone")),
            ("same_email", _("same e-mail")),
        ]
        if getattr(duplicate, flag, False)
    ]
    return _("born %(born)s, record %(id)s: %(reasons)s") % {
        "born": date_format(duplicate.date_of_birth, "SHORT_DATE_FORMAT"),
        "id": duplicate.pk,
        "reasons": ", ".join(reasons),
    }


def patient_check_duplicates(
    *, patient: Patient, fields: Collection[str] = IDENTITY_FIELDS
) -> None:
    """Raise LikelyDuplicates if ``patient`` looks like a patient already registered,
    comparing ``fields`` (for a change, the identifying fields it touched)."""
    duplicates = list(
        Patient.objects.likely_duplicates_of(patient, fields=fields)[:DUPLICATES_SHOWN]
    )
    if duplicates:
        raise LikelyDuplicates(duplicates)


@transaction.atomic
def patient_save(
    *,
    patient: Patient,
    by: AbstractBaseUser | None = None,
    confirmed_different_person: bool = False,
) -> Patient:
    """Create or change a patient; a change of reminder consent is recorded.

    A patient who looks like one already registered (same name and date of birth, same
    phone or same e-mail) is refused with LikelyDuplicates, which names the records,
    unless staff confirm that this is a different person; a change is compared on the
    identifying fields it touches, so editing the notes of a confirmed namesake does not
    ask again. The confirmation is written in the patient's history.
    """
    patient.full_clean()
    stored = (
        Patient.objects.select_for_update()
        .filter(pk=patient.pk)
        .values("reminders_consent", *IDENTITY_FIELDS)
        .first()
        if patient.pk
        else None
    )
    changed = [
        field
        for field in IDENTITY_FIELDS
        if stored is None or getattr(patient, field) != stored[field]
    ]
    if confirmed_different_person:
        namesakes = Patient.objects.likely_duplicates_of(patient, fields=changed)
        ids = ", ".join(str(pk) for pk in namesakes.values_list("pk", flat=True))
        if ids:
            patient._change_reason = _(
                "Confirmed by staff to be a different person from record(s) %(ids)s"
            ) % {"ids": ids}
    else:
        patient_check_duplicates(patient=patient, fields=changed)
    stored_consent = stored["reminders_consent"] if stored else None
    consent_changed = stored_consent != patient.reminders_consent and (
        patient.pk or patient.reminders_consent
    )
    if consent_changed:
        patient.reminders_consent_changed_at = timezone.now()
    if by is not None and by.is_authenticated:
        # Outside a web request the history would not know who made the change.
        patient._history_user = by
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
    """Give or withdraw consent to every message. Returns False when nothing changed.

    Consent given again covers the repeat-course reminders too, even if the patient had
    stopped only those before.
    """
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.reminders_consent == given and (not given or locked.repeat_reminders_consent):
        return False
    now = timezone.now()
    locked.reminders_consent, locked.reminders_consent_changed_at = given, now
    if given:
        locked.repeat_reminders_consent = True
    _consent_record(patient, locked, source=source, by=by, given=given, now=now)
    if not given:
        messaging.patient_messages_cancel(patient=patient)
    return True


@transaction.atomic
def patient_stop_repeat_reminders(
    *,
    patient: Patient,
    source: str = ConsentChange.Source.STAFF,
    by: AbstractBaseUser | None = None,
) -> bool:
    """Stop only the repeat-course reminders; the messages of a course in progress (visit
    reminders, check-ins, the follow-up) go on. Returns False when nothing changed."""
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if not locked.reminders_consent or not locked.repeat_reminders_consent:
        return False
    locked.repeat_reminders_consent = False
    _consent_record(
        patient,
        locked,
        source=source,
        by=by,
        given=False,
        now=timezone.now(),
        scope=ConsentChange.Scope.REPEAT_COURSE_REMINDERS,
    )
    messaging.patient_repeat_reminders_cancel(
        patient=patient, reason=_("The patient stopped the repeat-course reminders.")
    )
    return True


def _consent_record(
    patient: Patient,
    locked: Patient,
    *,
    source: str,
    by: AbstractBaseUser | None,
    given: bool,
    now: dt.datetime,
    scope: str = ConsentChange.Scope.ALL,
) -> None:
    """Save the consent fields of ``locked`` (and copy them onto ``patient``) and record
    the change with who made it and from where."""
    if by is not None and by.is_authenticated:
        locked._history_user = by
    fields = ["reminders_consent", "reminders_consent_changed_at", "repeat_reminders_consent"]
    # save() rather than update(), so that the patient's history shows the change too.
    locked.save(update_fields=fields)
    for field in fields:
        setattr(patient, field, getattr(locked, field))
    ConsentChange.objects.create(
        patient=patient, given=given, changed_at=now, source=source, recorded_by=by, scope=scope
    )


@transaction.atomic
def patient_language_set(*, patient: Patient, language: str) -> bool:
    """The patient chose, on their own page, the language of their e-mails and pages
    (blank: the clinic's). Returns False when nothing changed; a language the clinic
    does not offer is refused with a ValidationError and nothing is saved. Staff change
    it with the rest of the record (``patient_save``)."""
    if language and not supported(language):
        raise ValidationError(
            {
                "language": _("%(language)s is not a language the clinic offers.")
                % {"language": language}
            },
            code="invalid_choice",
        )
    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.language == language:
        return False
    locked.language = language
    # Staff read the history: its reason in the clinic's language, not the page's.
    with translation.override(settings.LANGUAGE_CODE):
        locked._change_reason = _("Language chosen by the patient on their page")
    locked.save(update_fields=["language"])
    patient.language = language
    return True


@transaction.atomic
def patient_contraindication_save(*, record: PatientContraindication) -> PatientContraindication:
    record.full_clean()
    record.save()
    return record


# --- patient data rights --------------------------------------------------------------

ANONYMISED_FIRST_NAME = "Anonymised"


def _require(by: AbstractBaseUser | None, permission: str) -> None:
    if by is not None and not by.has_perm(permission):
        raise PermissionDenied(_("Only a manager can do this."))


def _rows(queryset: models.QuerySet) -> list[dict[str, Any]]:
    return serializers.serialize("python", queryset.order_by("pk"))


def _pointing_at(
    model: type[models.Model], pks: list[int]
) -> list[tuple[type[models.Model], models.QuerySet]]:
    """The rows of every model with a foreign key to ``model``'s rows ``pks``."""
    return [
        (
            relation.related_model,
            relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": pks}),
        )
        for relation in model._meta.related_objects
        if relation.one_to_many or relation.one_to_one
    ]


def _ids_ever(model: type[models.Model], field: str, pks: Collection[Any]) -> set[Any]:
    """The ids of ``model``'s rows whose ``field`` points at ``pks``, deleted ones
    included when the model keeps a history."""
    lookup = {f"{field}__in": pks}
    ids = set(model._base_manager.filter(**lookup).values_list("pk", flat=True))
    if hasattr(model, "history"):
        ids.update(model.history.filter(**lookup).values_list("id", flat=True))
    return ids


def _rows_about(patient: Patient) -> dict[type[models.Model], set[Any]]:
    """Every row, current or deleted, of the patient and of what points at the patient
    and at those rows (a course's visits), by model."""
    rows = {Patient: {patient.pk}}
    for relation in Patient._meta.related_objects:
        if relation.one_to_many or relation.one_to_one:
            model = relation.related_model
            ids = _ids_ever(model, relation.field.name, [patient.pk])
            rows.setdefault(model, set()).update(ids)
            for child in model._meta.related_objects:
                if ids and (child.one_to_many or child.one_to_one):
                    child_ids = _ids_ever(child.related_model, child.field.name, ids)
                    rows.setdefault(child.related_model, set()).update(child_ids)
    return rows


def _replaced(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replaced(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, replacements) for key, item in value.items()}
    return value


def _admin_log_forget(patient: Patient, replacements: dict[str, str]) -> None:
    """Rewrite the admin's action log where it names the patient.

    Each entry keeps the name an object had when it was changed: the patient's own, and
    that of each course and visit (their names hold the patient's), in the entry's title
    and in its change message, which names the rows changed on the page. Only entries
    about the patient's rows are touched, so a namesake keeps their name.
    """
    replacements = {old: new for old, new in replacements.items() if old}
    entries = []
    for model, ids in _rows_about(patient).items():
        if not ids:
            continue
        entries += LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id__in=[str(pk) for pk in ids],
        )
    for entry in entries:
        entry.object_repr = _replaced(entry.object_repr, replacements)[:200]
        try:
            message = json.loads(entry.change_message)
        except ValueError:
            entry.change_message = _replaced(entry.change_message, replacements)
        else:
            entry.change_message = json.dumps(_replaced(message, replacements))
    LogEntry.objects.bulk_update(entries, ["object_repr", "change_message"])


def patient_export_data(*, patient: Patient, by: AbstractBaseUser | None = None) -> dict:
    """Everything stored about one patient, ready for ``json.dumps(cls=DjangoJSONEncoder)``.

    Walks every table that points at the patient and the tables that point at those
    (a course's visits), so rows that other areas of the clinic add are exported
    without this function knowing them; then the change history of each. The export
    is recorded as a data rights event.
    """
    _require(by, "patients.export_patient_data")
    from courses.models import Course, Visit
    from messaging.models import Feedback

    related: dict[str, dict[Any, dict]] = {}

    def add(model: type[models.Model], rows: list[dict]) -> None:
        # A row can be reached twice (a course's feedback also points at the patient).
        for row in rows:
            related.setdefault(model._meta.label_lower, {})[row["pk"]] = row

    for model, queryset in _pointing_at(Patient, [patient.pk]):
        rows = _rows(queryset)
        if not rows:
            continue
        add(model, rows)
        for child, child_queryset in _pointing_at(model, [row["pk"] for row in rows]):
            add(child, _rows(child_queryset))
    course_ids = list(Course.objects.filter(patient=patient).values_list("pk", flat=True))
    data = {
        "exported_at": timezone.now(),
        "patient": _rows(Patient.objects.filter(pk=patient.pk))[0],
        "related": {
            label: [rows[pk] for pk in sorted(rows)] for label, rows in related.items() if rows
        },
        "history": {
            "patients.patient": _rows(Patient.history.filter(id=patient.pk)),
            "patients.patientcontraindication": _rows(
                PatientContraindication.history.filter(patient_id=patient.pk)
            ),
            "patients.consentchange": _rows(ConsentChange.history.filter(patient_id=patient.pk)),
            "courses.course": _rows(Course.history.filter(id__in=course_ids)),
            "courses.visit": _rows(Visit.history.filter(course_id__in=course_ids)),
            "messaging.feedback": _rows(Feedback.history.filter(patient_id=patient.pk)),
        },
    }
    DataRightsEvent.objects.create(
        patient=patient,
        action=DataRightsEvent.Action.EXPORTED,
        performed_by=by,
        performed_at=timezone.now(),
    )
    return data


@transaction.atomic
def patient_anonymise(*, patient: Patient, by: AbstractBaseUser | None = None) -> Patient:
    """Forget who the patient is, keeping the anonymous course and visit statistics.

    Names (the patronymic too), contact details, the day and month of birth (the year
    stays, for age statistics) and every free-text note go, in the current rows and in
    their history; consent to reminders is withdrawn. What remains: region, kind, dates,
    sessions and pain scores. One history entry and a data rights event say who did it and when.
    """
    _require(by, "patients.anonymise_patient")
    from courses.models import Course, Visit

    locked = Patient.objects.select_for_update().get(pk=patient.pk)
    if locked.anonymised_at is not None:
        raise ValidationError(_("This patient is already anonymised."))
    if locked.courses.filter(status__in=Course.OPEN_STATUSES).exists():
        raise ValidationError(
            _("Complete or cancel the patient's open courses before anonymising the patient.")
        )
    patient_set_reminders_consent(patient=locked, given=False, by=by)
    # Consent may have been withdrawn before, and staff alerts are not covered by it.
    messaging.patient_messages_forget(patient=locked)
    now = timezone.now()

    contraindications = PatientContraindication.objects.filter(patient=locked)
    contraindications.update(notes="", area="")
    courses = Course.objects.filter(patient=locked)
    course_ids = list(courses.values_list("pk", flat=True))
    courses.update(notes="")
    Visit.objects.filter(course_id__in=course_ids).update(notes="")

    # Every name, address and number the patient ever had, before the history goes.
    identities = {
        (version.full_name, version.email, str(version.phone or ""))
        for version in [locked, *(row.instance for row in Patient.history.filter(id=locked.pk))]
    }
    # The history would otherwise keep every name and note the patient ever had.
    Patient.history.filter(id=locked.pk).delete()
    PatientContraindication.history.filter(patient_id=locked.pk).delete()
    ConsentChange.history.filter(patient_id=locked.pk).delete()
    Course.history.filter(id__in=course_ids).update(notes="")
    Visit.history.filter(course_id__in=course_ids).update(notes="")

    locked.first_name = ANONYMISED_FIRST_NAME
    locked.last_name = str(locked.pk)
    locked.patronymic = ""
    locked.date_of_birth = dt.date(locked.date_of_birth.year, 1, 1)
    locked.phone = ""
    locked.email = ""
    locked.notes = ""
    locked.preferred_channel = Patient.Channel.EMAIL
    locked.anonymised_at = now
    locked._history_user = by
    locked._change_reason = _("Anonymised at the patient's request")
    locked.full_clean()
    locked.save()
    # Longest first, so that a full name goes before a part of it that is also a name.
    replacements = {}
    for name, email, phone in identities:
        replacements.update({name: locked.full_name, email: "", phone: ""})
    _admin_log_forget(locked, dict(sorted(replacements.items(), key=lambda r: -len(r[0]))))
    DataRightsEvent.objects.create(
        patient=locked,
        action=DataRightsEvent.Action.ANONYMISED,
        performed_by=by,
        performed_at=now,
    )
    return locked
