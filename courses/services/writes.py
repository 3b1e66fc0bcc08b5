"""Writes for courses and visits, with the rules that span rows.

Every entry point (admin, patient pages, commands, tasks) saves through these
functions, so the rules hold everywhere. Each write runs in one transaction with the
course row locked, so two staff saving the same course cannot both pass a check that
only one of them may pass, and a failing visit never leaves a half-updated course.
"""

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from clinic.timeutils import clinic_date, clinic_today
from courses.models import Course, MassageKind, Visit
from courses.services.rules import (
    course_validate,
    course_visits_validate,
    visits_check_clinical_permission,
    visits_proposed,
)
from messaging import services as messaging


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
