"""A small admin site whose writes save first and are then refused, the way a service
refuses, so the tests see that the refusal reaches the page and that nothing stays saved.

Patients named ``Refuse...`` are refused; see each method for how.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path

from clinic.admin_errors import AdminErrorsMixin
from clinic.urls import urlpatterns as clinic_urlpatterns
from patients.models import Patient, PatientContraindication

site = admin.AdminSite(name="refusing")

REFUSALS = {
    "Refuse-field": ValidationError({"last_name": "This last name is refused."}),
    "Refuse-unshown": ValidationError({"phone": "A phone number is needed."}),
    "Refuse-all": ValidationError("This patient is refused."),
    "Refuse-denied": PermissionDenied("Only a manager can do this."),
    "Refuse-bare": PermissionDenied(),
}


class RecordInline(admin.TabularInline):
    model = PatientContraindication
    fields = ["contraindication", "noted_on", "notes"]
    extra = 0


@admin.register(Patient, site=site)
class RefusingPatientAdmin(AdminErrorsMixin, admin.ModelAdmin):
    fields = ["first_name", "last_name", "date_of_birth", "email", "notes"]
    list_display = ["last_name", "first_name", "notes"]
    list_editable = ["first_name", "notes"]
    ordering = ["pk"]
    inlines = [RecordInline]
    actions = ["rename_all", "rename_each"]

    def save_model(self, request, obj, form, change) -> None:
        obj.save()
        if obj.first_name in REFUSALS:
            raise REFUSALS[obj.first_name]

    def save_formset(self, request, form, formset, change) -> None:
        if any(record.notes == "refuse" for record in formset.save()):
            # Names a field of the patient's form: the record's error must not land there.
            raise ValidationError({"notes": "This record is refused."})

    def delete_model(self, request, obj) -> None:
        obj.delete()
        if obj.last_name == "Kept":
            raise ValidationError("This patient must be kept.")

    def delete_queryset(self, request, queryset) -> None:
        kept = [patient.pk for patient in queryset if patient.last_name == "Kept"]
        queryset.delete()
        if kept:
            raise ValidationError("These patients must be kept.")

    @admin.action(description="Rename all, or none")
    def rename_all(self, request, queryset) -> None:
        queryset.update(first_name="Renamed")
        if queryset.filter(last_name="Kept").exists():
            raise ValidationError("A kept patient cannot be renamed.")

    @admin.action(description="Rename each that may be")
    def rename_each(self, request, queryset) -> None:
        def rename(patient: Patient) -> None:
            Patient.objects.filter(pk=patient.pk).update(first_name="Renamed")
            if patient.last_name == "Kept":
                raise ValidationError("A kept patient cannot be renamed.")

        self.apply_each(request, queryset.order_by("pk"), rename, "Renamed: %(count)d.")


urlpatterns = [path("refusing/", site.urls), *clinic_urlpatterns]
