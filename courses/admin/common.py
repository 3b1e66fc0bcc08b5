"""What the course and visit pages share."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from clinic.staff import StaffChoiceField, staff_name
from courses import selectors, services

# A visit's booking, then the session itself in the order a therapist records it.
VISIT_LOG_FIELDS = ["sequence", "scheduled_at", "status", *services.VISIT_CLINICAL_FIELDS]


def hidden_clinical_fields(request: HttpRequest) -> list[str]:
    """The visit's clinical fields, left off every page of staff who may not log
    sessions (reception books visits; what happened in them is not theirs to read)."""
    if request.user.has_perm("courses.log_visit"):
        return []
    return list(services.VISIT_CLINICAL_FIELDS)


def without_hidden(request: HttpRequest, names, hidden: list[str] | None = None) -> list:
    """``names`` (fields or columns) less the clinical ones ``request``'s user may not
    read: ``hidden`` when given, else the visit's clinical fields."""
    hidden = hidden_clinical_fields(request) if hidden is None else hidden
    return [name for name in names if name not in hidden]


def contraindications_html(patient_id: int | None):
    if patient_id is None:
        return "—"
    records = selectors.patient_open_contraindications(patient_id)
    if not records:
        return _("None recorded")
    return format_html_join(
        mark_safe("<br>"),
        '<span class="contraindication contraindication-{}"><strong>{}</strong>: {}</span>',
        (
            (
                record.contraindication.kind,
                record.contraindication.get_kind_display(),
                record.describe(),
            )
            for record in records
        ),
    )


class TherapistFieldMixin:
    """The therapist picked from those who may log sessions, shown by name."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "therapist":
            kwargs["queryset"] = selectors.therapists()
            kwargs["form_class"] = StaffChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("therapist"), ordering="therapist__last_name")
    def therapist_name(self, obj) -> str:
        return staff_name(obj.therapist)


class TherapistListFilter(admin.RelatedFieldListFilter):
    """The course list's therapist filter: who runs a course, by name. Django's "related
    only" choices read every course of the list to find them."""

    def field_choices(self, field, request: HttpRequest, model_admin):
        return [(user.pk, staff_name(user)) for user in selectors.course_therapists()]
