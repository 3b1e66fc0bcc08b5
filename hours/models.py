"""When the clinic is open and when each therapist works: the diary books inside it.

Times of day are clinic-local wall-clock times; the diary turns them into instants for
a given day (``hours.selectors.WorkingTime``), so a clock change moves nothing.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Weekday(models.IntegerChoices):
    # Python's numbering (date.weekday()): Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class _DailyHours(models.Model):
    """From ``starts`` to ``ends`` on one weekday, within one calendar day."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        abstract = True
        ordering = ["weekday", "starts"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError({"ends": _("The end must be later in the day than the start.")})


class OpeningHours(_DailyHours):
    """The clinic's hours on one weekday. A weekday without a row is a closed day."""

    history = HistoricalRecords()

    class Meta(_DailyHours.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(
                fields=["weekday"],
                name="one_opening_hours_per_weekday",
                violation_error_message=_("The clinic already has opening hours on this day."),
            ),
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")), name="opening_hours_end_after_start"
            ),
        ]


class WorkingHours(_DailyHours):
    """A therapist's hours on one weekday. A therapist with no rows at all works the
    clinic's opening hours; one with rows works only on the weekdays they list."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("therapist"),
        limit_choices_to={"is_staff": True},
    )
    history = HistoricalRecords()

    class Meta(_DailyHours.Meta):
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["therapist", "weekday", "starts"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapist", "weekday"],
                name="one_working_hours_per_therapist_and_weekday",
                violation_error_message=_("This therapist already has hours on this day."),
            ),
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")), name="working_hours_end_after_start"
            ),
        ]


class ClosedDay(models.Model):
    """A day the clinic is closed although its weekday has opening hours (a holiday)."""

    date = models.DateField(_("date"), unique=True)
    reason = models.CharField(_("reason"), max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{date_format(self.date, 'SHORT_DATE_FORMAT')} {self.reason}".strip()


def _moment(moment: dt.datetime) -> str:
    # The clinic's wall-clock time (the row holds UTC), its date in the language's format.
    local = timezone.localtime(moment)
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M}"


class TimeOff(models.Model):
    """A therapist away (holiday, sickness, training), from one instant to another."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="time_off",
        verbose_name=_("therapist"),
        limit_choices_to={"is_staff": True},
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("time off")
        verbose_name_plural = _("time off")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_off_ends_after_it_starts"
            ),
        ]
        indexes = [models.Index(fields=["therapist", "ends_at"])]

    def __str__(self) -> str:
        return f"{_moment(self.starts_at)}-{_moment(self.ends_at)}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class CalendarFeed(models.Model):
    """A staff member's secret address for their own diary as a calendar feed.

    Only a SHA-256 hash of the address's token is stored, so a copy of the database
    gives no working address; the address is shown once, when it is made. Revoking
    deletes the row; a new address replaces the old one.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("staff member"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), editable=False)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Calendar feed #%(pk)s") % {"pk": self.pk}

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
