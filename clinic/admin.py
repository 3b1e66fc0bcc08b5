# The admin site's header, title and home page are set on clinic.sites.ClinicAdminSite,
# which clinic.apps.ClinicAdminConfig installs as admin.site.
#
# django-axes registers the login-attempt lists itself; they get the clinic's
# AdminErrorsMixin too, so that a bad date in their filters is refused rather than a
# server error. Importing axes.admin first registers its classes, whichever app the
# admin discovers first.
import axes.admin  # noqa: F401
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from clinic.admin_errors import AdminErrorsMixin

for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        axes_admin = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, type(axes_admin.__name__, (AdminErrorsMixin, axes_admin), {}))
