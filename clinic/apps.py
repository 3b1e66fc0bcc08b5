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

        from django.db.models.signals import post_migrate

        from clinic import checks  # noqa: F401  (registers the system checks)

        post_migrate.connect(_sync_roles, dispatch_uid="clinic.roles.sync")

        from django.contrib.auth.signals import user_logged_in

        from clinic.session_renewal import session_renewed_at_login

        user_logged_in.connect(session_renewed_at_login, dispatch_uid="clinic.session_renewal")

        from clinic.language import session_language_at_login

        user_logged_in.connect(session_language_at_login, dispatch_uid="clinic.language")

        from django.db.backends.signals import connection_created

        from clinic.sqlite import unicode_like_installed

        connection_created.connect(unicode_like_installed, dispatch_uid="clinic.sqlite.like")


def _sync_roles(sender, using: str, **kwargs) -> None:
    """Keep the role groups in step with the permissions after every ``migrate``.

    Runs once, for the last app: by then Django's own handler has created the
    permissions of every app.
    """
    from django.apps import apps

    from clinic.roles import roles_sync

    with_models = [config for config in apps.get_app_configs() if config.models_module]
    if sender is with_models[-1]:
        roles_sync(using=using)


class ClinicAdminConfig(admin_apps.AdminConfig):
    """The Django admin with the clinic's own site as ``admin.site``."""

    default = False
    default_site = "clinic.sites.ClinicAdminSite"
