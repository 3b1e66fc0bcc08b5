import datetime as dt
import secrets
from collections.abc import Collection
from functools import reduce
from operator import or_

import phonenumbers
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.models import language_field
from clinic.timeutils import clinic_today

# Nobody alive was born before this; an earlier date is a typing error.
EARLIEST_DATE_OF_BIRTH = dt.date(1900, 1, 1)

# What tells one patient from another: a change to any of them may make a duplicate.
IDENTITY_FIELDS = ("first_name", "last_name", "patronymic", "date_of_birth", "phone", "email")
NAME_FIELDS = {"first_name", "last_name", "patronymic", "date_of_birth"}


def phone_in_e164(text: str) -> str | None:
    """``text`` as a stored phone number (E.164) when it reads as one, else None.

    National numbers are read as CLINIC_PHONE_REGION's, so "020 7946 0018",
    "(020) 7946-0018", "442079460018" and "+44 20 7946 0018" are one number. "Possible"
    (a plausible length) rather than valid is enough here: it only decides what else to
    look for, exactly; a name never reads as a number, and a few digits that do find at
    most a patient with that very number.
    """
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PatientQuerySet(models.QuerySet):
    def likely_duplicates_of(
        self, patient: "Patient", *, fields: Collection[str] = IDENTITY_FIELDS
    ) -> "PatientQuerySet":
        """Other patients who are probably the same person as ``patient``.

        The same first and last name (whatever the case) and date of birth, with the
        same patronymic or none on either record (one typed without it is still the same
        person; two different patronymics are two people), or the same phone, or the same
        e-mail address (whatever the case). Each row says why in
        ``same_name_and_birth``, ``same_phone`` and ``same_email``. ``fields`` limits the
        comparison to those fields, e.g. the ones a change touched. An anonymised patient
        is nobody's duplicate, and a patient is not a duplicate of itself. One query.
        """
        matches = {}
        if (
            NAME_FIELDS & set(fields)
            and patient.first_name
            and patient.last_name
            and patient.date_of_birth
        ):
            matches["same_name_and_birth"] = Q(
                first_name__iexact=patient.first_name.strip(),
                last_name__iexact=patient.last_name.strip(),
                date_of_birth=patient.date_of_birth,
            )
            if patronymic := patient.patronymic.strip():
                matches["same_name_and_birth"] &= Q(patronymic__iexact=patronymic) | Q(
                    patronymic=""
                )
        if "phone" in fields and patient.phone:
            matches["same_phone"] = Q(phone=patient.phone)
        if "email" in fields and patient.email:
            matches["same_email"] = Q(email__iexact=patient.email.strip())
        if not matches or patient.anonymised_at is not None:
            return self.none()
        duplicates = self.filter(reduce(or_, matches.values()), anonymised_at__isnull=True)
        if patient.pk is not None:
            duplicates = duplicates.exclude(pk=patient.pk)
        return duplicates.annotate(
            **{
                name: models.ExpressionWrapper(match, output_field=models.BooleanField())
                for name, match in matches.items()
            }
        )


def new_link_key() -> str:
    """A random key that names a patient, or a message, in the links sent to patients, in
    place of an id."""
    return secrets.token_urlsafe(16)


