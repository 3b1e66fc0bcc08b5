from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.admin_errors import AdminErrorsMixin
from messaging import sending, services
from messaging.models import Feedback, Message
from messaging.tasks import dispatch_due_messages_task


@admin.register(Message)
class MessageAdmin(AdminErrorsMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "patient", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["patient"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__email"]
    raw_id_fields = ["patient", "course", "visit", "feedback"]
    date_hierarchy = "due_at"
    # Every change goes through the actions, which call the services.
    readonly_fields = [
        "due_at",
        "kind",
        "patient",
        "course",
        "visit",
        "feedback",
        "number",
        "status",
        "claimed_at",
        "attempts",
        "last_error",
        "sent_at",
        "created_at",
    ]
    fields = readonly_fields
    # The actions need change permission: without it Django offers them to anyone who
    # may see the list.
    actions = ["cancel_messages", "send_messages_now", "retry_failed_messages"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Messages come from the clinic's work (courses, visits, answers), not by hand.
        return False

    @admin.action(description=_("Cancel the selected messages"), permissions=["change"])
    def cancel_messages(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.messages_cancel(queryset=queryset, reason=_("Cancelled by staff."))
        text = ngettext("%(count)d message cancelled.", "%(count)d messages cancelled.", count)
        self.message_user(request, text % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Send the selected messages now"), permissions=["change"])
    def send_messages_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = sending.messages_send_now(queryset=queryset)
        transaction.on_commit(dispatch_due_messages_task.delay)
        text = ngettext(
            "%(count)d message will go out now (or when the sending hours open).",
            "%(count)d messages will go out now (or when the sending hours open).",
            count,
        )
        self.message_user(request, text % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Retry the selected failed messages"), permissions=["change"])
    def retry_failed_messages(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = sending.messages_retry_failed(queryset=queryset)
        transaction.on_commit(dispatch_due_messages_task.delay)
        text = ngettext(
            "%(count)d failed message queued again.",
            "%(count)d failed messages queued again.",
            count,
        )
        self.message_user(request, text % {"count": count}, messages.SUCCESS)


class PainFlaggedFilter(admin.SimpleListFilter):
    """Courses whose patient reported pain that rose after a visit (needs the
    ``pain_flagged`` annotation from ``selectors.courses_with_pain_flag``)."""

    title = _("flagged")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Pain rose")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pain_flagged=True)
        if self.value() == "no":
            return queryset.filter(pain_flagged=False)
        return queryset


class FeedbackInline(admin.TabularInline):
    """The patient's answers, on the course and visit pages."""

    model = Feedback
    fk_name = "course"
    extra = 0
    can_delete = False
    fields = ["submitted_at", "visit", "pain", "pain_before_visit", "raises_alert", "comment"]
    readonly_fields = fields
    ordering = ["-submitted_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("visit")


class VisitFeedbackInline(FeedbackInline):
    fk_name = "visit"
    fields = ["submitted_at", "pain", "pain_before_visit", "raises_alert", "comment"]
    readonly_fields = fields


@admin.register(Feedback)
class FeedbackAdmin(AdminErrorsMixin, admin.ModelAdmin):
    list_display = ["submitted_at", "patient", "course", "visit", "pain", "raises_alert"]
    list_filter = ["raises_alert"]
    list_select_related = ["patient", "course__patient", "visit__course__patient"]
    search_fields = ["patient__first_name", "patient__last_name"]
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
