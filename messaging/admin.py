from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from clinic.admin_errors import AdminErrorsMixin, ClinicHistoryAdmin, KeptRecordAdminMixin
from clinic.drilldown import range_drilldown
from clinic.paginators import EstimatedCountPaginator
from courses.selectors import in_care_of
from messaging import sending, services
from messaging.models import Feedback, Message
from messaging.tasks import dispatch_due_messages_task


class NeedsAttentionFilter(admin.SimpleListFilter):
    """What an operator should look at after an outage: rows a sender claimed and did
    not finish within the lease, and rows that may have arrived."""

    title = _("needs attention")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("stuck", _("Being sent past the lease")),
            ("uncertain", pgettext_lazy("message status", "May have arrived")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stuck":
            return queryset.past_lease(timezone.now())
        if self.value() == "uncertain":
            return queryset.filter(status=Message.Status.UNCERTAIN)
        return queryset


@admin.register(Message)
class MessageAdmin(AdminErrorsMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "patient",
        "due_at",
        "status",
        "attempts",
        "claimed_at",
        "sent_at",
    ]
    list_filter = [NeedsAttentionFilter, "kind", "status"]
    list_select_related = ["patient"]
    search_fields = [
        "patient__first_name",
        "patient__last_name",
        "patient__patronymic",
        "patient__email",
    ]
    raw_id_fields = ["patient", "course", "visit", "feedback"]
    date_hierarchy = "due_at"
    # A chain sends hundreds of thousands of messages: the list is counted from the
    # planner's estimate when unfiltered, and never counted twice. It sorts only by the
    # columns an index walks in order (due time and number; status through
    # message_status_due_idx), so a page costs the same however many messages are kept.
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    sortable_by = ["id", "due_at", "status"]
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
        "next_attempt_at",
        "may_have_arrived",
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

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return range_drilldown(super().get_queryset(request))

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
    """Courses whose patient reported a rise in pain that no therapist has acknowledged
    yet (needs the ``pain_flagged`` annotation from ``selectors.courses_with_pain_flag``)."""

    title = _("flagged")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Pain rose, not yet acknowledged")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(pain_flagged=True)
        if self.value() == "no":
            return queryset.filter(pain_flagged=False)
        return queryset


class AcknowledgementFilter(admin.SimpleListFilter):
    title = _("rise in pain")
    parameter_name = "acknowledged"

    def lookups(self, request, model_admin):
        return [("no", _("Not yet acknowledged")), ("yes", _("Acknowledged"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.unacknowledged_rises()
        if self.value() == "yes":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset


class AcknowledgementColumn:
    """Whether a rise in pain has been seen, so that the ones nobody has stand out."""

    @admin.display(description=_("acknowledged"))
    def acknowledgement(self, obj: Feedback):
        if not obj.raises_alert:
            return "—"
        if obj.acknowledged_at is None:
            return format_html('<strong class="pain-rise-new">{}</strong>', _("Not yet"))
        return obj.acknowledgement()


class FeedbackInline(AcknowledgementColumn, admin.TabularInline):
    """The patient's answers, on the course and visit pages."""

    model = Feedback
    fk_name = "course"
    extra = 0
    can_delete = False
    fields = [
        "submitted_at",
        "visit",
        "pain",
        "pain_before_visit",
        "raises_alert",
        "acknowledgement",
        "comment",
    ]
    readonly_fields = fields
    ordering = ["-submitted_at"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("visit", "acknowledged_by")


class VisitFeedbackInline(FeedbackInline):
    fk_name = "visit"
    fields = [
        "submitted_at",
        "pain",
        "pain_before_visit",
        "raises_alert",
        "acknowledgement",
        "comment",
    ]
    readonly_fields = fields


@admin.register(Feedback)
class FeedbackAdmin(AcknowledgementColumn, KeptRecordAdminMixin, ClinicHistoryAdmin):
    list_display = [
        "submitted_at",
        "patient",
        "course",
        "visit",
        "pain",
        "raises_alert",
        "acknowledgement",
    ]
    list_filter = ["raises_alert", AcknowledgementFilter]
    list_select_related = [
        "patient",
        "course__patient",
        "visit__course__patient",
        "acknowledged_by",
    ]
    search_fields = ["patient__first_name", "patient__last_name", "patient__patronymic"]
    readonly_fields = [f.name for f in Feedback._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return in_care_of(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Answers are the patient's; a rise is acknowledged from its course.
        return False


# The largest id a database row can have (a signed 64-bit integer).
MAX_ROW_ID = 2**63 - 1


def _row_ids(values: list[str]) -> list[int]:
    """The values of an address or a form that can be row ids; anything else (typed or
    altered by hand) is left out rather than failing in the database."""
    ids = []
    for value in values:
        try:
            number = int(value)
        except ValueError:
            continue
        if 0 < number <= MAX_ROW_ID:
            ids.append(number)
    return ids


class PainRiseAcknowledgementMixin:
    """For the course admin: the page where a therapist reads the rises in pain the
    patients reported on some courses and acknowledges them, which takes the flag off;
    reached from the course page and from an action on the course list."""

    acknowledge_template = "admin/messaging/acknowledge_pain_rises.html"

    def has_acknowledge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("messaging.acknowledge_feedback")

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "acknowledge/",
                self.admin_site.admin_view(self.acknowledge_view),
                name=f"{opts.app_label}_{opts.model_name}_acknowledge",
            ),
            *super().get_urls(),
        ]

    def acknowledge_url(self, course_ids: list[int], next_url: str = "") -> str:
        opts = self.model._meta
        query = [("course", pk) for pk in course_ids]
        if next_url:
            query.append(("next", next_url))
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_acknowledge")
        return f"{url}?{urlencode(query)}"

    @admin.action(
        description=_("Acknowledge the reported pain rises"), permissions=["acknowledge"]
    )
    def acknowledge_pain_rises(self, request: HttpRequest, queryset: QuerySet):
        selected = list(queryset.values_list("pk", flat=True))
        flagged = list(
            Feedback.objects.unacknowledged_rises()
            .filter(course_id__in=selected)
            .order_by("course_id")
            .values_list("course_id", flat=True)
            .distinct()
        )
        if not flagged:
            self.message_user(
                request,
                _("None of the selected courses has a rise in pain waiting to be acknowledged."),
                messages.WARNING,
            )
            return None
        # The rises are shown before they are acknowledged: acknowledging says they
        # were read.
        return HttpResponseRedirect(self.acknowledge_url(flagged, request.get_full_path()))

    def acknowledge_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_acknowledge_permission(request) and self.has_view_permission(request)):
            raise PermissionDenied
        # Only courses the page's own list shows: a therapist's patients' courses.
        course_ids = list(
            self.get_queryset(request)
            .filter(pk__in=_row_ids(request.GET.getlist("course")))
            .values_list("pk", flat=True)
        )
        next_url = self._acknowledge_next_url(request, course_ids)
        errors: list[str] = []
        if request.method == "POST":
            chosen = _row_ids(request.POST.getlist("feedback"))
            try:
                acknowledged = services.feedback_acknowledge(
                    feedback=Feedback.objects.filter(course_id__in=course_ids, pk__in=chosen),
                    by=request.user,
                )
            except ValidationError as error:
                errors = error.messages
            else:
                count = len(acknowledged)
                text = ngettext(
                    "%(count)d rise in pain acknowledged.",
                    "%(count)d rises in pain acknowledged.",
                    count,
                )
                self.message_user(request, text % {"count": count}, messages.SUCCESS)
                return HttpResponseRedirect(next_url)
        rises = list(
            Feedback.objects.unacknowledged_rises()
            .filter(course_id__in=course_ids)
            .select_related("course__patient", "visit")
            .order_by("course__patient__last_name", "course_id", "submitted_at", "id")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Acknowledge the reported pain rises"),
            "rises": rises,
            "errors": errors,
            "next_url": next_url,
        }
        return TemplateResponse(request, self.acknowledge_template, context)

    def _acknowledge_next_url(self, request: HttpRequest, course_ids: list[int]) -> str:
        """Back where the therapist came from: the course list the action ran on, else
        the course page."""
        next_url = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return next_url
        opts = self.model._meta
        if len(course_ids) == 1:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=course_ids)
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
