import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clinic.constraints import CheckConstraintsAtOnce
from clinic.timeutils import clinic_date, clinic_day_label, clinic_today

PAIN_MIN, PAIN_MAX = 0, 10

# Courses and visits outside this window are typing errors; far-off years would also
# overflow the date arithmetic of scheduling (9999-12-31 plus a week).
EARLIEST_COURSE_DATE = dt.date(1990, 1, 1)
PLANNING_HORIZON = dt.timedelta(days=2 * 365)
PAIN_VALIDATORS = [MinValueValidator(PAIN_MIN), MaxValueValidator(PAIN_MAX)]


class PainScoreField(models.PositiveSmallIntegerField):
    """A pain score on the 0-10 numeric rating scale: a whole number.

    Django's IntegerField turns 2.5 into 2 without a word; a score given as a fraction
    (by an API, a command, a spreadsheet) is refused instead, never truncated.
    """

    def to_python(self, value):
        whole = isinstance(value, int) and not isinstance(value, bool)
        digits = isinstance(value, str) and value.strip().isdigit()
        if value is None or whole or digits:
            return super().to_python(value)
        raise ValidationError(
            _("Enter the pain score as a whole number from 0 to 10."), code="invalid"
        )


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


class PainSource(models.TextChoices):
    """Where the pain at the end of a course was measured."""

    VISIT = "visit", _("visit")
    PATIENT_REPORT = "patient_report", _("patient's report")


class CourseQuerySet(models.QuerySet):
    def open(self) -> "CourseQuerySet":
        """Planned or active: the course still runs, or is about to."""
        return self.filter(status__in=Course.OPEN_STATUSES)

    def summaries_refresh(self) -> int:
        """Recompute the summary columns of these courses from their visits and their
        patients' answers, in one UPDATE; returns how many courses it wrote."""
        # Imported here: the definition reads visits and the messaging area's answers,
        # whose models import this module.
        from courses.summaries import summary_columns

        return self.update(**summary_columns())


