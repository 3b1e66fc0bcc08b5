from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clinic.admin_errors import ClinicHistoryAdmin
from clinic.staff import StaffChoiceField, staff_name
from hours.models import ClosedDay, OpeningHours, TimeOff, WorkingHours


@admin.register(OpeningHours)
class OpeningHoursAdmin(ClinicHistoryAdmin):
    list_display = ["weekday", "starts", "ends"]
    list_editable = ["starts", "ends"]
    ordering = ["weekday"]


@admin.register(ClosedDay)
class ClosedDayAdmin(ClinicHistoryAdmin):
    list_display = ["date", "reason"]
    date_hierarchy = "date"
    search_fields = ["reason"]


class _TherapistAdmin(ClinicHistoryAdmin):
    list_select_related = ["therapist"]

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "therapist":
            staff = get_user_model().objects.filter(is_staff=True, is_active=True)
            kwargs["queryset"] = staff.order_by("first_name", "last_name")
            kwargs["form_class"] = StaffChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("therapist"), ordering="therapist__first_name")
    def therapist_name(self, obj) -> str:
        return staff_name(obj.therapist)


@admin.register(WorkingHours)
class WorkingHoursAdmin(_TherapistAdmin):
    list_display = ["therapist_name", "weekday", "starts", "ends"]
    list_filter = [("therapist", admin.RelatedOnlyFieldListFilter), "weekday"]


@admin.register(TimeOff)
class TimeOffAdmin(_TherapistAdmin):
    list_display = ["therapist_name", "starts_at", "ends_at", "reason"]
    list_filter = [("therapist", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "starts_at"
