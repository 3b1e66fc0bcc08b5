"""Writes for courses and visits, with the rules that span rows.

Every entry point (admin, patient pages, commands, tasks) saves through these
functions, so the rules hold everywhere. Each write runs in one transaction with the
course row locked, so two staff saving the same course cannot both pass a check that
only one of them may pass, and a failing visit never leaves a half-updated course.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from clinic.timeutils import clinic_date, clinic_today
from courses.models import Course, MassageKind, Visit
from messaging import services as messaging
from patients.models import Patient, PatientContraindication

# --- checks shared by forms and services ----------------------------------------------


def patient_blocking_message(*, patient: Patient, action: str) -> str | None:
    """Why ``action`` cannot happen for this patient now, or None if nothing blocks it."""
    blocking = list(
        PatientContraindication.objects.blocking()
        .filter(patient=patient)
        .select_related("contraindication")
        .order_by("noted_on", "id")
    )
    if not blocking:
        return None
    return ngettext(
        "%(action)s: %(patient)s has an unresolved contraindication: %(list)s. "
        "Resolve it on the patient's page first.",
        "%(action)s: %(patient)s has unresolved contraindications: %(list)s. "
        "Resolve them on the patient's page first.",
        len(blocking),
    ) % {
        "action": action,
        "patient": patient.full_name,
        "list": "; ".join(record.describe() for record in blocking),
    }


def course_validate(course: Course) -> None:
    """All rules for saving ``course`` as it stands in memory; raises ValidationError."""
    course.full_clean()
    course_check(course)


def course_check(course: Course) -> None:
    """The rules on a course that look beyond its own row (forms call this after
    ``full_clean``)."""
    if course.pk is not None:
        stored_status = (
            Course.objects.filter(pk=course.pk).values_list("status", flat=True).first()
        )
    else:
        stored_status = None
    if course.status == Course.Status.ACTIVE and stored_status != Course.Status.ACTIVE:
        message = patient_blocking_message(
            patient=course.patient, action=_("The course cannot start")
        )
        if message:
            raise ValidationError({NON_FIELD_ERRORS: [message]})
    if course.pk is not None and course.start_date:
        first = (
            course.visits.exclude(status__in=[Visit.Status.CANCELLED])
            .order_by("scheduled_at")
            .values_list("scheduled_at", flat=True)
            .first()
        )
        if first is not None and clinic_date(first) < course.start_date:
            raise ValidationError(
                {
                    "start_date": _("The course has a visit on %(date)s, before this start date.")
                    % {"date": clinic_date(first).isoformat()}
                }
            )


def course_visits_validate(*, course: Course, visits: Sequence[Visit]) -> None:
    """Rules across the visits of one course, given the whole set as it would be saved.

    ``visits`` holds every visit of the course after the change (saved ones with their
    new values, new ones without a pk), so the same check serves a single visit and a
    whole inline formset.
    """
    errors: list[str] = []
    changed = [v for v in visits if v.pk is None or getattr(v, "_changed", True)]

    if course.status in (Course.Status.CANCELLED, Course.Status.COMPLETED) and changed:
        errors.append(
            _("This course is %(status)s: its visits can no longer be added or changed.")
            % {"status": course.get_status_display().lower()}
        )

    done = [v for v in visits if v.is_done]
    if len(done) > course.planned_sessions:
        errors.append(
            _("The course has %(planned)d planned sessions; %(done)d would be marked done.")
            % {"planned": course.planned_sessions, "done": len(done)}
        )

    for visit in changed:
        if visit.scheduled_at and clinic_date(visit.scheduled_at) < course.start_date:
            errors.append(
                _("Session %(n)d is booked for %(date)s, before the course starts on %(start)s.")
                % {
                    "n": visit.sequence,
                    "date": clinic_date(visit.scheduled_at).isoformat(),
                    "start": course.start_date.isoformat(),
                }
            )
        if (
            visit.is_done
            and visit.performed_at
            and clinic_date(visit.performed_at) < course.start_date
        ):
            errors.append(
                _(
                    "Session %(n)d is marked done on %(date)s, "
                    "before the course starts on %(start)s."
                )
                % {
                    "n": visit.sequence,
                    "date": clinic_date(visit.performed_at).isoformat(),
                    "start": course.start_date.isoformat(),
                }
            )

    sequences = [v.sequence for v in visits]
    if len(sequences) != len(set(sequences)):
        errors.append(_("Two sessions of this course have the same number."))

    if course.massage_kind == MassageKind.HONEY:
        errors.extend(_honey_spacing_errors(visits))

    if any(v.is_done and getattr(v, "_newly_done", v.pk is None) for v in visits):
        message = patient_blocking_message(
            patient=course.patient, action=_("The visit cannot be marked done")
        )
        if message:
            errors.append(message)

    if errors:
        raise ValidationError(errors)


def _honey_spacing_errors(visits: Iterable[Visit]) -> list[str]:
    gap = settings.CLINIC_HONEY_MIN_DAYS_BETWEEN
    booked = sorted(
        (v for v in visits if v.status in (Visit.Status.SCHEDULED, Visit.Status.DONE)),
        key=lambda v: v.calendar_date or dt.date.max,
    )
    errors = []
    for earlier, later in zip(booked, booked[1:], strict=False):
        if earlier.calendar_date is None or later.calendar_date is None:
            continue
        if (later.calendar_date - earlier.calendar_date).days < gap:
            errors.append(
                _(
                    "Honey massage needs at least %(gap)d days between sessions: "
                    "sessions %(a)d (%(da)s) and %(b)d (%(db)s) are too close."
                )
                % {
                    "gap": gap,
                    "a": earlier.sequence,
                    "da": earlier.calendar_date.isoformat(),
                    "b": later.sequence,
                    "db": later.calendar_date.isoformat(),
                }
            )
    return errors


def _mark_changes(visits: Sequence[Visit]) -> None:
    """Note on each visit whether it differs from the stored row and is newly done."""
    stored = {
        row["pk"]: row
        for row in Visit.objects.filter(pk__in=[v.pk for v in visits if v.pk]).values(
            "pk", *[f.attname for f in Visit._meta.concrete_fields if f.attname != "id"]
        )
    }
    for visit in visits:
        row = stored.get(visit.pk)
        if row is None:
            visit._changed = True
            visit._newly_done = visit.is_done
            continue
        visit._changed = any(
            getattr(visit, name) != value for name, value in row.items() if name != "pk"
        )
        visit._newly_done = visit.is_done and row["status"] != Visit.Status.DONE


def visits_proposed(
    *, course: Course, changed: Sequence[Visit], deleted: Sequence[Visit] = ()
) -> list[Visit]:
    """The course's visits as they would be after saving ``changed`` and deleting ``deleted``."""
    replaced = {v.pk for v in changed if v.pk} | {v.pk for v in deleted if v.pk}
    others = [v for v in course.visits.all() if v.pk not in replaced] if course.pk else []
    for visit in others:
        visit._changed = False
        visit._newly_done = False
    _mark_changes(changed)
    return [*others, *changed]


