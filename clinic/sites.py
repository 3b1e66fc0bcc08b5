from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from clinic.selectors import staff_home


class ClinicAdminSite(admin.AdminSite):
    """The staff's site: the clinic's name in the header and a home page of today's work."""

    index_title = _("Today at the clinic")
    # The clinic has no public site: "View site" would only lead back to this home page.
    site_url = None

    @property
    def site_header(self) -> str:
        return settings.CLINIC_NAME

    @property
    def site_title(self) -> str:
        return settings.CLINIC_NAME

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        home = staff_home(with_messages=request.user.has_perm("messaging.view_message"))
        context = {"home": home, **(extra_context or {})}
        return super().index(request, extra_context=context)
