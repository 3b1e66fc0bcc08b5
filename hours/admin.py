from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clinic.admin_errors import ClinicHistoryAdmin
from clinic.staff import StaffChoiceField, staff_name
from hours.models import CalendarFeed, ClosedDay, OpeningHours, TimeOff, WorkingHours
from hours.services import calendar_feed_revoke


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


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ClinicHistoryAdmin):
    """Who has a calendar feed address, for the manager to revoke one (a member of staff
    makes and replaces their own from "My calendar feed"); the address itself is never
    shown here, only a fingerprint of it is stored."""

    list_display = ["user_name", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    fields = ["user", "created_at"]
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("staff member"), ordering="user__first_name")
    def user_name(self, obj: CalendarFeed) -> str:
        return staff_name(obj.user)

    def delete_model(self, request: HttpRequest, obj: CalendarFeed) -> None:
        calendar_feed_revoke(user=obj.user)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for feed in queryset.select_related("user"):
            calendar_feed_revoke(user=feed.user)