class Course(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PLANNED, Status.ACTIVE)
    CLOSED_STATUSES = (Status.COMPLETED, Status.CANCELLED)

    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("patient"),
    )
    kind = models.CharField(
        pgettext_lazy("course", "kind"), max_length=12, choices=CourseKind.choices
    )
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
    session_minutes = models.PositiveSmallIntegerField(
        _("session length (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
        help_text=_(
            "How long each session occupies the therapist's diary. Empty: the clinic's "
            "usual length."
        ),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    completed_early = models.BooleanField(_("completed early"), default=False, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The summary (courses/summaries.py, ``summary_columns``), kept by the services on
    # every write to the course's visits and answers, so that the course list sorts and
    # filters on it without reading a visit. ``manage.py course_summaries --check``
    # compares them with what the visits say.
    sessions_done = models.PositiveSmallIntegerField(_("sessions done"), default=0, editable=False)
    sessions_missed = models.PositiveSmallIntegerField(
        _("sessions missed"), default=0, editable=False
    )
    sessions_cancelled = models.PositiveSmallIntegerField(
        _("sessions cancelled"), default=0, editable=False
    )
    pain_at_start = models.PositiveSmallIntegerField(
        _("pain at start"), null=True, blank=True, editable=False
    )
    pain_at_end = models.PositiveSmallIntegerField(
        _("pain at end"), null=True, blank=True, editable=False
    )
    pain_at_end_at = models.DateTimeField(_("pain at end measured at"), null=True, editable=False)
    pain_at_end_source = models.CharField(
        _("pain at end from"),
        max_length=14,
        choices=PainSource.choices,
        blank=True,
        editable=False,
    )
    pain_flagged = models.BooleanField(_("flagged"), default=False, editable=False)

    SUMMARY_FIELDS = (
        "sessions_done",
        "sessions_missed",
        "sessions_cancelled",
        "pain_at_start",
        "pain_at_end",
        "pain_at_end_at",
        "pain_at_end_source",
        "pain_flagged",
    )

    objects = CourseQuerySet.as_manager()
    # The summary follows the visits, whose own history tells how it changed.
    history = HistoricalRecords(excluded_fields=["created_at", *SUMMARY_FIELDS])

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
        indexes = [
            models.Index(fields=["status", "end_date"]),
            # The course list's order (and the first and last dates of its drill-down),
            # and each sortable column before it: the list reads 100 rows off an index
            # instead of sorting every course.
            models.Index(fields=["-start_date", "-id"], name="course_list_order"),
            *(
                models.Index(fields=[column, "-start_date", "-id"], name=f"course_list_{column}")
                for column in (
                    "region",
                    "kind",
                    "status",
                    "sessions_done",
                    "pain_at_start",
                    "pain_at_end",
                    "pain_flagged",
                )
            ),
        ]

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

    def booking_minutes(self) -> int:
        """How long a new session of this course occupies the diary."""
        return self.session_minutes or settings.CLINIC_SESSION_MINUTES

    def days_between_sessions(self) -> int:
        """The usual gap between two sessions at the course's weekly rhythm; honey
        massage needs its own minimum break (docs/clinic-rules.md, "Rhythm")."""
        days = max(1, 7 // self.visits_per_week)
        if self.massage_kind == MassageKind.HONEY:
            days = max(days, settings.CLINIC_HONEY_MIN_DAYS_BETWEEN)
        return days


class VisitQuerySet(models.QuerySet):
    def done(self) -> "VisitQuerySet":
        return self.filter(status=Visit.Status.DONE)

    def booked(self) -> "VisitQuerySet":
        """Sessions that count against the course's plan: done or still to come."""
        return self.filter(status__in=Visit.PLAN_STATUSES)

    def latest_done_first(self) -> "VisitQuerySet":
        """Done sessions, the latest first: the one whose pain after is the latest."""
        return self.done().order_by("-performed_at", "-sequence")

    def earliest_done_first(self) -> "VisitQuerySet":
        return self.done().order_by("performed_at", "sequence")


class Visit(CheckConstraintsAtOnce, models.Model):
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
        # In the order a session usually follows (docs/clinic-rules.md, "Massage itself").
        STROKING = "stroking", _("Stroking")
        RUBBING = "rubbing", _("Rubbing")
        KNEADING = "kneading", _("Kneading")
        PRESSING = "pressing", _("Pressing")
        TAPPING = "tapping", _("Tapping / patting")
        VIBRATION = "vibration", _("Vibration")

    # Missed and cancelled sessions do not use up the plan: another can be booked.
    PLAN_STATUSES = (Status.SCHEDULED, Status.DONE)
    # What only staff with ``courses.log_visit`` (therapists, managers) may record: the
    # session itself. Booking, moving or cancelling a visit stays open to reception.
    CLINICAL_FIELDS = (
        "performed_at",
        "duration_minutes",
        "position",
        "techniques",
        "intensity",
        "exacerbation",
        "pain_before",
        "pain_after",
        "notes",
    )

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="visits", verbose_name=_("course")
    )
    sequence = models.PositiveSmallIntegerField(_("session no."))
    scheduled_at = models.DateTimeField(_("scheduled at"))
    booked_minutes = models.PositiveSmallIntegerField(
        _("booked for (minutes)"),
        blank=True,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
        help_text=_("How long the session occupies the diary. Empty: the course's length."),
    )
    # scheduled_at + booked_minutes, stored so that the database can compare bookings
    # as time ranges (the therapist's no-overlap constraint on PostgreSQL).
    ends_at = models.DateTimeField(_("ends at"), blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    performed_at = models.DateTimeField(
        pgettext_lazy("visit", "performed at"), null=True, blank=True
    )
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
    pain_before = PainScoreField(
        _("pain before"), null=True, blank=True, validators=PAIN_VALIDATORS
    )
    pain_after = PainScoreField(_("pain after"), null=True, blank=True, validators=PAIN_VALIDATORS)
    notes = models.TextField(_("notes"), blank=True)
    # Who the session is booked with: the course's therapist unless another was chosen.
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        blank=True,
        related_name="visits",
        verbose_name=_("therapist"),
        limit_choices_to={"is_staff": True},
    )

    objects = VisitQuerySet.as_manager()
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
            # A course's visits by status, and when they are booked: the home page counts
            # each active course's bookings of this week from the index alone.
            models.Index(
                fields=["course", "status", "scheduled_at"], name="visit_course_status_idx"
            ),
            models.Index(fields=["therapist", "scheduled_at"]),
            # The visit list's sortable columns, each then by booking time: a page of the
            # list is the first rows of one of these (courses.admin.visits.VisitChangeList).
            models.Index(fields=["status", "scheduled_at"], name="visit_status_scheduled_idx"),
            models.Index(fields=["pain_before", "scheduled_at"], name="visit_pain_before_idx"),
            models.Index(fields=["pain_after", "scheduled_at"], name="visit_pain_after_idx"),
            # A therapist's caseload (courses.selectors.courses_of): the courses of their
            # bookings, read from the index alone on every page a therapist opens.
            models.Index(
                fields=["therapist", "course"],
                condition=~Q(status="cancelled"),
                name="visit_therapist_course_idx",
            ),
        ]

    def __str__(self) -> str:
        return _("Session %(n)d of %(course)s") % {"n": self.sequence, "course": self.course}

    def save(self, *args, **kwargs) -> None:
        # The booking's derived parts, kept here so that no write (a factory, a bulk
        # script, a test) can store a visit whose range in the diary is stale.
        self.fill_booking()
        if kwargs.get("update_fields") is not None and "scheduled_at" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ends_at", "booked_minutes"}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        visit = super().from_db(db, field_names, values)
        # As stored: an undo (done -> not done) and a move to another course are told
        # apart from a new value by what the row held when it was read.
        visit._stored_status = visit.__dict__.get("status")
        visit._stored_course_id = visit.__dict__.get("course_id")
        visit._stored_booking = tuple(
            visit.__dict__.get(name) for name in ("scheduled_at", "therapist_id", "booked_minutes")
        )
        return visit

    def fill_booking(self) -> None:
        """The therapist and length a new booking takes from its course, and its end."""
        if self.therapist_id is None and self.course_id is not None:
            self.therapist_id = self.course.therapist_id
        if self.booked_minutes is None and self.course_id is not None:
            self.booked_minutes = self.course.booking_minutes()
        if self.scheduled_at is not None and self.booked_minutes is not None:
            # In UTC: an aware local time plus an hour is wall-clock arithmetic in Python,
            # an hour off across a clock change.
            start = self.scheduled_at.astimezone(dt.UTC)
            self.ends_at = start + dt.timedelta(minutes=self.booked_minutes)

    def clean(self) -> None:
        self.fill_booking()
        if self.is_being_undone:
            self.clear_session()
        if self.is_done and self.performed_at is None and self.scheduled_at:
            # Quick logging: a session marked done without a time happened when it was
            # booked, or now if it was booked for later today.
            self.performed_at = min(self.scheduled_at, timezone.now())
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
        if self.is_done:
            if self.performed_at is None:
                errors["performed_at"] = _("Enter when the session was performed.")
            elif self.performed_at > timezone.now():
                errors["performed_at"] = _("A visit cannot be marked done in the future.")
            elif self.scheduled_at and "scheduled_at" not in errors:
                booked_on = clinic_date(self.scheduled_at)
                if clinic_date(self.performed_at) != booked_on:
                    errors["performed_at"] = _(
                        "Session %(n)s is booked for %(day)s: it can be marked done on that "
                        "day only. If it took place on another day, move its booking to "
                        "that day first."
                    ) % {"n": self.sequence, "day": clinic_day_label(booked_on)}
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
    def was_done(self) -> bool:
        """Done as the row is stored (False for a visit not saved yet)."""
        return getattr(self, "_stored_status", None) == self.Status.DONE

    @property
    def is_being_undone(self) -> bool:
        return self.was_done and not self.is_done

    def clear_session(self) -> None:
        """Forget what was recorded of the session; its history keeps it."""
        for name in self.CLINICAL_FIELDS:
            setattr(self, name, self._meta.get_field(name).get_default())

    def deletion_refusal(self) -> str | None:
        """Why this visit may not be deleted, or None.

        Done and missed sessions are the clinic's record: they are undone or cancelled,
        never deleted. A closed course's visits stay as they were when it closed.
        """
        if self.status in (self.Status.DONE, self.Status.MISSED):
            return _(
                "Session %(n)d is %(status)s and stays on the record: set it back to "
                "scheduled or cancel it instead of deleting it."
            ) % {"n": self.sequence, "status": self.get_status_display().lower()}
        if self.course.status in Course.CLOSED_STATUSES:
            return _("This course is %(status)s: its sessions can no longer be deleted.") % {
                "status": self.course.get_status_display().lower()
            }
        return None

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
