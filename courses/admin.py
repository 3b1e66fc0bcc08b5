from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from clinic.timeutils import clinic_day_bounds, clinic_today
from courses import exports, selectors, services
from courses.charts import pain_chart_svg_data_uri, pain_series
from courses.forms import (
    CourseForm,
    InlineVisitForm,
    VisitForm,
    VisitInlineFormSet,
    VisitQuickLogForm,
)
from courses.models import Course, Visit
from courses.pdf import course_pdf, course_pdf_filename
from courses.summaries import (
    CourseSummary,
    course_patient_reports,
    course_summaries,
    course_summary,
    course_summary_from,
    course_visit_log,
    courses_with_summary,
)
from messaging.admin import FeedbackInline, PainFlaggedFilter, VisitFeedbackInline
from messaging.selectors import courses_with_pain_flag

VISIT_LOG_FIELDS = [
    "sequence",
    "scheduled_at",
    "status",
    "performed_at",
    "duration_minutes",
    "position",
    "techniques",
    "intensity",
    "exacerbation",
    "pain_before",
    "pain_after",
    "notes",
]


def clinical_readonly_fields(request: HttpRequest) -> list[str]:
    """The visit's clinical fields, read-only for staff who may not log sessions."""
    if request.user.has_perm("courses.log_visit"):
        return []
    return list(services.VISIT_CLINICAL_FIELDS)


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


class VisitInline(admin.TabularInline):
    model = Visit
    form = InlineVisitForm
    formset = VisitInlineFormSet
    fields = VISIT_LOG_FIELDS
    extra = 1
    ordering = ["sequence"]
    classes = ["visit-log"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row prints the visit, whose name mentions the course and the patient.
        return super().get_queryset(request).select_related("course__patient")

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), *clinical_readonly_fields(request)]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["sequence"].initial = services.visit_next_sequence(obj)
        return formset


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    form = CourseForm
    list_display = [
        "patient",
        "region",
        "kind",
        "status",
        "therapist",
        "start_date",
        "progress",
        "pain_at_start",
        "pain_at_end",
        "pain_change",
        "important_improvement",
        "pain_flagged",
    ]
    list_filter = ["status", "kind", "region", "massage_kind", "therapist", PainFlaggedFilter]
    list_select_related = ["patient", "therapist"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__phone"]
    # The therapist is a plain select: a clinic has a handful of staff, and an
    # autocomplete would need every role to be allowed into the user admin.
    autocomplete_fields = ["patient"]
    date_hierarchy = "start_date"
    readonly_fields = [
        "status",
        "end_date",
        "completed_early",
        "patient_contraindications",
        "outcome",
        "pain_chart",
    ]
    fieldsets = [
        (None, {"fields": ["patient", "patient_contraindications"]}),
        (
            _("Course"),
            {
                "fields": [
                    ("kind", "planned_sessions"),
                    ("region", "massage_kind"),
                    ("visits_per_week", "therapist"),
                    "start_date",
                    ("status", "end_date", "completed_early"),
                    "notes",
                ]
            },
        ),
    ]
    inlines = [VisitInline, FeedbackInline]
    actions = ["start_courses", "complete_courses_early", "cancel_courses", "export_csv"]
    summary_fieldset = (_("Summary"), {"fields": ["outcome", "pain_chart"]})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return courses_with_pain_flag(courses_with_summary(super().get_queryset(request)))

    def get_fieldsets(self, request: HttpRequest, obj: Course | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        return [*fieldsets, self.summary_fieldset] if obj is not None else fieldsets

    def get_urls(self):
        urls = [
            path(
                "export/<str:format>/",
                self.admin_site.admin_view(self.export_view),
                name="courses_course_export",
            ),
            path(
                "<int:course_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="courses_course_pdf",
            ),
        ]
        return urls + super().get_urls()

    def export_view(self, request: HttpRequest, format: str) -> HttpResponse:
        """The summaries of the courses the change list shows, with its filters, search
        and ordering: the same ChangeList builds the queryset, so they mean the same."""
        if format not in exports.FORMATS:
            raise Http404(_("Unknown export format."))
        if not self.has_export_permission(request):
            raise PermissionDenied
        try:
            # The plain ChangeList: the export reads its queryset, not the page.
            changelist = super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("The filters in the address are not valid."))
        return _export_response(changelist.get_queryset(request), format)

    def pdf_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = get_object_or_404(self.get_queryset(request), pk=course_id)
        if not self.has_export_permission(request):
            raise PermissionDenied
        return HttpResponse(
            course_pdf(course.pk),
            content_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{course_pdf_filename(course.pk)}"'
            },
        )

    def has_export_permission(self, request: HttpRequest) -> bool:
        # Summaries leave the clinic's system: a permission of its own, not "view".
        return request.user.has_perm("courses.export_course")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        # Summaries for the whole page at once, so the list shows what the exports say
        # (patient reports included) at a constant number of queries. Evaluating
        # result_list caches the page: the template reuses these very objects.
        page = list(changelist.result_list)
        by_id = {
            summary.course_id: summary
            for summary in course_summaries(Course.objects.filter(pk__in=[c.pk for c in page]))
        }
        for course in page:
            course.summary = by_id[course.pk]
        return changelist

    def _summary(self, obj: Course) -> CourseSummary:
        return getattr(obj, "summary", None) or course_summary_from(obj)

    @admin.display(description=_("pain at end"))
    def pain_at_end(self, obj: Course):
        return self._summary(obj).pain_at_end

    @admin.display(description=_("pain change"))
    def pain_change(self, obj: Course):
        summary = self._summary(obj)
        if summary.pain_change is None:
            return None
        if summary.pain_change_percent is None:
            return f"{summary.pain_change:+d}"
        return f"{summary.pain_change:+d} ({summary.pain_change_percent:+}%)"

    @admin.display(description=_("important improvement"), boolean=True)
    def important_improvement(self, obj: Course):
        return self._summary(obj).important_improvement

    @admin.display(description=_("outcome"))
    def outcome(self, obj: Course):
        if obj is None or obj.pk is None:
            return "—"
        return course_summary(obj.pk).outcome

    @admin.display(description=_("pain chart"))
    def pain_chart(self, obj: Course):
        if obj is None or obj.pk is None:
            return "—"
        series = pain_series(obj, course_visit_log(obj.pk), course_patient_reports(obj.pk))
        return format_html(
            '<img class="pain-chart" src="{}" alt="{}" width="720" height="300">',
            pain_chart_svg_data_uri(series),
            _("Pain before and after each visit, and patient reports"),
        )

    @admin.display(description=_("flagged"), boolean=True, ordering="pain_flagged")
    def pain_flagged(self, obj: Course) -> bool:
        return obj.pain_flagged

    @admin.display(description=_("progress"), ordering="done_count")
    def progress(self, obj: Course) -> str:
        return f"{obj.done_count}/{obj.planned_sessions}"

    @admin.display(description=_("pain at start"), ordering="pain_at_start")
    def pain_at_start(self, obj: Course):
        return obj.pain_at_start

    @admin.display(description=_("latest pain"), ordering="latest_pain")
    def latest_pain(self, obj: Course):
        return obj.latest_pain

    @admin.display(description=_("patient's contraindications"))
    def patient_contraindications(self, obj: Course):
        return contraindications_html(obj.patient_id if obj else None)

    def save_model(self, request, obj, form, change) -> None:
        services.course_save(course=obj)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Visit:
            return super().save_formset(request, form, formset, change)
        visits = formset.save(commit=False)
        services.visits_save(
            course=form.instance, visits=visits, deleted=formset.deleted_objects, by=request.user
        )

    def _apply(self, request: HttpRequest, queryset: QuerySet, service, done_message) -> None:
        done = 0
        for course in queryset.select_related("patient"):
            try:
                service(course=course)
            except ValidationError as error:
                self.message_user(request, f"{course}: {' '.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Start the selected courses"), permissions=["change"])
    def start_courses(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, services.course_start, _("Courses started: %(count)d."))

    @admin.action(description=_("Complete the selected courses early"), permissions=["change"])
    def complete_courses_early(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request, queryset, services.course_complete_early, _("Courses completed: %(count)d.")
        )

    @admin.action(description=_("Cancel the selected courses"), permissions=["change"])
    def cancel_courses(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, services.course_cancel, _("Courses cancelled: %(count)d."))

    @admin.action(
        description=_("Export the selected courses' summaries as CSV"), permissions=["export"]
    )
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return _export_response(queryset, "csv")


