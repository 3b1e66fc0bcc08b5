import json
from functools import reduce
from operator import or_

from django.contrib import admin, messages
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy, pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.widgets import RegionalPhoneNumberWidget

from clinic.admin_errors import AdminErrorsMixin, ClinicHistoryAdmin, KeptRecordAdminMixin
from clinic.forms import LanguageChoicesMixin
from clinic.paginators import EstimatedCountPaginator
from clinic.roles import sees_only_own_patients
from courses.models import Course
from courses.selectors import in_care_of, patients_in_care_of
from messaging.selectors import patients_with_next_repeat_reminder
from patients import services
from patients.forms import PatientForm
from patients.models import (
    ConsentChange,
    Contraindication,
    DataRightsEvent,
    Patient,
    PatientContraindication,
    phone_in_e164,
)


class PatientPhoneSearchMixin:
    """Search finds a patient by phone however the number is typed.

    Django's search splits "020 7946 0018" into words and looks for each inside the
    stored "+442079460018", which finds nothing. So when the whole search reads as a
    phone number, patients with exactly that number are found too, through every search
    field that ends in the patient's phone ("phone", "patient__phone").
    """

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = phone_in_e164(search_term) if search_term else None
        lookups = [
            field.lstrip("=^@")
            for field in self.get_search_fields(request)
            if field.lstrip("=^@").split("__")[-1] == "phone"
        ]
        if number and lookups:
            results |= queryset.filter(reduce(or_, (Q(**{lookup: number}) for lookup in lookups)))
        return results, may_have_duplicates


