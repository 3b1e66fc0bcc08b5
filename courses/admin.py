from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from clinic.timeutils import clinic_day_bounds, clinic_today
from courses import selectors, services
from courses.forms import CourseForm, InlineVisitForm, VisitForm, VisitInlineFormSet
from courses.models import Course, Visit
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

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["sequence"].initial = services.visit_next_sequence(obj)
        return formset


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
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
        "latest_pain",
        "pain_flagged",
    ]
    list_filter = ["status", "kind", "region", "massage_kind", "therapist", PainFlaggedFilter]
    list_select_related = ["patient", "therapist"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__phone"]
    autocomplete_fields = ["patient", "therapist"]
    date_hierarchy = "start_date"
    readonly_fields = ["status", "end_date", "completed_early", "patient_contraindications"]
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
    actions = ["start_courses", "complete_courses_early", "cancel_courses"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return courses_with_pain_flag(
            selectors.courses_with_progress(super().get_queryset(request))
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
        services.visits_save(course=form.instance, visits=visits, deleted=formset.deleted_objects)

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

    @admin.action(description=_("Start the selected courses"))
    def start_courses(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, services.course_start, _("Courses started: %(count)d."))

    @admin.action(description=_("Complete the selected courses early"))
    def complete_courses_early(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request, queryset, services.course_complete_early, _("Courses completed: %(count)d.")
        )

    @admin.action(description=_("Cancel the selected courses"))
    def cancel_courses(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, services.course_cancel, _("Courses cancelled: %(count)d."))


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
class VisitAdmin(admin.ModelAdmin):
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
    autocomplete_fields = ["course", "therapist"]
    readonly_fields = ["patient_contraindications"]
    fields = ["course", "patient_contraindications", *VISIT_LOG_FIELDS, "therapist"]
    inlines = [VisitFeedbackInline]

    @admin.display(description=_("patient"), ordering="course__patient__last_name")
    def patient(self, obj: Visit):
        return obj.course.patient

    @admin.display(description=_("spine region"), ordering="course__region")
    def course_region(self, obj: Visit):
        return obj.course.get_region_display()

    @admin.display(description=_("patient's contraindications"))
    def patient_contraindications(self, obj: Visit):
        return contraindications_html(obj.course.patient_id if obj and obj.course_id else None)

    def save_model(self, request, obj, form, change) -> None:
        services.visit_save(visit=obj)
