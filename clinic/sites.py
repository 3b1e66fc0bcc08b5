from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from clinic.roles import is_therapist, sees_only_own_patients
from clinic.selectors import staff_home
from courses.selectors import patients_in_care_of
from courses.views import diary_day_view, diary_week_view


class ClinicAdminSite(admin.AdminSite):
    """The staff's site: the clinic's name in the header, a home page of today's work
    and the diary."""

    index_title = _("Today at the clinic")
    # The clinic has no public site: "View site" would only lead back to this home page.
    site_url = None

    @property
    def site_header(self) -> str:
        return settings.CLINIC_NAME

    @property
    def site_title(self) -> str:
        return settings.CLINIC_NAME

    def get_urls(self):
        return [
            path("diary/", self.admin_view(diary_day_view), name="diary"),
            path("diary/week/", self.admin_view(diary_week_view), name="diary_week"),
            *super().get_urls(),
        ]

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # A therapist's home page shows their own day first; the diary has everyone's.
        home = staff_home(
            with_messages=request.user.has_perm("messaging.view_message"),
            therapist_id=request.user.pk if is_therapist(request.user) else None,
            patients=(
                patients_in_care_of(request.user) if sees_only_own_patients(request.user) else None
            ),
        )
        context = {"home": home, **(extra_context or {})}
        return super().index(request, extra_context=context)