class Patient(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")
        PHONE = "phone", _("Phone call")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # Russian documents name a person by surname, first name and patronymic (отчество);
    # many patients of other clinics have none.
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    # Stored in E.164; a number typed without +country code is read as
    # CLINIC_PHONE_REGION's. The form shows the clinic's own numbers the national way.
    phone = PhoneNumberField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    reminders_consent = models.BooleanField(
        _("consents to reminders"),
        default=False,
        help_text=_("Change it with the consent actions so that the change is recorded."),
    )
    reminders_consent_changed_at = models.DateTimeField(
        _("consent given or withdrawn at"), null=True, blank=True
    )
    # A patient may stop only the repeat-course reminders through their link, and keep
    # the messages of a course in progress. Giving consent again restores them.
    repeat_reminders_consent = models.BooleanField(
        _("consents to repeat-course reminders"), default=True, editable=False
    )
    # 128 random bits: no two patients get the same key, so no unique constraint (and
    # no uniqueness query on every save) is needed; the index finds a link's patient.
    link_key = models.CharField(max_length=32, db_index=True, default=new_link_key, editable=False)
    language = language_field(
        help_text=_("The language of the patient's e-mails and pages; blank: the clinic's.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    objects = PatientQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "link_key"])

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        permissions = [
            ("export_patient_data", _("Can export everything stored about a patient")),
            ("anonymise_patient", _("Can anonymise a patient")),
        ]
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["phone"]),
            models.Index(fields=["email"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        errors = {}
        if (
            self.date_of_birth
            and not EARLIEST_DATE_OF_BIRTH <= self.date_of_birth <= clinic_today()
        ):
            errors["date_of_birth"] = _("Enter a date of birth between 1900 and today.")
        if self.anonymised_at is not None and (self.phone or self.email or self.notes):
            errors[NON_FIELD_ERRORS] = _(
                "This patient was anonymised at their request and cannot be given contact "
                "details or notes again; register them as a new patient instead."
            )
        # An anonymised patient has no contact details left, on purpose.
        if not self.phone and not self.email and self.anonymised_at is None:
            errors["phone"] = _("Enter a phone number or an e-mail address to reach the patient.")
        if errors:
            raise ValidationError(errors)

    def why_not_messaged(self, *, repeat_course_reminder: bool = False) -> str | None:
        """Why the clinic may not write to the patient now (a repeat-course reminder, if
        ``repeat_course_reminder``), or None if it may."""
        if not self.reminders_consent:
            return str(_("The patient withdrew consent to messages."))
        if not self.email:
            return str(_("The patient has no e-mail address."))
        if repeat_course_reminder and not self.repeat_reminders_consent:
            return str(_("The patient stopped the repeat-course reminders."))
        return None

    @property
    def may_be_messaged(self) -> bool:
        return self.why_not_messaged() is None

    @property
    def full_name(self) -> str:
        return self.name_of(self.first_name, self.last_name, self.patronymic)

    @property
    def effective_language(self) -> str:
        """The language the patient reads: their own, or the clinic's."""
        return self.language or settings.LANGUAGE_CODE

    @staticmethod
    def name_of(first_name: str, last_name: str, patronymic: str) -> str:
        """The full name from its parts, for reads that fetch the parts without a row.

        A name with a patronymic is written as Russian documents write it: surname, first
        name, patronymic ("Иванова Мария Петровна"). One without keeps the order it has
        always had ("Mia Novak"): it is the order of the names' own custom, and staff
        know those patients by it. So a name reads the same in every language.
        """
        if patronymic:
            return f"{last_name} {first_name} {patronymic}"
        return f"{first_name} {last_name}"

    @property
    def salutation(self) -> str:
        """How a message addresses the patient: by first name and patronymic ("Мария
        Петровна"), the polite Russian address, when there is one, else by first name."""
        return f"{self.first_name} {self.patronymic}" if self.patronymic else self.first_name


class ConsentChange(models.Model):
    """Every time a patient gives or withdraws consent to reminders, and who recorded it."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Recorded by staff")
        PATIENT_LINK = "patient_link", _("Patient, through a link")

    class Scope(models.TextChoices):
        ALL = "all", _("All messages")
        REPEAT_COURSE_REMINDERS = "repeat_course_reminders", _("Repeat-course reminders only")

    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        related_name="consent_changes",
        verbose_name=_("patient"),
    )
    given = models.BooleanField(_("consent given"))
    changed_at = models.DateTimeField(_("changed at"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    scope = models.CharField(
        _("messages"), max_length=30, choices=Scope.choices, default=Scope.ALL
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        state = _("given") if self.given else _("withdrawn")
        if self.scope == self.Scope.ALL:
            return str(state)
        return f"{state} ({self.get_scope_display()})"


class Contraindication(models.Model):
    """The clinic's catalogue of contraindications to massage (docs/clinic-rules.md)."""

    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", _("Absolute: no massage")
        TEMPORARY = "temporary", _("Temporary: no massage until resolved")
        LOCAL = "local", _("Local: avoid the area")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(pgettext_lazy("contraindication", "name"), max_length=200, unique=True)
    kind = models.CharField(
        pgettext_lazy("contraindication", "kind"), max_length=10, choices=Kind.choices
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("contraindication")
        verbose_name_plural = _("contraindications")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def blocks_massage(self) -> bool:
        return self.kind != self.Kind.LOCAL


class PatientContraindicationQuerySet(models.QuerySet):
    def unresolved(self) -> "PatientContraindicationQuerySet":
        return self.filter(resolved_on__isnull=True)

    def blocking(self) -> "PatientContraindicationQuerySet":
        return self.unresolved().exclude(contraindication__kind=Contraindication.Kind.LOCAL)

    def local(self) -> "PatientContraindicationQuerySet":
        return self.unresolved().filter(contraindication__kind=Contraindication.Kind.LOCAL)


class PatientContraindication(models.Model):
    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        related_name="contraindications",
        verbose_name=_("patient"),
    )
    contraindication = models.ForeignKey(
        Contraindication,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("contraindication"),
    )
    noted_on = models.DateField(_("noted on"))
    resolved_on = models.DateField(
        _("resolved on"), null=True, blank=True, help_text=_("Leave empty while it lasts.")
    )
    area = models.CharField(
        _("area"), max_length=200, blank=True, help_text=_("For a local one: where to avoid.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = PatientContraindicationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("patient contraindication")
        verbose_name_plural = _("patient contraindications")
        ordering = ["resolved_on", "-noted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("noted_on")),
                name="contraindication_resolved_after_noted",
                violation_error_message=_(
                    "A contraindication cannot be resolved before it was noted."
                ),
            ),
            models.UniqueConstraint(
                fields=["patient", "contraindication"],
                condition=Q(resolved_on__isnull=True),
                name="one_unresolved_record_per_contraindication",
                violation_error_message=_(
                    "This contraindication is already recorded for the patient and not resolved."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.contraindication)

    def clean(self) -> None:
        today = clinic_today()
        if self.noted_on and self.noted_on > today:
            raise ValidationError(
                {"noted_on": _("A contraindication cannot be noted in the future.")}
            )
        if self.resolved_on and self.resolved_on > today:
            raise ValidationError(
                {"resolved_on": _("Enter the day it was resolved: not a future date.")}
            )

    def describe(self) -> str:
        text = _("%(name)s (noted %(date)s)") % {
            "name": self.contraindication.name,
            "date": date_format(self.noted_on, "SHORT_DATE_FORMAT"),
        }
        if self.area:
            text += f" — {self.area}"
        return text


class DataRightsEvent(models.Model):
    """A patient's data was exported or anonymised: who did it and when.

    Kept apart from the patient's history because anonymising purges that history, and
    the fact that it was done must outlive it.
    """

    class Action(models.TextChoices):
        EXPORTED = "exported", _("Data exported")
        ANONYMISED = "anonymised", _("Anonymised")

    patient = models.ForeignKey(
        Patient,
        on_delete=models.SET_NULL,
        null=True,
        related_name="data_rights_events",
        verbose_name=_("patient"),
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performed by"),
    )
    performed_at = models.DateTimeField(pgettext_lazy("data rights event", "performed at"))

    class Meta:
        verbose_name = _("data rights event")
        verbose_name_plural = _("data rights events")
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return self.get_action_display()
