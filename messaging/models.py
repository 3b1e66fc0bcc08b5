import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clinic.staff import staff_name
from courses.models import PAIN_VALIDATORS, Course, PainScoreField
from patients.models import new_link_key


class MessageQuerySet(models.QuerySet):
    def open(self) -> "MessageQuerySet":
        """Not yet sent and not given up: pending, or claimed by a sender."""
        return self.filter(status__in=Message.OPEN_STATUSES)

    def to_patients(self) -> "MessageQuerySet":
        return self.exclude(kind=Message.Kind.STAFF_ALERT)

    def with_new_course(self) -> "MessageQuerySet":
        """Each message with ``patient_has_new_course``: its patient has a course open,
        or one (not cancelled) started after the message's course; what makes a
        repeat-course reminder pointless. Read with a batch to send, in its one query."""
        newer = (
            Course.objects.filter(
                patient=OuterRef("patient_id"), created_at__gt=OuterRef("course__created_at")
            )
            .exclude(pk=OuterRef("course_id"))
            .exclude(status=Course.Status.CANCELLED)
        )
        open_course = Course.objects.open().filter(patient=OuterRef("patient_id"))
        return self.annotate(
            patient_has_new_course=ExpressionWrapper(
                Q(Exists(newer)) | Q(Exists(open_course)), output_field=BooleanField()
            )
        )

    def past_lease(self, now: dt.datetime) -> "MessageQuerySet":
        return self.filter(past_lease(now))

    def needing_attention(self, now: dt.datetime) -> "MessageQuerySet":
        """Being sent past their lease (a worker died or the database or Redis was
        down; the next dispatch takes them again), or that may have arrived."""
        return self.filter(past_lease(now) | Q(status=Message.Status.UNCERTAIN))


def past_lease(now: dt.datetime) -> Q:
    """Claimed by a sender that has not finished within the lease: it is no longer
    working on them, and a dispatch may claim them again."""
    lease = dt.timedelta(seconds=settings.CLINIC_MESSAGE_LEASE_SECONDS)
    return Q(status=Message.Status.SENDING, claimed_at__lt=now - lease)


# What names one message of each kind: the constraints below allow one row per name,
# and scheduling the same message again finds that row by it (``Message.identity``).
VISIT_KINDS = ["visit_reminder", "post_visit_check_in"]
COURSE_KINDS = ["repeat_course_reminder", "end_of_course_follow_up"]
IDENTIFYING_FIELDS = {
    **dict.fromkeys(VISIT_KINDS, ("visit",)),
    **dict.fromkeys(COURSE_KINDS, ("course", "number")),
    "staff_alert": ("feedback",),
}


