"""Writes for courses and visits, with the rules that span rows.

Every entry point (admin, patient pages, commands, tasks) saves through these
functions, so the rules hold everywhere. Each write runs in one transaction with the
course row locked, so two staff saving the same course cannot both pass a check that
only one of them may pass, and a failing visit never leaves a half-updated course.
"""

from collections.abc import Sequence
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from clinic.timeutils import clinic_date, clinic_today
from courses.models import Course, Visit
from courses.services.booking import (
    EXCLUSION_CONSTRAINT,
    course_day_conflicts,
    visit_clash_refusal,
    visit_is_rebooked,
    visits_booking_errors,
)
from courses.services.rules import (
    course_validate,
    course_visits_validate,
    visits_check_clinical_permission,
    visits_mark_changes,
    visits_proposed,
)
from messaging import services as messaging


@contextmanager
def _no_overlap_checked_at_the_end():
    """On PostgreSQL, check the therapist's no-overlap constraint once all the visits of
    a save are in place, so that sessions of one save may swap slots; still inside the
    savepoint, so that a clash is told in words (SQLite has no such constraint)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {EXCLUSION_CONSTRAINT} DEFERRED")
        yield
        cursor.execute(f"SET CONSTRAINTS {EXCLUSION_CONSTRAINT} IMMEDIATE")


def _lock_diaries(visits: Sequence[Visit]) -> None:
    """Take the diaries of the therapists a save books, in one order, before checking
    them: a second booking of the same therapist waits for the first to commit, then
    sees it and is refused in words. Without it, two saves that each wait at the end for
    the other's row would deadlock on the deferred no-overlap constraint. ``no_key``: a
    visit referring to the therapist may still be written meanwhile."""
    therapist_ids = {v.therapist_id for v in visits if visit_is_rebooked(v)}
    if therapist_ids:
        User = get_user_model()
        list(
            User.objects.select_for_update(no_key=True)
            .filter(pk__in=therapist_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _lock_course(course: Course) -> Course:
    return Course.objects.select_for_update().select_related("patient").get(pk=course.pk)


def _summary_refresh(course_ids: set[int]) -> None:
    """The summary columns of courses whose visits changed, as the visits now say: one
    UPDATE, under the lock the write holds on each course."""
    Course.objects.filter(pk__in=course_ids).summaries_refresh()


def _counts_in_summary(visit: Visit) -> bool:
    """Whether writing ``visit`` can change a course's summary: it is, or was until
    this write, a session done, missed or cancelled."""
    stored = getattr(visit, "_stored_status", Visit.Status.SCHEDULED)
    return (visit.status, stored) != (Visit.Status.SCHEDULED, Visit.Status.SCHEDULED)


def _course_opened(course: Course) -> None:
    """Every way a course opens (planned, started, reopened) answers the patient's
    repeat-course reminders: none is due while the patient has an open course."""
    messaging.patient_repeat_reminders_cancel(patient=course.patient)


def _course_changes(course: Course) -> bool:
    stored = Course.objects.filter(pk=course.pk).values().first()
    return stored is None or any(
        getattr(course, name) != value for name, value in stored.items() if name != "created_at"
    )


@transaction.atomic
def course_save(*, course: Course) -> Course:
    """Create or change a course. A new course may be created active (started), which
    checks contraindications.

    A saved course's status, end date and early completion follow its sessions and the
    actions (``course_start``, ``course_complete_early``, ``course_cancel``): they stay
    as the row holds them under the lock, even if ``course`` was read before a session
    changed them. A save that changes nothing writes nothing (no history entry either).
    """
    is_new = course.pk is None
    if not is_new:
        locked = _lock_course(course)
        course.status, course.end_date = locked.status, locked.end_date
        course.completed_early = locked.completed_early
        # The summary as the locked row holds it: a course read before a session was
        # logged must not write back the figures it read.
        for name in Course.SUMMARY_FIELDS:
            setattr(course, name, getattr(locked, name))
        if not _course_changes(course):
            return course
    course_validate(course)
    course.save()
    if is_new:
        _course_opened(course)
    elif course.status == Course.Status.ACTIVE:
        # A plan lowered to the sessions already done completes the course.
        _course_sync_status(course)
        _summary_refresh({course.pk})
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
    _course_opened(locked)
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
    _visits_set_status(locked.visits.filter(status=Visit.Status.SCHEDULED), Visit.Status.CANCELLED)
    _summary_refresh({locked.pk})
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
    _visits_set_status(pending.filter(scheduled_at__lt=now), Visit.Status.MISSED)
    _finish(locked, early=True)
    _summary_refresh({locked.pk})
    course.status, course.end_date, course.completed_early = (
        locked.status,
        locked.end_date,
        locked.completed_early,
    )
    return locked


@transaction.atomic
def course_delete(*, course: Course) -> None:
    """Delete a course entered by mistake: only while nothing of it is on the record."""
    locked = _lock_course(course)
    recorded = locked.visits.filter(status__in=[Visit.Status.DONE, Visit.Status.MISSED])
    if recorded.exists() or not locked.is_open:
        raise ValidationError(
            _(
                "%(course)s has sessions on the record or is closed, so it stays: cancel or "
                "complete it instead of deleting it."
            )
            % {"course": locked}
        )
    locked.delete()


def _visits_set_status(visits: QuerySet, status: str) -> None:
    """Set the status of many visits at once, keeping the audit trail a plain update()
    would skip, and put their messages right."""
    changed = list(visits.select_related("course__patient"))
    for visit in changed:
        visit.status = status
    bulk_update_with_history(changed, Visit, ["status"], batch_size=500)
    messaging.visit_messages_sync(visits=changed)


def _finish(course: Course, *, early: bool) -> None:
    """Complete the course: what is still booked is cancelled, with its reminders."""
    _visits_set_status(course.visits.filter(status=Visit.Status.SCHEDULED), Visit.Status.CANCELLED)
    last_done = course.visits.done().aggregate(last=Max("performed_at"))["last"]
    end = clinic_date(last_done) if last_done else clinic_today()
    course.status = Course.Status.COMPLETED
    course.end_date = max(end, course.start_date)
    course.completed_early = early
    course.save(update_fields=["status", "end_date", "completed_early"])
    messaging.course_messages_on_completion(course=course)


def _reopen(course: Course) -> None:
    """A session of a completed course was undone: the course runs again."""
    course.status = Course.Status.ACTIVE
    course.end_date = None
    course.completed_early = False
    course.save(update_fields=["status", "end_date", "completed_early"])
    messaging.course_messages_on_reopening(course=course)
    _course_opened(course)


def _course_sync_status(course: Course, done: int | None = None) -> None:
    """The course's status as its done sessions say: active from the first done session,
    completed with the last planned one, reopened when it falls below its plan. ``done``:
    the number of done sessions, when the caller holds them all under the lock."""
    if done is None:
        done = course.visits.done().count()
    if done and course.status == Course.Status.PLANNED:
        course.status = Course.Status.ACTIVE
        course.save(update_fields=["status"])
        _course_opened(course)
    elif course.status == Course.Status.COMPLETED and done < course.planned_sessions:
        _reopen(course)
    if course.status == Course.Status.ACTIVE and done >= course.planned_sessions:
        _finish(course, early=False)


@transaction.atomic
def visits_save(
    *,
    course: Course,
    visits: Sequence[Visit],
    deleted: Sequence[Visit] = (),
    by: AbstractBaseUser | None = None,
) -> list[Visit]:
    """Save new and changed visits of one course together and delete ``deleted``, then
    bring the course and the patient's messages up to date.

    A course with a done visit is active; one whose planned sessions are all done is
    completed, and undoing one of its sessions reopens it. ``by`` is the staff member
    saving (None: the system); staff without ``courses.log_visit`` cannot change
    clinical fields. A visit that changes nothing is not written.
    """
    locked = _lock_course(course)
    # The course's visits as stored, read once under the lock: what changes and what stays.
    stored = list(locked.visits.all())
    visits_mark_changes(visits, known=stored)
    changed = [v for v in visits if v._changed]
    # Only sessions done, missed or cancelled count in a summary: booking or moving one
    # still to happen leaves it as it is. A visit moved here from another course changes
    # that course's summary too.
    counted = [v for v in [*changed, *deleted] if _counts_in_summary(v)]
    summarised = ({locked.pk} if counted else set()) | {
        v._stored_course_id for v in counted if getattr(v, "_stored_course_id", None)
    }
    for visit in changed:
        visit.course = locked
        # A therapist the stored row already names was checked when the visit was booked.
        kept = (
            ["therapist"]
            if (visit._stored_booking or (None, None))[1] == visit.therapist_id
            else []
        )
        # Cleaning fills in the time of a session marked done and clears an undone one.
        visit.full_clean(
            exclude=["course", *kept], validate_unique=False, validate_constraints=False
        )
    visits_check_clinical_permission(visits=changed, by=by)
    proposed = visits_proposed(
        course=locked, changed=changed, deleted=deleted, marked=True, stored=stored
    )
    course_visits_validate(course=locked, visits=proposed, deleted=deleted)
    _lock_diaries(changed)
    errors = course_day_conflicts(visits=proposed, changed=changed)
    errors += visits_booking_errors(visits=changed, deleted=deleted)
    if errors:
        raise ValidationError(errors)
    for visit in deleted:
        visit.delete()
    for visit in changed:
        if by is not None:
            # Outside a web request the history would not know who made the change.
            visit._history_user = by
    try:
        if len(changed) > 1 and any(visit_is_rebooked(visit) for visit in changed):
            with transaction.atomic(), _no_overlap_checked_at_the_end():
                for visit in changed:
                    visit.save()
        elif any(visit_is_rebooked(visit) for visit in changed):
            # One booking cannot swap slots with another: nothing to defer.
            with transaction.atomic():
                changed[0].save()
        else:
            # Logging a session keeps its booking: no new overlap can arise, so there is
            # no clash to tell in words.
            for visit in changed:
                visit.save()
    except IntegrityError as error:
        if EXCLUSION_CONSTRAINT not in str(error):
            raise
        raise ValidationError(visit_clash_refusal(visits=changed)) from error
    for visit in changed:
        visit._stored_status, visit._stored_course_id = visit.status, visit.course_id
        visit._stored_booking = (visit.scheduled_at, visit.therapist_id, visit.booked_minutes)
    messaging.visit_messages_sync(visits=changed)
    _course_sync_status(locked, done=sum(1 for visit in proposed if visit.is_done))
    if summarised:
        _summary_refresh(summarised)
    course.status, course.end_date = locked.status, locked.end_date
    course.completed_early = locked.completed_early
    return list(visits)


def visit_save(*, visit: Visit, by: AbstractBaseUser | None = None) -> Visit:
    # visits_save reads the course under its lock: reading it here first cost a query.
    cached = Visit.course.is_cached(visit) or visit.course_id is None
    visits_save(
        course=visit.course if cached else Course(pk=visit.course_id), visits=[visit], by=by
    )
    return visit


def visits_delete(*, visits: Sequence[Visit], by: AbstractBaseUser | None = None) -> int:
    """Delete booked sessions made by mistake, course by course, all or nothing.

    Done and missed sessions, and those of a closed course, are refused (see
    ``Visit.deletion_refusal``): the record keeps them.
    """
    by_course: dict[int, list[Visit]] = {}
    for visit in visits:
        by_course.setdefault(visit.course_id, []).append(visit)
    with transaction.atomic():
        for group in by_course.values():
            visits_save(course=group[0].course, visits=[], deleted=group, by=by)
    return len(visits)


def visit_next_sequence(course: Course) -> int:
    return (course.visits.aggregate(last=Max("sequence"))["last"] or 0) + 1
