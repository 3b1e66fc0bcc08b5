"""POST data for the course page in the admin, as the browser would send it."""

import datetime as dt

from django.utils import timezone

from courses.models import Course, Visit


def _split(moment: dt.datetime | None) -> tuple[str, str]:
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def visit_row(visit: Visit, **changes) -> dict:
    row = {
        "id": visit.pk or "",
        "course": visit.course_id or "",
        "sequence": visit.sequence,
        "scheduled_at": visit.scheduled_at,
        "status": visit.status,
        "performed_at": visit.performed_at,
        "duration_minutes": visit.duration_minutes or "",
        "position": visit.position,
        "techniques": list(visit.techniques or []),
        "intensity": visit.intensity,
        "exacerbation": visit.exacerbation,
        "pain_before": "" if visit.pain_before is None else visit.pain_before,
        "pain_after": "" if visit.pain_after is None else visit.pain_after,
        "notes": visit.notes,
    }
    row.update(changes)
    return row


def course_page_data(course: Course, rows: list[dict], initial: int) -> dict:
    """The course form and its visit inline: ``rows`` are visit_row() dicts, the first
    ``initial`` of them for visits already saved."""
    data = {
        "patient": course.patient_id,
        "kind": course.kind,
        "planned_sessions": course.planned_sessions,
        "region": course.region,
        "massage_kind": course.massage_kind,
        "visits_per_week": course.visits_per_week,
        "therapist": course.therapist_id,
        "start_date": course.start_date.isoformat(),
        "notes": course.notes,
        "visits-TOTAL_FORMS": len(rows),
        "visits-INITIAL_FORMS": initial,
        "visits-MIN_NUM_FORMS": 0,
        "visits-MAX_NUM_FORMS": 1000,
        # The patient's answers: shown read-only, but the page still sends the formset.
        "feedback-TOTAL_FORMS": 0,
        "feedback-INITIAL_FORMS": 0,
        "_save": "Save",
    }
    for i, row in enumerate(rows):
        prefix = f"visits-{i}-"
        for name, value in row.items():
            if name in ("scheduled_at", "performed_at"):
                data[f"{prefix}{name}_0"], data[f"{prefix}{name}_1"] = _split(value)
            elif name in ("exacerbation", "DELETE"):
                if value:
                    data[f"{prefix}{name}"] = "on"
            else:
                data[f"{prefix}{name}"] = value
    return data
