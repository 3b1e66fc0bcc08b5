from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ClinicConfig(AppConfig):
    # clinic.apps also holds the admin's config below; this one is the clinic app's.
    default = True
    name = "clinic"
    verbose_name = _("Clinic")

    def ready(self) -> None:
        from clinic.celery import ensure_broker_folders

        ensure_broker_folders()


class ClinicAdminConfig(admin_apps.AdminConfig):
    """The Django admin with the clinic's own site as ``admin.site``."""

    default = False
    default_site = "clinic.sites.ClinicAdminSite"
