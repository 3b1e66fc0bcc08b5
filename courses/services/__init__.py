"""Writes for courses and visits (``writes``), the rules across rows they enforce
(``rules``, ``booking``) and the one-step booking and rescheduling (``planning``), under
one import: ``from courses import services``."""

from courses.services.planning import (
    BookingProposal,
    PlannedSession,
    course_booking_confirm,
    course_booking_propose,
    course_schedule_visits,
    course_shift_propose,
    course_usual_weekdays,
    course_visits_shift,
    visit_move,
)
from courses.services.rules import (
    VISIT_CLINICAL_FIELDS,
    course_check,
    course_validate,
    course_visits_validate,
    patient_blocking_message,
    visits_check_clinical_permission,
    visits_proposed,
)
from courses.services.summary import course_summaries_recompute, course_summaries_stale
from courses.services.writes import (
    course_cancel,
    course_complete_early,
    course_delete,
    course_save,
    course_start,
    visit_next_sequence,
    visit_save,
    visits_delete,
    visits_save,
)

__all__ = [
    "BookingProposal",
    "PlannedSession",
    "course_booking_confirm",
    "course_booking_propose",
    "course_shift_propose",
    "course_usual_weekdays",
    "course_visits_shift",
    "visit_move",
    "VISIT_CLINICAL_FIELDS",
    "course_cancel",
    "course_check",
    "course_complete_early",
    "course_delete",
    "course_save",
    "course_schedule_visits",
    "course_summaries_recompute",
    "course_summaries_stale",
    "course_start",
    "course_validate",
    "course_visits_validate",
    "patient_blocking_message",
    "visit_next_sequence",
    "visit_save",
    "visits_check_clinical_permission",
    "visits_delete",
    "visits_proposed",
    "visits_save",
]