def _export_response(queryset: QuerySet[Course], format: str) -> StreamingHttpResponse:
    render, content_type, extension = exports.FORMATS[format]
    return StreamingHttpResponse(
        render(course_summaries(queryset)),
        content_type=content_type,
        headers={
            "Content-Disposition": (f'attachment; filename="{exports.export_filename(extension)}"')
        },
    )


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


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    form = VisitForm
    list_display = [
        "scheduled_at",
        "patient",
        "course_region",
        "sequence",
        "status",
        "pain_before",
        "pain_after",
        "therapist",
    ]
    list_display_links = ["scheduled_at"]
    list_editable = ["status", "pain_before", "pain_after"]
    list_filter = [TodayFilter, "status", "course__region", "therapist"]
    list_select_related = ["course__patient", "therapist"]
    search_fields = ["course__patient__first_name", "course__patient__last_name"]
    date_hierarchy = "scheduled_at"
    ordering = ["scheduled_at"]
    autocomplete_fields = ["course"]  # the therapist: see CourseAdmin
    readonly_fields = ["patient_contraindications"]
    fields = ["course", "patient_contraindications", *VISIT_LOG_FIELDS, "therapist"]
    inlines = [VisitFeedbackInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), *clinical_readonly_fields(request)]

    def get_list_editable(self, request: HttpRequest) -> list[str]:
        readonly = clinical_readonly_fields(request)
        return [name for name in self.list_editable if name not in readonly]

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
            **kwargs,
        )

    @admin.display(description=_("patient"), ordering="course__patient__last_name")
    def patient(self, obj: Visit):
        return obj.course.patient

    @admin.display(description=_("spine region"), ordering="course__region")
    def course_region(self, obj: Visit):
        return obj.course.get_region_display()

    @admin.display(description=_("patient's contraindications"))
    def patient_contraindications(self, obj: Visit):
        return contraindications_html(obj.course.patient_id if obj and obj.course_id else None)

    def get_changelist_form(self, request, **kwargs):
        # Quick logging in the list goes through the same rules as the visit page.
        return super().get_changelist_form(request, form=VisitQuickLogForm, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        services.visit_save(visit=obj, by=request.user)