@admin.register(Contraindication)
class ContraindicationAdmin(AdminErrorsMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class PatientContraindicationInline(admin.TabularInline):
    model = PatientContraindication
    extra = 0
    fields = ["contraindication", "noted_on", "resolved_on", "area", "notes"]
    # The record's own page has its change history.
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("contraindication")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The catalogue is short: a plain select read once for the whole page, where an
        # autocomplete or a model select would query the catalogue again for every row.
        field = formset.form.base_fields["contraindication"]
        field.choices = list(field.choices)
        return formset


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
        return super().get_queryset(request).select_related("patient", "therapist")


class ConsentChangeInline(admin.TabularInline):
    model = ConsentChange
    extra = 0
    can_delete = False
    fields = ["given", "scope", "changed_at", "source", "recorded_by"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")


class DataRightsEventInline(admin.TabularInline):
    model = DataRightsEvent
    extra = 0
    can_delete = False
    fields = ["action", "performed_at", "performed_by"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("patients.view_datarightsevent")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("performed_by")


def _count_per_patient(records: QuerySet) -> Coalesce:
    """How many of ``records`` belong to each patient, as a subquery per patient row."""
    counted = (
        records.filter(patient=OuterRef("pk"))
        .order_by()
        .values("patient")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


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
        records = {
            "blocking": PatientContraindication.objects.blocking(),
            "local": PatientContraindication.objects.local(),
            "none": PatientContraindication.objects.unresolved(),
        }.get(self.value())
        if records is None:
            return queryset
        patients = records.values("patient_id")
        if self.value() == "none":
            return queryset.exclude(pk__in=patients)
        return queryset.filter(pk__in=patients)


@admin.register(Patient)
class PatientAdmin(PatientPhoneSearchMixin, LanguageChoicesMixin, ClinicHistoryAdmin):
    form = PatientForm
    list_display = [
        "full_name",
        "date_of_birth",
        "phone",
        "email",
        "reminders_consent",
        "open_contraindications",
        "open_courses",
        "next_repeat_reminder",
    ]
    list_display_links = ["full_name"]
    # The clinic's own numbers shown as staff say them (020 7946 0018), not in E.164: the
    # widget class, not an instance, so that it takes CLINIC_PHONE_REGION with each form.
    formfield_overrides = {PhoneNumberField: {"widget": RegionalPhoneNumberWidget}}
    list_filter = ["reminders_consent", "preferred_channel", UnresolvedContraindicationFilter]
    search_fields = ["first_name", "last_name", "patronymic", "phone", "email"]
    ordering = ["last_name", "first_name", "id"]
    # A chain's patient list is tens of thousands of rows: counted from the planner's
    # estimate when unfiltered, and never counted twice.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = [
        "reminders_consent_changed_at",
        "repeat_reminders_consent",
        "next_repeat_reminder",
        "created_at",
        "anonymised_at",
    ]
    fieldsets = [
        (None, {"fields": ["first_name", "last_name", "patronymic", "date_of_birth"]}),
        (_("Contact"), {"fields": ["phone", "email", "preferred_channel", "language"]}),
        (
            _("Reminders"),
            {
                "fields": [
                    "reminders_consent",
                    "reminders_consent_changed_at",
                    "repeat_reminders_consent",
                    "next_repeat_reminder",
                ]
            },
        ),
        (None, {"fields": ["notes", "created_at", "anonymised_at"]}),
    ]
    inlines = [
        PatientContraindicationInline,
        CourseInline,
        ConsentChangeInline,
        DataRightsEventInline,
    ]
    actions = [
        "record_consent_given",
        "record_consent_withdrawn",
        "export_patient_data",
        "anonymise_patients",
    ]

    # What a therapist sees of the patients outside their care: enough to find one by
    # name and date of birth and plan a first course, nothing else; the patient's page
    # opens once the patient is in their care.
    finding_display = ["full_name", "date_of_birth", "in_care"]

    def get_list_display(self, request: HttpRequest):
        if sees_only_own_patients(request.user):
            return self.finding_display
        return super().get_list_display(request)

    def get_list_filter(self, request: HttpRequest):
        # Filtering by contraindications would tell who has one.
        return [] if sees_only_own_patients(request.user) else super().get_list_filter(request)

    def get_search_fields(self, request: HttpRequest):
        # By name only: a search by phone or e-mail would tell whose they are.
        if sees_only_own_patients(request.user):
            return ["first_name", "last_name", "patronymic"]
        return super().get_search_fields(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if (
            obj is not None
            and sees_only_own_patients(request.user)
            and not patients_in_care_of(request.user).filter(pk=obj.pk).exists()
        ):
            return False
        return super().has_view_permission(request, obj)

    @admin.display(description=_("in your care"), boolean=True)
    def in_care(self, obj: Patient) -> bool:
        return obj.in_care

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        # A patient's clinical history must not go with one click on the list: deleting
        # is done one patient at a time, from the patient's page, by a manager, on a
        # page that lists everything that would go (and refuses while courses exist).
        actions.pop("delete_selected", None)
        if not request.user.has_perm("patients.export_patient_data"):
            actions.pop("export_patient_data", None)
        if not request.user.has_perm("patients.anonymise_patient"):
            actions.pop("anonymise_patients", None)
        return actions

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if sees_only_own_patients(request.user):
            # Every patient, to be found, marked whether in the therapist's care.
            in_care = patients_in_care_of(request.user).values("pk")
            return queryset.annotate(in_care=Case(When(pk__in=in_care, then=True), default=False))
        # Counted per patient shown (on the partial indexes of open records), not joined
        # and grouped over every patient's courses and records before the page is cut.
        return patients_with_next_repeat_reminder(queryset).annotate(
            open_contraindication_count=_count_per_patient(
                PatientContraindication.objects.unresolved()
            ),
            open_course_count=_count_per_patient(Course.objects.open()),
        )

    @admin.display(description=pgettext_lazy("patient", "name"), ordering="last_name")
    def full_name(self, obj: Patient) -> str:
        return obj.full_name

    @admin.display(description=_("open contraindications"), ordering="open_contraindication_count")
    def open_contraindications(self, obj: Patient) -> int:
        return obj.open_contraindication_count

    @admin.display(description=_("open courses"), ordering="open_course_count")
    def open_courses(self, obj: Patient) -> int:
        return obj.open_course_count

    @admin.display(
        description=_("next repeat-course reminder"), ordering="next_repeat_reminder_at"
    )
    def next_repeat_reminder(self, obj: Patient):
        # A read-only field of a method shows None as "None", not as the empty value.
        return obj.next_repeat_reminder_at or self.get_empty_value_display()

    def get_deleted_objects(self, objs, request: HttpRequest):
        # A patient's recorded consent changes go with the patient (only with them):
        # the records no one may delete on their own do not stop a manager here.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed -= {ConsentChange._meta.verbose_name}
        return deleted, model_count, perms_needed, protected

    def save_model(self, request, obj, form, change) -> None:
        services.patient_save(
            patient=obj,
            by=request.user,
            confirmed_different_person=form.cleaned_data.get("confirmed_different_person", False),
        )

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

    @admin.action(description=_("Record consent to reminders given"), permissions=["change"])
    def record_consent_given(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_consent(request, queryset, True)

    @admin.action(description=_("Record consent to reminders withdrawn"), permissions=["change"])
    def record_consent_withdrawn(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_consent(request, queryset, False)

    @admin.action(description=_("Export everything stored about the patient (JSON)"))
    def export_patient_data(self, request: HttpRequest, queryset: QuerySet):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one patient to export."), messages.ERROR)
            return None
        patient = queryset.get()
        data = services.patient_export_data(patient=patient, by=request.user)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        # The file name carries the record number only: no name or health detail.
        response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}.json"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Anonymise the selected patients (cannot be undone)"))
    def anonymise_patients(self, request: HttpRequest, queryset: QuerySet):
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/patients/patient/anonymise_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Anonymise patients?"),
                    "opts": self.model._meta,
                    "patients": queryset,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        self.apply_each(
            request,
            queryset,
            lambda patient: services.patient_anonymise(patient=patient, by=request.user),
            ngettext_lazy(
                "%(count)d patient anonymised.", "%(count)d patients anonymised.", "count"
            ),
        )
        return None


@admin.register(PatientContraindication)
class PatientContraindicationAdmin(ClinicHistoryAdmin):
    """Each record's page, reached from the patient's, shows who changed it and when."""

    list_display = ["contraindication", "patient", "noted_on", "resolved_on"]
    list_filter = ["contraindication__kind", "resolved_on"]
    list_select_related = ["contraindication", "patient"]
    search_fields = [
        "patient__first_name",
        "patient__last_name",
        "patient__patronymic",
        "contraindication__name",
    ]
    autocomplete_fields = ["patient", "contraindication"]
    fields = ["patient", "contraindication", "noted_on", "resolved_on", "area", "notes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_care_of(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "patient":
            kwargs["queryset"] = patients_in_care_of(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        services.patient_contraindication_save(record=obj)


@admin.register(ConsentChange)
class ConsentChangeAdmin(KeptRecordAdminMixin, ClinicHistoryAdmin):
    list_display = ["patient", "given", "scope", "changed_at", "source", "recorded_by"]
    list_filter = ["given", "scope", "source"]
    list_select_related = ["patient", "recorded_by"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__patronymic"]
    fields = ["patient", "given", "scope", "changed_at", "source", "recorded_by"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_care_of(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Consent changes are made with the patient's consent actions.
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
