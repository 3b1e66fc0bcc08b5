"""Staff roles: a group per role, with exactly the permissions listed here.

The roles live in code, not in the admin, so every clinic gets the same ones and a
review of this file shows who may do what. ``roles_sync`` makes the groups match
this file: a data migration calls it once, and a ``post_migrate`` handler (see
``clinic.apps``) calls it after every ``migrate``, so a later migration that adds a
model or a permission only has to add it here. A handler rather than a helper each
later migration must remember to call, because Django creates permissions in its own
``post_migrate`` handler: a migration run on a fresh database would find the new
permission missing.

A pattern is ``app_label.codename`` where the codename may hold shell wildcards
(``patients.*``, ``messaging.view_*``). Patterns naming an app that is not installed
match nothing, so areas built later slot in by adding their app label here.
"""

from fnmatch import fnmatchcase

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import DEFAULT_DB_ALIAS

RECEPTION = "Reception"
THERAPIST = "Therapist"
MANAGER = "Manager"

# When the clinic is open and who works when: everyone books by it, the manager sets it.
DIARY_HOURS = [
    "hours.view_openinghours",
    "hours.view_closedday",
    "hours.view_workinghours",
    "hours.view_timeoff",
]

# Reception registers patients, records consent and contraindications, and books visits.
# Without ``courses.log_visit`` it does not see a visit's clinical fields, nor a course's
# notes and pain figures, nor the patients' answers; it cannot export.
_RECEPTION = [
    "patients.view_patient",
    "patients.add_patient",
    "patients.change_patient",
    "patients.view_consentchange",
    "patients.view_contraindication",
    "patients.view_patientcontraindication",
    "patients.add_patientcontraindication",
    "patients.change_patientcontraindication",
    "patients.delete_patientcontraindication",
    "courses.view_course",
    "courses.view_visit",
    "courses.add_visit",
    "courses.change_visit",
    # The message log: see what went out, cancel, send now, retry failed ones.
    "messaging.view_message",
    "messaging.change_message",
    # The diary: reception books inside the hours and sees who is away.
    *DIARY_HOURS,
]

# Therapists plan and run courses, log sessions and export course summaries (the CSV
# and the one-page PDF they hand to the patient); patients' details are for reading, and
# a patient's data export and anonymising stay with the manager.
_THERAPIST = [
    "patients.view_patient",
    "patients.view_consentchange",
    "patients.view_contraindication",
    "patients.view_patientcontraindication",
    "patients.add_patientcontraindication",
    "patients.change_patientcontraindication",
    "courses.view_course",
    "courses.add_course",
    "courses.change_course",
    "courses.view_visit",
    "courses.add_visit",
    "courses.change_visit",
    "courses.delete_visit",
    "courses.log_visit",
    "courses.export_course",
    # Patients' pain answers, shown on the course and visit pages; a reported rise in
    # pain flags the course until a therapist acknowledges it.
    "messaging.view_feedback",
    "messaging.acknowledge_feedback",
    *DIARY_HOURS,
]

# Managers may do everything in the clinic's areas: exports, data rights, deleting,
# the message log, and lifting login lockouts (axes: deleting a lockout record).
_MANAGER = [
    "patients.*",
    "courses.*",
    "messaging.*",
    # Opening hours, closed days, therapists' working hours and time off.
    "hours.*",
    "axes.view_*",
    "axes.delete_accessattempt",
]

# The records that prove what happened: recorded consent changes, the data rights
# events, patients' answers, the audit trail (every historical model) and the login
# log. No role may delete them (their admin pages refuse it to superusers too); they go
# only with a patient erased through the services.
KEPT_RECORDS = [
    "patients.delete_consentchange",
    "patients.delete_datarightsevent",
    "messaging.delete_feedback",
    "*.delete_historical*",
    "axes.delete_accesslog",
    "axes.delete_accessfailurelog",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    RECEPTION: _RECEPTION,
    THERAPIST: _THERAPIST,
    MANAGER: _MANAGER,
}


def is_therapist(user) -> bool:
    """Whether ``user`` has the Therapist role: their home page shows their own day.
    Superusers run the whole clinic and see its day without asking the database."""
    if user.is_superuser:
        return False
    return THERAPIST in _roles(user)


def _roles(user) -> set[str]:
    """The names of ``user``'s role groups, asked of the database once per request (kept
    on the user object, as Django keeps its permissions)."""
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
    return user._role_names


def sees_only_own_patients(user) -> bool:
    """Whether ``user`` reads the clinical record of the patients in their care only:
    a therapist who holds no other role, unless ``CLINIC_THERAPISTS_SEE_ALL_PATIENTS``.
    Kept on the user object, as Django keeps its permissions, so that a page asking
    it for every row asks the database once."""
    from django.conf import settings

    if user.is_superuser or settings.CLINIC_THERAPISTS_SEE_ALL_PATIENTS:
        return False
    roles = _roles(user)
    return THERAPIST in roles and not roles & {RECEPTION, MANAGER}


def role_permission_ids(
    patterns: list[str], *, apps: Apps = global_apps, using: str = DEFAULT_DB_ALIAS
) -> set[int]:
    """The ids of the permissions that ``patterns`` name, among those that exist."""
    Permission = apps.get_model("auth", "Permission")
    parsed = [pattern.split(".", 1) for pattern in patterns]
    kept = [pattern.split(".", 1) for pattern in KEPT_RECORDS]
    labels = {label for label, _ in parsed}
    rows = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=labels)
        .values_list("id", "content_type__app_label", "codename")
    )

    def matches(label: str, codename: str, among: list[list[str]]) -> bool:
        return any(
            fnmatchcase(label, want) and fnmatchcase(codename, code) for want, code in among
        )

    return {
        pk
        for pk, label, codename in rows
        if matches(label, codename, parsed) and not matches(label, codename, kept)
    }


def roles_sync(*, apps: Apps = global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the role groups and give each exactly the permissions of its role."""
    Group = apps.get_model("auth", "Group")
    for name, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set(role_permission_ids(patterns, apps=apps, using=using))
