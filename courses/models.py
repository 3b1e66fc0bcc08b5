import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clinic.timeutils import clinic_date, clinic_today

PAIN_MIN, PAIN_MAX = 0, 10

# Courses and visits outside this window are typing errors; far-off years would also
# overflow the date arithmetic of scheduling (9999-12-31 plus a week).
EARLIEST_COURSE_DATE = dt.date(1990, 1, 1)
PLANNING_HORIZON = dt.timedelta(days=2 * 365)
PAIN_VALIDATORS = [MinValueValidator(PAIN_MIN), MaxValueValidator(PAIN_MAX)]


class CourseKind(models.TextChoices):
    THERAPEUTIC = "therapeutic", _("Therapeutic")
    PREVENTIVE = "preventive", _("Preventive")


class SpineRegion(models.TextChoices):
    CERVICAL = "cervical", _("Cervical / collar zone")
    THORACIC = "thoracic", _("Thoracic")
    LUMBAR = "lumbar", _("Lumbar / lumbosacral")
    WHOLE_SPINE = "whole_spine", _("Whole spine")


class MassageKind(models.TextChoices):
    CLASSIC = "classic", _("Classic (manual)")
    ACUPRESSURE = "acupressure", _("Acupressure (point)")
    CUPPING = "cupping", _("Cupping")
    HONEY = "honey", _("Honey")
    HARDWARE = "hardware", _("Hardware (massager)")
    SOFT_MANUAL = "soft_manual", _("Soft manual techniques")


