"""Writes for courses and visits (``writes``) and the rules across rows they enforce
(``rules``), under one import: ``from courses import services``."""

from courses.services.rules import (
    VISIT_CLINICAL_FIELDS,
    course_check,
    course_validate,
    course_visits_validate,
    patient_blocking_message,
    visits_check_clinical_permission,
    visits_proposed,
)
from courses.services.writes import (
    course_cancel,
    course_complete_early,
    course_delete,
    course_save,
    course_schedule_visits,
    course_start,
    visit_next_sequence,
    visit_save,
    visits_delete,
    visits_save,
)

__all__ = [
    "VISIT_CLINICAL_FIELDS",
    "course_cancel",
    "course_check",
    "course_complete_early",
    "course_delete",
    "course_save",
    "course_schedule_visits",
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
