"""The visit pages: the day's list with quick logging, and one visit."""

from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clinic.admin_errors import ClinicHistoryAdmin, SafeChangeList
from clinic.paginators import CappedCountPaginator
from clinic.staff import staff_name
from clinic.timeutils import clinic_day_bounds, clinic_today
from clinic.widgets import OneTemplateHiddenInput, OneTemplateIntegerInput, OneTemplateSelect
from courses import services
from courses.admin.common import (
    VISIT_LOG_FIELDS,
    TherapistFieldMixin,
    contraindications_html,
    without_hidden,
)
from courses.forms import (
    VisitForm,
    VisitQuickLogForm,
)
from courses.models import Course, Visit
from courses.selectors import in_care_of
from messaging.admin import VisitFeedbackInline


class TodayFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        start, end = clinic_day_bounds(clinic_today())
        if self.value() == "today":
            return queryset.filter(scheduled_at__gte=start, scheduled_at__lt=end)
        if self.value() == "upcoming":
            return queryset.filter(scheduled_at__gte=end)
        if self.value() == "past":
            return queryset.filter(scheduled_at__lt=start)
        return queryset


class TherapistFilter(admin.RelatedFieldListFilter):
    """The staff with a visit on the list. Django's ``RelatedOnlyFieldListFilter`` reads
    the therapist of every visit (a DISTINCT over all of them); here each member of
    staff is looked up once in the index on (therapist, scheduled_at)."""

    def field_choices(self, field, request, model_admin):
        booked = model_admin.get_queryset(request).filter(therapist=OuterRef("pk"))
        staff = get_user_model().objects.filter(Exists(booked))
        return [
            (user.pk, staff_name(user))
            for user in staff.order_by("first_name", "last_name", "username")
        ]


class VisitChangeList(SafeChangeList):
    """Every order the list offers ends on the booking time, then the row, in the
    direction of the column sorted on: an index on (column, scheduled_at) then hands
    PostgreSQL the page's rows in order instead of a sort of every visit. Django's own
    tie-breaker (the row, descending) would force that sort for any ascending column."""

    # A column whose values repeat across many rows is sorted within a smaller group
    # first, so that the rows come in the order of an index on the joined table.
    THEN_BY = {
        "course__patient__last_name": ["course__patient__first_name", "course__patient_id"],
    }

    def get_ordering(self, request: HttpRequest, queryset: QuerySet) -> list:
        ordering = super().get_ordering(request, queryset)
        if not all(isinstance(key, str) for key in ordering):
            return ordering
        keys: list[str] = []
        for key in ordering:
            name = key.lstrip("-")
            # The row and the list's default order come back below, in the sort's direction.
            if name == "pk" or name in {k.lstrip("-") for k in keys}:
                continue
            if keys and name == "scheduled_at":
                continue
            keys.append(key)
        sign = "-" if keys[0].startswith("-") else ""
        named = {key.lstrip("-") for key in keys}
        tail = [*self.THEN_BY.get(keys[-1].lstrip("-"), []), "scheduled_at", "pk"]
        return [*keys, *(sign + name for name in tail if name not in named)]


class VisitPageForm(VisitForm):
    # The save checks the course's rules under the course's lock and the page shows its
    # refusal like a form error (clinic.admin_errors): checking them on the form too
    # only read the course and its visits a second time.
    check_course_rules = False

    def _get_validation_exclusions(self):
        # The course and therapist fields have just looked their choice up, with the
        # model's own limits; the model need not look each up a second time.
        return super()._get_validation_exclusions() | {
            name for name in ("course", "therapist") if name in self.fields
        }


