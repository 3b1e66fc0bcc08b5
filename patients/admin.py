from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import Course
from patients import services
from patients.models import ConsentChange, Contraindication, Patient, PatientContraindication


@admin.register(Contraindication)
class ContraindicationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class PatientContraindicationInline(admin.TabularInline):
    model = PatientContraindication
    extra = 0
    autocomplete_fields = ["contraindication"]
    fields = ["contraindication", "noted_on", "resolved_on", "area", "notes"]


class CourseInline(admin.TabularInline):
    model = Course
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["kind", "region", "massage_kind", "status", "start_date", "end_date", "therapist"]
    readonly_fields = fields
    ordering = ["-start_date"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        # Courses are planned on the course page, where their own rules are checked.
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("therapist")


class ConsentChangeInline(admin.TabularInline):
    model = ConsentChange
    extra = 0
    can_delete = False
    fields = ["given", "changed_at", "source", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")


class UnresolvedContraindicationFilter(admin.SimpleListFilter):
    title = _("contraindications")
    parameter_name = "contraindicated"

    def lookups(self, request, model_admin):
        return [
            ("blocking", _("Massage blocked")),
            ("local", _("Local only")),
            ("none", _("None")),
        ]

    def queryset(self, request, queryset):
        open_records = Q(contraindications__resolved_on__isnull=True)
        local = Q(contraindications__contraindication__kind=Contraindication.Kind.LOCAL)
        if self.value() == "blocking":
            return queryset.filter(open_records & ~local).distinct()
        if self.value() == "local":
            return queryset.filter(open_records & local).distinct()
        if self.value() == "none":
            return queryset.exclude(open_records)
        return queryset


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "date_of_birth",
        "phone",
        "email",
        "reminders_consent",
        "open_contraindications",
        "open_courses",
    ]
    list_display_links = ["full_name"]
    list_filter = ["reminders_consent", "preferred_channel", UnresolvedContraindicationFilter]
    search_fields = ["first_name", "last_name", "phone", "email"]
    # Explicit: with the counts annotated below the query has a GROUP BY, and Django then
    # drops Meta.ordering, which left the patient picker paging through an unordered list.
    ordering = ["last_name", "first_name", "id"]
    readonly_fields = ["reminders_consent_changed_at", "created_at"]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "date_of_birth"]}),
        (_("Contact"), {"fields": ["phone", "email", "preferred_channel"]}),
        (_("Reminders"), {"fields": ["reminders_consent", "reminders_consent_changed_at"]}),
        (None, {"fields": ["notes", "created_at"]}),
    ]
    inlines = [PatientContraindicationInline, CourseInline, ConsentChangeInline]
    actions = ["record_consent_given", "record_consent_withdrawn"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_contraindication_count=Count(
                    "contraindications",
                    filter=Q(contraindications__resolved_on__isnull=True),
                    distinct=True,
                ),
                open_course_count=Count(
                    "courses", filter=Q(courses__status__in=Course.OPEN_STATUSES), distinct=True
                ),
            )
        )

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: Patient) -> str:
        return obj.full_name

    @admin.display(description=_("open contraindications"), ordering="open_contraindication_count")
    def open_contraindications(self, obj: Patient) -> int:
        return obj.open_contraindication_count

    @admin.display(description=_("open courses"), ordering="open_course_count")
    def open_courses(self, obj: Patient) -> int:
        return obj.open_course_count

    def save_model(self, request, obj, form, change) -> None:
        services.patient_save(patient=obj, by=request.user)

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is PatientContraindication:
            records = formset.save(commit=False)
            for record in formset.deleted_objects:
                record.delete()
            for record in records:
                services.patient_contraindication_save(record=record)
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)

    def _set_consent(self, request: HttpRequest, queryset: QuerySet, given: bool) -> None:
        changed = sum(
            services.patient_set_reminders_consent(patient=patient, given=given, by=request.user)
            for patient in queryset
        )
        self.message_user(
            request,
            ngettext(
                "Consent recorded for %(count)d patient.",
                "Consent recorded for %(count)d patients.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Record consent to reminders given"))
    def record_consent_given(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_consent(request, queryset, True)

    @admin.action(description=_("Record consent to reminders withdrawn"))
    def record_consent_withdrawn(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_consent(request, queryset, False)