class Course(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PLANNED, Status.ACTIVE)

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("patient"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CourseKind.choices)
    region = models.CharField(_("spine region"), max_length=12, choices=SpineRegion.choices)
    massage_kind = models.CharField(
        _("massage kind"), max_length=12, choices=MassageKind.choices, default=MassageKind.CLASSIC
    )
    planned_sessions = models.PositiveSmallIntegerField(_("planned sessions"))
    visits_per_week = models.PositiveSmallIntegerField(
        _("visits per week"), default=2, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("therapist"),
        limit_choices_to={"is_staff": True},
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    completed_early = models.BooleanField(_("completed early"), default=False, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("export_course", _("Can export courses and their visits"))]
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "region"],
                condition=Q(status__in=["planned", "active"]),
                name="one_open_course_per_patient_and_region",
                violation_error_message=_(
                    "This patient already has an open course for this spine region. "
                    "Complete or cancel it before planning another."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1),
                name="course_planned_sessions_positive",
            ),
            models.CheckConstraint(
                condition=Q(visits_per_week__gte=1, visits_per_week__lte=7),
                name="course_visits_per_week_1_to_7",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="course_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["status", "end_date"])]

    def __str__(self) -> str:
        return _("%(kind)s course, %(region)s — %(patient)s") % {
            "kind": self.get_kind_display(),
            "region": self.get_region_display(),
            "patient": self.patient,
        }

    def clean(self) -> None:
        if self.start_date and not (
            EARLIEST_COURSE_DATE <= self.start_date <= clinic_today() + PLANNING_HORIZON
        ):
            raise ValidationError(
                {
                    "start_date": _(
                        "Enter a start date between %(earliest)s and two years from today."
                    )
                    % {"earliest": EARLIEST_COURSE_DATE.isoformat()}
                }
            )
        if self.kind and self.planned_sessions is not None:
            low, high = self.sessions_range(self.kind)
            if not low <= self.planned_sessions <= high:
                raise ValidationError(
                    {
                        "planned_sessions": _(
                            "A %(kind)s course has %(low)d to %(high)d sessions; "
                            "you entered %(value)d."
                        )
                        % {
                            "kind": self.get_kind_display().lower(),
                            "low": low,
                            "high": high,
                            "value": self.planned_sessions,
                        }
                    }
                )

    @staticmethod
    def sessions_range(kind: str) -> tuple[int, int]:
        if kind == CourseKind.THERAPEUTIC:
            return settings.CLINIC_THERAPEUTIC_SESSIONS
        return settings.CLINIC_PREVENTIVE_SESSIONS

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Visit(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    class Position(models.TextChoices):
        PRONE = "prone", _("Lying prone")
        SIDE = "side", _("Lying on the side")
        SITTING = "sitting", _("Sitting")

    class Intensity(models.TextChoices):
        SPARING = "sparing", _("Sparing (gentle)")
        MODERATE = "moderate", _("Moderate")
        INTENSE = "intense", _("Intense")

    class Technique(models.TextChoices):
        # In the order a session usually follows (DOMAIN.md).
        STROKING = "stroking", _("Stroking")
        RUBBING = "rubbing", _("Rubbing")
        KNEADING = "kneading", _("Kneading")
        PRESSING = "pressing", _("Pressing")
        TAPPING = "tapping", _("Tapping / patting")
        VIBRATION = "vibration", _("Vibration")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="visits", verbose_name=_("course")
    )
    sequence = models.PositiveSmallIntegerField(_("session no."))
    scheduled_at = models.DateTimeField(_("scheduled at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    performed_at = models.DateTimeField(_("performed at"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    position = models.CharField(_("position"), max_length=10, choices=Position.choices, blank=True)
    techniques = models.JSONField(_("techniques"), default=list, blank=True)
    intensity = models.CharField(
        _("intensity"), max_length=10, choices=Intensity.choices, blank=True
    )
    exacerbation = models.BooleanField(
        _("in exacerbation"),
        default=False,
        help_text=_("Light, painless work on healthy regions only; sparing intensity."),
    )
    pain_before = models.PositiveSmallIntegerField(
        _("pain before"), null=True, blank=True, validators=PAIN_VALIDATORS
    )
    pain_after = models.PositiveSmallIntegerField(
        _("pain after"), null=True, blank=True, validators=PAIN_VALIDATORS
    )
    notes = models.TextField(_("notes"), blank=True)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("therapist"),
        limit_choices_to={"is_staff": True},
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        permissions = [
            (
                "log_visit",
                _("Can record the clinical details of a visit (techniques, pain, notes)"),
            )
        ]
        ordering = ["course", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "sequence"],
                name="one_visit_per_course_sequence",
                violation_error_message=_("This course already has a session with this number."),
            ),
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True) | Q(pain_before__lte=PAIN_MAX),
                name="visit_pain_before_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(pain_after__isnull=True) | Q(pain_after__lte=PAIN_MAX),
                name="visit_pain_after_0_to_10",
            ),
            models.CheckConstraint(
                condition=~Q(status="done")
                | Q(
                    performed_at__isnull=False, pain_before__isnull=False, pain_after__isnull=False
                ),
                name="done_visit_has_time_and_pain",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="visit_sequence_positive"),
        ]
        indexes = [
            models.Index(fields=["scheduled_at"]),
            models.Index(fields=["course", "status"]),
        ]

    def __str__(self) -> str:
        return _("Session %(n)d of %(course)s") % {"n": self.sequence, "course": self.course}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unknown = [t for t in self.techniques or [] if t not in self.Technique.values]
        if not isinstance(self.techniques, list) or unknown:
            errors["techniques"] = _("Choose techniques from the list.")
        earliest = dt.datetime.combine(EARLIEST_COURSE_DATE, dt.time(), tzinfo=dt.UTC)
        for name in ("scheduled_at", "performed_at"):
            moment = getattr(self, name)
            if moment and not earliest <= moment <= timezone.now() + PLANNING_HORIZON:
                errors[name] = _("Enter a time between %(earliest)s and two years from now.") % {
                    "earliest": EARLIEST_COURSE_DATE.isoformat()
                }
        if self.status == self.Status.DONE:
            if self.performed_at is None:
                errors["performed_at"] = _("Enter when the session was performed.")
            elif self.performed_at > timezone.now():
                errors["performed_at"] = _("A visit cannot be marked done in the future.")
            if self.pain_before is None:
                errors["pain_before"] = _(
                    "Ask the patient for the pain before the session (0-10)."
                )
            if self.pain_after is None:
                errors["pain_after"] = _("Ask the patient for the pain after the session (0-10).")
        elif self.pain_after is not None or self.performed_at is not None:
            errors["status"] = _("Mark the visit done to record the session and its pain scores.")
        if self.exacerbation and self.intensity and self.intensity != self.Intensity.SPARING:
            errors["intensity"] = _("During an exacerbation only a sparing intensity is allowed.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def calendar_date(self):
        """The clinic-local day the session took place, or is booked for."""
        moment = self.performed_at if self.is_done and self.performed_at else self.scheduled_at
        return clinic_date(moment) if moment else None

    @property
    def pain_change(self) -> int | None:
        if self.pain_before is None or self.pain_after is None:
            return None
        return self.pain_after - self.pain_before