@admin.register(Visit)
class VisitAdmin(TherapistFieldMixin, ClinicHistoryAdmin):
    form = VisitPageForm
    list_display = [
        "scheduled_at",
        "patient",
        "course_region",
        "session_number",
        "status",
        "pain_before",
        "pain_after",
        "therapist_name",
    ]
    list_display_links = ["scheduled_at"]
    # Not the therapist: they are picked with the filter, and sorting every visit by a
    # name on another table reads them all (the diary shows a therapist's own day).
    # Region and session number have no order field.
    sortable_by = ["scheduled_at", "patient", "status", "pain_before", "pain_after"]
    list_editable = ["status", "pain_before", "pain_after"]
    list_filter = [
        TodayFilter,
        "status",
        "course__region",
        ("therapist", TherapistFilter),
    ]
    list_select_related = ["course__patient", "therapist"]
    search_fields = [
        "course__patient__first_name",
        "course__patient__last_name",
        "course__patient__patronymic",
    ]
    date_hierarchy = "scheduled_at"
    ordering = ["scheduled_at"]
    # Counting 700,000 visits twice a page (the list's and the whole table's) costs more
    # than the page itself; see clinic.paginators.
    paginator = CappedCountPaginator
    # Each row is a form of three fields: drawing 100 of them took 250-300 ms whatever
    # the table holds, 50 take half that (docs/benchmarks.md).
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ["course"]  # the therapist: see CourseAdmin
    readonly_fields = ["patient_contraindications"]
    fields = [
        "course",
        "patient_contraindications",
        *VISIT_LOG_FIELDS,
        "therapist",
        "booked_minutes",
    ]
    inlines = [VisitFeedbackInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_care_of(super().get_queryset(request), request.user, patient="course__patient")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        # A therapist books sessions of the courses they read; booking one of another
        # patient's courses would open that patient's record to them.
        if db_field.name == "course":
            kwargs["queryset"] = in_care_of(Course.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        # The diary's free slots link here with the therapist and the time to book; the
        # admin hands GET values over as text, which a date-and-time widget cannot show.
        initial = super().get_changeform_initial_data(request)
        if "scheduled_at" in initial:
            try:
                initial["scheduled_at"] = forms.DateTimeField().clean(initial["scheduled_at"])
            except forms.ValidationError:
                del initial["scheduled_at"]
        return initial

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # A saved visit stays on its course: moving it would rewrite two courses' records.
        moved = ["course"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *moved]

    def get_fields(self, request: HttpRequest, obj=None):
        return without_hidden(request, super().get_fields(request, obj))

    def get_list_display(self, request: HttpRequest):
        return without_hidden(request, super().get_list_display(request))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # No delete button where the service would refuse (done sessions, closed courses);
        # the delete page and the bulk action still ask it, and show its reason.
        if obj is not None and obj.deletion_refusal() is not None:
            context["show_delete"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_list_editable(self, request: HttpRequest) -> list[str]:
        return without_hidden(request, self.list_editable)

    def get_changelist(self, request: HttpRequest, **kwargs):
        return VisitChangeList

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        changelist.list_editable = self.get_list_editable(request)
        return changelist

    def get_changelist_formset(self, request: HttpRequest, **kwargs):
        # Django reads ``list_editable`` here directly; reception must not get pain
        # score inputs on the list either.
        return forms.modelformset_factory(
            self.model,
            self.get_changelist_form(request),
            extra=0,
            fields=self.get_list_editable(request),
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            # Drawn on each of the 50 rows; the same HTML as Django's, in fewer templates.
            widgets={
                "id": OneTemplateHiddenInput,
                "status": OneTemplateSelect,
                "pain_before": OneTemplateIntegerInput,
                "pain_after": OneTemplateIntegerInput,
            },
            **kwargs,
        )

    @admin.display(description=_("patient"), ordering="course__patient__last_name")
    def patient(self, obj: Visit):
        return obj.course.patient

    # Not sortable: across the clinic a third of all visits share a region, so the sort
    # would read them all; the region filter is what picks a region's visits.
    @admin.display(description=_("spine region"))
    def course_region(self, obj: Visit):
        return obj.course.get_region_display()

    # Not sortable either: a session's number means something within its course only.
    @admin.display(description=_("session no."))
    def session_number(self, obj: Visit) -> int:
        return obj.sequence

    @admin.display(description=_("patient's contraindications"))
    def patient_contraindications(self, obj: Visit):
        return contraindications_html(obj.course.patient_id if obj and obj.course_id else None)

    def get_changelist_form(self, request, **kwargs):
        # Quick logging in the list goes through the same rules as the visit page.
        return super().get_changelist_form(request, form=VisitQuickLogForm, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        services.visit_save(visit=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Visit) -> None:
        services.visits_delete(visits=[obj], by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        services.visits_delete(visits=list(queryset.select_related("course")), by=request.user)
