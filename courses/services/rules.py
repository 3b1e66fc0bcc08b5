"""The rules on courses and visits that look beyond one row.

Forms call them to show errors before saving; the writes in ``courses.services.writes``
call them again under the course's row lock, so no entry point can skip them.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinic.timeutils import clinic_date, clinic_day_label
from courses.models import Course, MassageKind, Visit
from patients.models import Patient, PatientContraindication


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
    stored = Course.objects.filter(pk=course.pk).first() if course.pk is not None else None
    if stored is not None and stored.status in Course.CLOSED_STATUSES:
        changed = [
            str(field.verbose_name)
            for field in Course._meta.concrete_fields
            if field.name not in ("notes", "status", "end_date", "completed_early")
            and getattr(course, field.attname) != getattr(stored, field.attname)
        ]
        if changed:
            raise ValidationError(
                _("This course is %(status)s: only its notes can change (not %(fields)s).")
                % {"status": stored.get_status_display().lower(), "fields": ", ".join(changed)}
            )
    if course.status == Course.Status.ACTIVE and (
        stored is None or stored.status != Course.Status.ACTIVE
    ):
        message = patient_blocking_message(
            patient=course.patient, action=_("The course cannot start")
        )
        if message:
            raise ValidationError({NON_FIELD_ERRORS: [message]})
    if stored is None:
        return
    if course.start_date:
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
    if course.planned_sessions is not None:
        booked = course.visits.booked().count()
        if booked > course.planned_sessions:
            raise ValidationError(
                {
                    "planned_sessions": _(
                        "The course has %(booked)d sessions done or booked: plan at least "
                        "that many, or cancel the sessions it no longer needs first."
                    )
                    % {"booked": booked}
                }
            )


def course_visits_validate(
    *, course: Course, visits: Sequence[Visit], deleted: Sequence[Visit] = ()
) -> None:
    """Rules across the visits of one course, given the whole set as it would be saved.

    ``visits`` holds every visit of the course after the change (saved ones with their
    new values, new ones without a pk; see ``visits_proposed``) and ``deleted`` those
    the change deletes, so the same check serves a single visit and a whole inline
    formset.
    """
    errors: list[str] = []
    changed = [v for v in visits if v.pk is None or getattr(v, "_changed", True)]
    errors.extend(filter(None, (visit.deletion_refusal() for visit in deleted)))

    if course.status == Course.Status.CANCELLED and changed:
        errors.append(_("This course is cancelled: its visits can no longer be added or changed."))
    elif course.status == Course.Status.COMPLETED:
        if any(not visit.is_being_undone for visit in changed):
            errors.append(
                _(
                    "This course is completed: its visits can no longer be added or changed. "
                    "To correct a session, set it back to scheduled: the course reopens."
                )
            )
        elif changed:
            errors.extend(_reopening_errors(course))

    for visit in changed:
        if visit.pk is not None and getattr(visit, "_stored_course_id", visit.course_id) not in (
            None,
            course.pk,
        ):
            errors.append(
                _("Session %(n)d belongs to another course and cannot move to this one.")
                % {"n": visit.sequence}
            )

    done = [v for v in visits if v.is_done]
    if len(done) > course.planned_sessions:
        errors.append(
            _("The course has %(planned)d planned sessions; %(done)d would be marked done.")
            % {"planned": course.planned_sessions, "done": len(done)}
        )
    else:
        booked = [v for v in visits if v.status in Visit.PLAN_STATUSES]
        if len(booked) > course.planned_sessions and any(
            v.status in Visit.PLAN_STATUSES for v in changed
        ):
            errors.append(
                _(
                    "The course has %(planned)d planned sessions and %(booked)d would be done "
                    "or booked. Cancel a session, or mark it missed, before booking another."
                )
                % {"planned": course.planned_sessions, "booked": len(booked)}
            )

    by_day: dict[dt.date, list[Visit]] = {}
    for visit in done:
        by_day.setdefault(visit.calendar_date, []).append(visit)
    for day, same_day in sorted(by_day.items()):
        if len(same_day) > 1 and any(v in changed for v in same_day):
            errors.append(
                _(
                    "Sessions %(list)s are all marked done on %(day)s: a course has at most "
                    "one session a day."
                )
                % {
                    "list": ", ".join(str(n) for n in sorted(v.sequence for v in same_day)),
                    "day": clinic_day_label(day),
                }
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


def _reopening_errors(course: Course) -> list[str]:
    """Undoing a session of a completed course reopens it: not while the patient has
    another open course for the same region (one open course per patient and region)."""
    other = (
        Course.objects.open()
        .filter(patient_id=course.patient_id, region=course.region)
        .exclude(pk=course.pk)
        .first()
    )
    if other is None:
        return []
    return [
        _(
            "The session cannot be set back: the course would reopen, and %(patient)s already "
            "has an open course for this spine region (%(status)s, from %(start)s). Complete "
            "or cancel that course first."
        )
        % {
            "patient": course.patient.full_name,
            "status": other.get_status_display().lower(),
            "start": other.start_date.isoformat(),
        }
    ]


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


def visits_mark_changes(visits: Sequence[Visit], known: Sequence[Visit] = ()) -> None:
    """Note on each visit whether it differs from the stored row and is newly done.
    ``known``: visits just read from the database, whose rows need no second read."""
    names = [f.attname for f in Visit._meta.concrete_fields if f.attname != "id"]
    stored = {
        row.pk: {"pk": row.pk, **{name: getattr(row, name) for name in names}} for row in known
    }
    unknown = [v.pk for v in visits if v.pk and v.pk not in stored]
    if unknown:
        rows = Visit.objects.filter(pk__in=unknown).values("pk", *names)
        stored.update((row["pk"], row) for row in rows)
    for visit in visits:
        row = stored.get(visit.pk)
        if row is None:
            visit._stored_booking = None
            visit._changed = True
            visit._newly_done = visit.is_done
            continue
        visit._stored_status, visit._stored_course_id = row["status"], row["course_id"]
        visit._stored_booking = (row["scheduled_at"], row["therapist_id"], row["booked_minutes"])
        visit._changed = any(
            getattr(visit, name) != value for name, value in row.items() if name != "pk"
        )
        visit._newly_done = visit.is_done and row["status"] != Visit.Status.DONE


def visits_proposed(
    *,
    course: Course,
    changed: Sequence[Visit],
    deleted: Sequence[Visit] = (),
    marked: bool = False,
    stored: Sequence[Visit] | None = None,
) -> list[Visit]:
    """The course's visits as they would be after saving ``changed`` and deleting ``deleted``.

    ``marked``: the caller has just compared ``changed`` with the stored rows
    (``visits_mark_changes``), under the course's lock; they are not read again.
    ``stored``: the course's visits as the caller just read them."""
    replaced = {v.pk for v in changed if v.pk} | {v.pk for v in deleted if v.pk}
    if stored is None:
        stored = course.visits.all() if course.pk else []
    others = [v for v in stored if v.pk not in replaced]
    for visit in others:
        visit._changed = False
        visit._newly_done = False
    if not marked:
        visits_mark_changes(changed)
    return [*others, *changed]


VISIT_CLINICAL_FIELDS = Visit.CLINICAL_FIELDS


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
