"""The course pages: the list with its summaries and exports, and the page where
therapists log visits."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
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
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from clinic.admin_errors import ClinicHistoryAdmin
from clinic.drilldown import range_drilldown
from clinic.paginators import EstimatedCountPaginator
from courses import exports, services
from courses.admin.booking import CourseBookingMixin
from courses.admin.common import (
    VISIT_LOG_FIELDS,
    TherapistFieldMixin,
    TherapistListFilter,
    contraindications_html,
    hidden_clinical_fields,
    without_hidden,
)
from courses.charts import pain_chart_svg_data_uri, pain_series
from courses.forms import (
    CourseForm,
    InlineVisitForm,
    VisitInlineFormSet,
)
from courses.models import Course, Visit
from courses.pdf import course_pdf, course_pdf_filename
from courses.selectors import in_care_of, own_courses
from courses.summaries import (
    CourseSummary,
    course_patient_reports,
    course_summaries,
    course_summary_from,
    course_visit_log,
)
from messaging.admin import FeedbackInline, PainFlaggedFilter, PainRiseAcknowledgementMixin
from patients.admin import PatientPhoneSearchMixin


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

    def get_fields(self, request: HttpRequest, obj=None):
        return without_hidden(request, super().get_fields(request, obj))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["sequence"].initial = services.visit_next_sequence(obj)
        return formset


@admin.register(Course)
class CourseAdmin(
    CourseBookingMixin,
    PatientPhoneSearchMixin,
    TherapistFieldMixin,
    PainRiseAcknowledgementMixin,
    ClinicHistoryAdmin,
):
    form = CourseForm
    list_display = [
        "patient",
        "region",
        "kind",
        "status",
        "therapist_name",
        "start_date",
        "progress",
        "pain_at_start",
        "pain_at_end",
        "pain_change",
        "important_improvement",
        "pain_flagged",
    ]
    # Not the therapist, as on the visit list: sorting every course by a name on another
    # table reads them all (65 ms of SQL at 20,000 patients); the filter picks one.
    sortable_by = [name for name in list_display if name != "therapist_name"]
    list_filter = [
        "status",
        "kind",
        "region",
        "massage_kind",
        ("therapist", TherapistListFilter),
        PainFlaggedFilter,
    ]
    list_select_related = ["patient", "therapist"]
    search_fields = [
        "patient__first_name",
        "patient__last_name",
        "patient__patronymic",
        "patient__phone",
    ]
    # The therapist is a plain select: a clinic has a handful of staff, and an
    # autocomplete would need every role to be allowed into the user admin.
    autocomplete_fields = ["patient"]
    date_hierarchy = "start_date"
    ordering = ["-start_date", "-id"]
    # A chain's list holds tens of thousands of courses: counted from the planner's
    # estimate when unfiltered, and never counted twice.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
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
                    ("start_date", "session_minutes"),
                    ("status", "end_date", "completed_early"),
                    "notes",
                ]
            },
        ),
    ]
    inlines = [VisitInline, FeedbackInline]
    actions = [
        "start_courses",
        "complete_courses_early",
        "cancel_courses",
        "acknowledge_pain_rises",
        "export_csv",
        "export_csv_with_bom",
        "export_xlsx",
    ]
    summary_fieldset = (_("Summary"), {"fields": ["outcome", "pain_chart"]})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The summary is on the row: the page's outcome needs the patient and therapist.
        courses = super().get_queryset(request).select_related("patient", "therapist")
        return range_drilldown(in_care_of(courses, request.user))

    # What reception does not read: the course's notes, its pain figures and summary.
    clinical_columns = [
        "pain_at_start",
        "pain_at_end",
        "pain_change",
        "important_improvement",
        "pain_flagged",
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Course | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if hidden_clinical_fields(request):
            return [
                (
                    name,
                    {**options, "fields": without_hidden(request, options["fields"], ["notes"])},
                )
                for name, options in fieldsets
            ]
        return [*fieldsets, self.summary_fieldset] if obj is not None else fieldsets

    def get_list_display(self, request: HttpRequest):
        display = super().get_list_display(request)
        if hidden_clinical_fields(request):
            return without_hidden(request, display, self.clinical_columns)
        return display

    def get_list_filter(self, request: HttpRequest):
        filters = super().get_list_filter(request)
        if hidden_clinical_fields(request):
            return [f for f in filters if f is not PainFlaggedFilter]
        return filters

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
        return _export_response(
            own_courses(changelist.get_queryset(request), request.user), format
        )

    def pdf_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        course = get_object_or_404(
            own_courses(self.get_queryset(request), request.user), pk=course_id
        )
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

    def _summary(self, obj: Course) -> CourseSummary:
        # Built once per row from its columns, for the several columns that read it.
        if getattr(obj, "_summary", None) is None:
            obj._summary = course_summary_from(obj)
        return obj._summary

    @admin.display(description=_("pain at end"), ordering="pain_at_end")
    def pain_at_end(self, obj: Course):
        return self._summary(obj).pain_at_end

    @admin.display(description=_("pain change"))
    def pain_change(self, obj: Course):
        summary = self._summary(obj)
        if summary.pain_change is None:
            return None
        if summary.pain_change_percent is None:
            return f"{summary.pain_change:+d}"
        return f"{summary.pain_change:+d} ({summary.pain_change_percent_text})"

    @admin.display(description=_("important improvement"), boolean=True)
    def important_improvement(self, obj: Course):
        return self._summary(obj).important_improvement

    @admin.display(description=_("outcome"))
    def outcome(self, obj: Course):
        if obj is None or obj.pk is None:
            return "—"
        return self._summary(obj).outcome

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

    @admin.display(description=_("progress"), ordering="sessions_done")
    def progress(self, obj: Course) -> str:
        return f"{obj.sessions_done}/{obj.planned_sessions}"

    @admin.display(description=_("pain at start"), ordering="pain_at_start")
    def pain_at_start(self, obj: Course):
        return obj.pain_at_start

    @admin.display(description=_("patient's contraindications"))
    def patient_contraindications(self, obj: Course):
        return contraindications_html(obj.patient_id if obj else None)

    def save_model(self, request, obj, form, change) -> None:
        services.course_save(course=obj)

    def delete_model(self, request: HttpRequest, obj: Course) -> None:
        services.course_delete(course=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for course in queryset:
                services.course_delete(course=course)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Visit:
            return super().save_formset(request, form, formset, change)
        visits = formset.save(commit=False)
        services.visits_save(
            course=form.instance, visits=visits, deleted=formset.deleted_objects, by=request.user
        )

    def _apply(self, request: HttpRequest, queryset: QuerySet, service, done_message) -> None:
        self.apply_each(
            request,
            queryset.select_related("patient"),
            lambda course: service(course=course),
            done_message,
        )

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
        return _export_response(own_courses(queryset, request.user), "csv")

    @admin.action(
        description=_("Export the selected courses' summaries as CSV for Excel (byte-order mark)"),
        permissions=["export"],
    )
    def export_csv_with_bom(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return _export_response(own_courses(queryset, request.user), "csv-bom")

    @admin.action(
        description=_("Export the selected courses' summaries as an Excel workbook (.xlsx)"),
        permissions=["export"],
    )
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        return _export_response(own_courses(queryset, request.user), "xlsx")


def _export_response(queryset: QuerySet[Course], format: str) -> StreamingHttpResponse:
    export = exports.FORMATS[format]
    return StreamingHttpResponse(
        export.render(course_summaries(queryset)),
        content_type=export.content_type,
        headers={
            "Content-Disposition": (
                f'attachment; filename="{exports.export_filename(export.extension)}"'
            )
        },
    )
