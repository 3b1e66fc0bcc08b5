"""The diary's booking rules: who is free when, across courses.

A booked session (scheduled or done) occupies its therapist from ``scheduled_at`` to
``ends_at``. No therapist and no patient has two that overlap, and a newly booked or
moved session lies inside the clinic's opening hours and the therapist's working hours,
on no closed day and in no time off (docs/clinic-rules.md, "The diary"). The rules run
for every write through ``visits_save``; on PostgreSQL the therapist's no-overlap is also
an exclusion constraint (migration ``courses.0006``), which ``visit_clash_refusal``
turns back into words when two staff book the same slot at once.
"""

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.staff import staff_name
from clinic.timeutils import clinic_date, clinic_day_label
from courses.models import Visit
from hours.selectors import WorkingTime
from patients.models import Patient

EXCLUSION_CONSTRAINT = "visit_therapist_no_overlap"


def _span(visit: Visit) -> str:
    start, end = timezone.localtime(visit.scheduled_at), timezone.localtime(visit.ends_at)
    return _("%(start)s-%(end)s on %(day)s") % {
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "day": clinic_day_label(start.date()),
    }


def clash_words(
    *,
    therapist_id: int,
    therapist_name: str,
    patient: Patient,
    start: dt.datetime,
    end: dt.datetime,
    other: Visit,
) -> str | None:
    """Why a session of ``patient`` with the therapist from ``start`` to ``end`` cannot
    share its time with the booking ``other``, in words; None when they do not clash."""
    if not (start < other.ends_at and other.scheduled_at < end):
        return None
    if other.therapist_id == therapist_id:
        return _("%(therapist)s already sees %(patient)s %(span)s.") % {
            "therapist": therapist_name,
            "patient": other.course.patient.full_name,
            "span": _span(other),
        }
    if other.course.patient_id == patient.pk:
        return _("%(patient)s already has a session with %(therapist)s %(span)s.") % {
            "patient": patient.full_name,
            "therapist": staff_name(other.therapist),
            "span": _span(other),
        }
    return None


def visit_is_rebooked(visit: Visit) -> bool:
    """Whether the save books this visit anew: new, moved, given to another therapist or
    length, or booked again after it was missed or cancelled."""
    stored = getattr(visit, "_stored_booking", None)
    if visit.status not in Visit.PLAN_STATUSES:
        return False
    if stored is None:
        return True
    return stored != (visit.scheduled_at, visit.therapist_id, visit.booked_minutes) or (
        getattr(visit, "_stored_status", None) not in Visit.PLAN_STATUSES
    )


def visits_booking_errors(*, visits: Sequence[Visit], deleted: Sequence[Visit] = ()) -> list[str]:
    """What keeps ``visits`` (new or changed, possibly of several courses) from being
    booked as they are, against each other and every other booking, in words.

    A constant number of queries whatever the number of visits: the one-step booking of
    a whole course checks its sessions together.
    """
    rebooked = [v for v in visits if visit_is_rebooked(v)]
    if not rebooked:
        return []
    for visit in rebooked:
        visit.fill_booking()
    therapist_ids = {v.therapist_id for v in rebooked}
    patient_ids = {v.course.patient_id for v in rebooked}
    first = min(v.scheduled_at for v in rebooked)
    last = max(v.ends_at for v in rebooked)
    leaving = {v.pk for v in (*visits, *deleted) if v.pk}
    others = list(
        Visit.objects.booked()
        .filter(Q(therapist_id__in=therapist_ids) | Q(course__patient_id__in=patient_ids))
        .filter(scheduled_at__lt=last, ends_at__gt=first)
        .exclude(pk__in=leaving)
        .select_related("course__patient", "therapist")
    )
    staying = [v for v in visits if v.status in Visit.PLAN_STATUSES and v not in rebooked]
    names = {
        user.pk: staff_name(user) for user in get_user_model().objects.filter(pk__in=therapist_ids)
    }
    working = WorkingTime.load(
        therapist_ids=therapist_ids, first_day=clinic_date(first), last_day=clinic_date(last)
    )

    errors: list[str] = []
    for index, visit in enumerate(rebooked):
        prefix = _("Session %(n)d: ") % {"n": visit.sequence}
        patient = visit.course.patient
        candidates = [*others, *staying, *rebooked[:index]]
        for other in candidates:
            words = clash_words(
                therapist_id=visit.therapist_id,
                therapist_name=names[visit.therapist_id],
                patient=patient,
                start=visit.scheduled_at,
                end=visit.ends_at,
                other=other,
            )
            if words:
                errors.append(prefix + words)
                break
        if visit.status != Visit.Status.SCHEDULED:
            continue  # a session already given is recorded as it happened
        refusal = working.refusal(
            therapist_id=visit.therapist_id,
            therapist_name=names[visit.therapist_id],
            start=visit.scheduled_at,
            end=visit.ends_at,
        )
        if refusal:
            errors.append(prefix + refusal)
    return errors


def visit_clash_refusal(*, visits: Sequence[Visit]) -> str:
    """Why the database refused ``visits`` with its no-overlap constraint: another
    booking of the slot won the race and is committed now."""
    for visit in visits:
        visit._stored_booking = None
    errors = visits_booking_errors(visits=visits)
    return errors[0] if errors else _("Another booking took this slot a moment ago.")


def course_day_conflicts(*, visits: Sequence[Visit], changed: Sequence[Visit]) -> list[str]:
    """A course has at most one booked session a day; reported for the days a change
    touches, so that older bookings do not block an unrelated save."""
    by_day: dict[dt.date, list[int]] = {}
    touched = {clinic_date(v.scheduled_at) for v in changed if visit_is_rebooked(v)}
    for visit in visits:
        if visit.status in Visit.PLAN_STATUSES and visit.scheduled_at:
            by_day.setdefault(clinic_date(visit.scheduled_at), []).append(visit.sequence)
    return [
        _("Sessions %(list)s are booked on the same day, %(day)s: a course has one session a day.")
        % {"list": ", ".join(str(n) for n in sorted(numbers)), "day": clinic_day_label(day)}
        for day, numbers in sorted(by_day.items())
        if len(numbers) > 1 and day in touched
    ]