class Message(models.Model):
    """One message to send. The row is the truth: a sender claims it, sends, marks it."""

    class Kind(models.TextChoices):
        REPEAT_COURSE_REMINDER = "repeat_course_reminder", _("Repeat-course reminder")
        VISIT_REMINDER = "visit_reminder", _("Visit reminder")
        POST_VISIT_CHECK_IN = "post_visit_check_in", _("Post-visit check-in")
        END_OF_COURSE_FOLLOW_UP = "end_of_course_follow_up", _("End-of-course follow-up")
        STAFF_ALERT = "staff_alert", _("Staff alert")

    # In a context of their own: a course's and a visit's "Cancelled" agree with a
    # masculine noun in Russian, a message's with a neuter one.
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("message status", "Pending")
        SENDING = "sending", pgettext_lazy("message status", "Being sent")
        SENT = "sent", pgettext_lazy("message status", "Sent")
        FAILED = "failed", pgettext_lazy("message status", "Failed")
        # The mail server took the content twice and never confirmed it: not resent.
        UNCERTAIN = "uncertain", pgettext_lazy("message status", "May have arrived")
        CANCELLED = "cancelled", pgettext_lazy("message status", "Cancelled")

    OPEN_STATUSES = (Status.PENDING, Status.SENDING)
    # Kinds that ask the patient for a pain score through a link.
    FEEDBACK_KINDS = (Kind.POST_VISIT_CHECK_IN, Kind.END_OF_COURSE_FOLLOW_UP)

    kind = models.CharField(pgettext_lazy("message", "kind"), max_length=30, choices=Kind.choices)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("patient"),
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("course"),
    )
    visit = models.ForeignKey(
        "courses.Visit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("visit"),
    )
    feedback = models.ForeignKey(
        "messaging.Feedback",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("feedback"),
        help_text=_("For a staff alert: the answer that raised it."),
    )
    number = models.PositiveSmallIntegerField(
        _("reminder no."), default=1, help_text=_("1 for the first repeat-course reminder, …")
    )
    due_at = models.DateTimeField(_("due at"))
    # Names the message in its feedback link (``tokens.feedback_token``): random, so the
    # link shows no id, and unique, so it finds one message.
    link_key = models.CharField(max_length=32, unique=True, default=new_link_key, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    claim = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Set when a transient error put the message back: the dispatch scan takes it again
    # from then on, so a retry waits as a row, not as a countdown in the broker.
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True, editable=False
    )
    # The mail server once took the whole message without confirming it: it is sent
    # again once, with the same Message-ID, and never more.
    may_have_arrived = models.BooleanField(_("may have arrived"), default=False, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", *IDENTIFYING_FIELDS["visit_reminder"]],
                condition=Q(kind__in=VISIT_KINDS),
                name="one_message_of_a_kind_per_visit",
                violation_error_message=_("This visit already has a message of this kind."),
            ),
            models.UniqueConstraint(
                fields=["kind", *IDENTIFYING_FIELDS["repeat_course_reminder"]],
                condition=Q(kind__in=COURSE_KINDS),
                name="one_message_of_a_kind_and_number_per_course",
                violation_error_message=_("This course already has this message."),
            ),
            models.UniqueConstraint(
                fields=list(IDENTIFYING_FIELDS["staff_alert"]),
                condition=Q(kind="staff_alert"),
                name="one_staff_alert_per_feedback",
                violation_error_message=_("This answer already raised a staff alert."),
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=VISIT_KINDS) | Q(visit__isnull=False),
                name="visit_message_has_a_visit",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=COURSE_KINDS) | Q(course__isnull=False),
                name="course_message_has_a_course",
            ),
            models.CheckConstraint(
                condition=~Q(kind="staff_alert") | Q(feedback__isnull=False),
                name="staff_alert_has_feedback",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claim__isnull=False, claimed_at__isnull=False),
                name="message_being_sent_is_claimed",
            ),
        ]
        indexes = [
            # The dispatch scan: open messages by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["pending", "sending"]),
                name="message_open_due_idx",
            ),
            models.Index(fields=["patient", "status"]),
            # The home page's failed and uncertain messages, and the message list
            # filtered by status, newest first.
            models.Index(fields=["status", "due_at"], name="message_status_due_idx"),
            # The message list filtered by kind, newest first, and its drill-down's first
            # and last dates.
            models.Index(fields=["kind", "due_at"], name="message_kind_due_idx"),
            # The message list, newest first (Meta.ordering), walked backwards.
            models.Index(fields=["due_at", "id"], name="message_due_idx"),
            # The home page's patients due for a repeat course: reminders walked in due
            # order, and each patient's earlier reminders looked up.
            models.Index(
                fields=["due_at"],
                condition=Q(kind="repeat_course_reminder"),
                name="message_repeat_due_idx",
            ),
            models.Index(
                fields=["patient", "due_at"],
                condition=Q(kind="repeat_course_reminder"),
                name="message_repeat_patient_idx",
            ),
            # Each patient's next repeat-course reminder, on the patient list (and
            # sorted by, a probe per patient).
            models.Index(
                fields=["patient", "due_at"],
                condition=Q(kind="repeat_course_reminder", status__in=["pending", "sending"]),
                name="message_repeat_next_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @staticmethod
    def identity(kind: str, **fields) -> dict:
        """The lookup that finds the one message of ``kind`` named by ``fields``."""
        return {"kind": kind, **{name: fields[name] for name in IDENTIFYING_FIELDS[kind]}}

    @property
    def asks_for_feedback(self) -> bool:
        return self.kind in self.FEEDBACK_KINDS

    def retry_deadline(self) -> dt.datetime:
        """Until when a message the mail server could not take is worth trying again: a
        visit reminder until its visit, the others for their kind's setting."""
        if self.kind == self.Kind.VISIT_REMINDER:
            return self.visit.scheduled_at
        return self.due_at + dt.timedelta(hours=settings.CLINIC_MESSAGE_RETRY_HOURS[self.kind])

    @property
    def mail_id(self) -> str:
        """The e-mail's ``Message-ID``, the same on every attempt, so that a receiving
        server or the patient's mail client can tell a repeat from a new message.

        The creation time keeps it unique when a new database starts its ids again.
        """
        domain = urlsplit(settings.CLINIC_SITE_URL).hostname or "localhost"
        return f"<message.{self.pk}.{self.created_at:%Y%m%d%H%M%S}@{domain}>"


class FeedbackQuerySet(models.QuerySet):
    def unacknowledged_rises(self) -> "FeedbackQuerySet":
        """Answers whose pain rose by the alert threshold and that no therapist has
        acknowledged yet: each one flags its course."""
        return self.filter(raises_alert=True, acknowledged_at__isnull=True)


class Feedback(models.Model):
    """A patient's answer to a check-in or follow-up: pain now (0-10) and a comment.

    An answer whose pain rose (``raises_alert``) flags its course until a therapist
    acknowledges it (``services.feedback_acknowledge``).
    """

    message = models.OneToOneField(
        Message,
        on_delete=models.CASCADE,
        related_name="answer",
        verbose_name=_("message"),
    )
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("patient"),
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("course"),
    )
    visit = models.ForeignKey(
        "courses.Visit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("visit"),
    )
    pain = PainScoreField(_("pain now (0-10)"), validators=PAIN_VALIDATORS)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    pain_before_visit = models.PositiveSmallIntegerField(
        _("pain before the visit"), null=True, blank=True, editable=False
    )
    raises_alert = models.BooleanField(_("pain rose"), default=False, editable=False)
    submitted_at = models.DateTimeField(_("answered at"), auto_now_add=True)
    # Editable as far as Django is concerned, so that the history shows them changing;
    # only ``services.feedback_acknowledge`` sets them, and the admin shows them read-only.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    objects = FeedbackQuerySet.as_manager()
    # Who acknowledged a rise, and when, in the audit trail. The comment is the
    # patient's own words and never changes: left out, so that anonymising the patient
    # (which empties it) leaves no copy behind in the history.
    history = HistoricalRecords(excluded_fields=["comment"])

    class Meta:
        verbose_name = _("pain feedback")
        # English has one form for both; Russian has two (ответ, ответы).
        verbose_name_plural = pgettext_lazy("plural", "pain feedback")
        ordering = ["-submitted_at", "-id"]
        permissions = [("acknowledge_feedback", _("Can acknowledge a reported rise in pain"))]
        constraints = [
            models.CheckConstraint(condition=Q(pain__lte=10), name="feedback_pain_0_to_10"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(raises_alert=True),
                name="feedback_acknowledged_only_if_pain_rose",
                violation_error_message=_(
                    "Only an answer that reported a rise in pain can be acknowledged."
                ),
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="feedback_acknowledged_by_someone_at_a_time",
                violation_error_message=_(
                    "An acknowledgement needs both who acknowledged and when."
                ),
            ),
        ]

    def __str__(self) -> str:
        return _("Pain %(pain)d/10") % {"pain": self.pain}

    def acknowledgement(self) -> str:
        """Who acknowledged the rise and when, for staff; empty while no one has."""
        if self.acknowledged_at is None:
            return ""
        by = self.acknowledged_by
        return _("by %(who)s, %(when)s") % {
            "who": staff_name(by),
            "when": date_format(timezone.localtime(self.acknowledged_at), "DATETIME_FORMAT"),
        }


class AnswerAttempts(models.Model):
    """How many answers were posted through a message's feedback link in the current
    window, so that a link cannot be hammered (see ``services.answer_attempt_register``).

    Counted in the database rather than Django's cache: the default cache is per process,
    so with several web processes or machines each would allow the limit again, and the
    database is what they all share, on one machine or many. Patients answer rarely, so
    the extra row write per answer costs nothing that matters.
    """

    message = models.OneToOneField(
        Message,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="answer_attempts",
        verbose_name=_("message"),
    )
    window_started_at = models.DateTimeField(_("window started at"))
    count = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("answer attempts")
        verbose_name_plural = _("answer attempts")

    def __str__(self) -> str:
        return _("%(count)d attempts since %(since)s") % {
            "count": self.count,
            "since": self.window_started_at,
        }