# What only staff with ``courses.log_visit`` (therapists, managers) may record: the
# session itself. Booking, moving or cancelling a visit stays open to reception.
VISIT_CLINICAL_FIELDS = (
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


def visits_check_clinical_permission(
    *, visits: Sequence[Visit], by: AbstractBaseUser | None
) -> None:
    """Refuse a change to a visit's clinical fields by staff who may not log sessions.

    ``by=None`` is the system itself (a task, a command), which is trusted.
    """
    if by is None or by.has_perm("courses.log_visit"):
        return
    stored = {
        row["pk"]: row
        for row in Visit.objects.filter(pk__in=[v.pk for v in visits if v.pk]).values(
            "pk", *VISIT_CLINICAL_FIELDS
        )
    }
    defaults = {name: Visit._meta.get_field(name).get_default() for name in VISIT_CLINICAL_FIELDS}
    changed = sorted(
        {
            str(Visit._meta.get_field(name).verbose_name)
            for visit in visits
            for name in VISIT_CLINICAL_FIELDS
            if getattr(visit, name) != stored.get(visit.pk, defaults)[name]
        }
    )
    if changed:
        raise PermissionDenied(
            _("Only therapists and managers can record a session's clinical details: %(fields)s.")
            % {"fields": ", ".join(changed)}
        )


# --- writes ---------------------------------------------------------------------------


def _set_visits_status(visits: QuerySet, status: str) -> None:
    """Set the status of many visits at once, keeping the audit trail a plain update()
    would skip."""
    changed = list(visits)
    for visit in changed:
        visit.status = status
    bulk_update_with_history(changed, Visit, ["status"], batch_size=500)


def _lock_course(course: Course) -> Course:
    return Course.objects.select_for_update().select_related("patient").get(pk=course.pk)


@transaction.atomic
def course_save(*, course: Course) -> Course:
    """Create or change a course. Starting it (status active) checks contraindications."""
    is_new = course.pk is None
    if not is_new:
        _lock_course(course)
    course_validate(course)
    course.save()
    if is_new:
        messaging.patient_repeat_reminders_cancel(patient=course.patient)
    return course


@transaction.atomic
def course_start(*, course: Course) -> Course:
    locked = _lock_course(course)
    if locked.status != Course.Status.PLANNED:
        raise ValidationError(
            _("Only a planned course can start; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    locked.status = Course.Status.ACTIVE
    course_validate(locked)
    locked.save(update_fields=["status"])
    course.status = locked.status
    messaging.patient_repeat_reminders_cancel(patient=locked.patient)
    return locked


@transaction.atomic
def course_cancel(*, course: Course) -> Course:
    locked = _lock_course(course)
    if not locked.is_open:
        raise ValidationError(
            _("Only a planned or active course can be cancelled; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    today = clinic_today()
    locked.status = Course.Status.CANCELLED
    locked.end_date = max(today, locked.start_date)
    locked.save(update_fields=["status", "end_date"])
    _set_visits_status(locked.visits.filter(status=Visit.Status.SCHEDULED), Visit.Status.CANCELLED)
    messaging.visit_messages_sync(visits=locked.visits.select_related("course__patient"))
    course.status, course.end_date = locked.status, locked.end_date
    return locked


@transaction.atomic
def course_complete_early(*, course: Course) -> Course:
    """Staff end a course before its last planned session.

    Sessions booked in the past that never happened count as missed; those still ahead
    are cancelled. The sessions never done stay visible as planned minus done.
    """
    locked = _lock_course(course)
    if locked.status != Course.Status.ACTIVE:
        raise ValidationError(
            _("Only an active course can be completed; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    now = timezone.now()
    pending = locked.visits.filter(status=Visit.Status.SCHEDULED)
    _set_visits_status(pending.filter(scheduled_at__lt=now), Visit.Status.MISSED)
    _set_visits_status(pending.filter(scheduled_at__gte=now), Visit.Status.CANCELLED)
    _finish(locked, early=True)
    course.status, course.end_date, course.completed_early = (
        locked.status,
        locked.end_date,
        locked.completed_early,
    )
    return locked


def _finish(course: Course, *, early: bool) -> None:
    last_done = course.visits.filter(status=Visit.Status.DONE).aggregate(last=Max("performed_at"))[
        "last"
    ]
    end = clinic_date(last_done) if last_done else clinic_today()
    course.status = Course.Status.COMPLETED
    course.end_date = max(end, course.start_date)
    course.completed_early = early
    course.save(update_fields=["status", "end_date", "completed_early"])
    messaging.course_messages_on_completion(course=course)


@transaction.atomic
def visits_save(
    *,
    course: Course,
    visits: Sequence[Visit],
    deleted: Sequence[Visit] = (),
    by: AbstractBaseUser | None = None,
) -> list[Visit]:
    """Save new and changed visits of one course together, then bring the course up to date.

    A course with a done visit is active; one whose planned sessions are all done is
    completed. ``by`` is the staff member saving (None: the system); staff without
    ``courses.log_visit`` cannot change clinical fields.
    """
    locked = _lock_course(course)
    visits_check_clinical_permission(visits=visits, by=by)
    for visit in visits:
        visit.course = locked
        if visit.therapist_id is None:
            visit.therapist_id = locked.therapist_id
        visit.full_clean(exclude=["course"], validate_unique=False, validate_constraints=False)
    course_visits_validate(
        course=locked, visits=visits_proposed(course=locked, changed=visits, deleted=deleted)
    )
    for visit in deleted:
        visit.delete()
    for visit in visits:
        if by is not None:
            # Outside a web request the history would not know who made the change.
            visit._history_user = by
        visit.save()
    messaging.visit_messages_sync(visits=visits)

    done_count = locked.visits.filter(status=Visit.Status.DONE).count()
    if done_count and locked.status == Course.Status.PLANNED:
        locked.status = Course.Status.ACTIVE
        locked.save(update_fields=["status"])
    if done_count >= locked.planned_sessions and locked.status == Course.Status.ACTIVE:
        _finish(locked, early=False)
    course.status, course.end_date = locked.status, locked.end_date
    return list(visits)


def visit_save(*, visit: Visit, by: AbstractBaseUser | None = None) -> Visit:
    visits_save(course=visit.course, visits=[visit], by=by)
    return visit


def visit_next_sequence(course: Course) -> int:
    return (course.visits.aggregate(last=Max("sequence"))["last"] or 0) + 1


def course_schedule_visits(
    *, course: Course, first_at: dt.datetime, user: AbstractBaseUser | None = None
) -> list[Visit]:
    """Book the remaining planned sessions at the course's weekly rhythm."""
    step = dt.timedelta(days=max(1, 7 // course.visits_per_week))
    if course.massage_kind == MassageKind.HONEY:
        step = max(step, dt.timedelta(days=settings.CLINIC_HONEY_MIN_DAYS_BETWEEN))
    start = visit_next_sequence(course)
    visits = [
        Visit(course=course, sequence=n, scheduled_at=first_at + step * i)
        for i, n in enumerate(range(start, course.planned_sessions + 1))
    ]
    return visits_save(course=course, visits=visits)
