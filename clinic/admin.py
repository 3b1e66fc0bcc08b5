# The admin site's header, title and home page are set on clinic.sites.ClinicAdminSite,
# which clinic.apps.ClinicAdminConfig installs as admin.site.
#
# The admin pages that Django's auth and django-axes register themselves (users and
# groups, login attempts) get the clinic's AdminErrorsMixin too, so that what is sent to
# them is refused, never a server error. Importing their admin modules first registers
# their classes, whichever order the admin discovers the apps in.
import axes.admin  # noqa: F401
import django.contrib.auth.admin  # noqa: F401
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.models import Group
from django.http import HttpRequest

from clinic.admin_errors import AdminErrorsMixin, KeptRecordAdminMixin
from clinic.forms import LanguageChoicesMixin
from clinic.language import session_language_keep
from clinic.models import StaffPreferences
from clinic.services import staff_language_set


class StaffCreationForm(AdminUserCreationForm):
    """A new account's names are asked with its first password, so that the password
    validators can refuse one like them ("Anna Kowalska") from the start."""

    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "first_name", "last_name", "email")


NEW_ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "usable_password")
ADD_STAFF = {
    "add_form": StaffCreationForm,
    "add_fieldsets": (
        (None, {"classes": ("wide",), "fields": (*NEW_ACCOUNT_FIELDS, "password1", "password2")}),
    ),
}


class StaffPreferencesInline(LanguageChoicesMixin, admin.StackedInline):
    model = StaffPreferences
    fields = ["language"]
    can_delete = False
    max_num = 1


class StaffPreferencesMixin:
    """A member of staff's language, set for them on their account's page."""

    inlines = [StaffPreferencesInline]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not StaffPreferences:
            return super().save_formset(request, form, formset, change)
        user = formset.instance
        # What formset.save() would leave for the change message of the account's history.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for preferences in formset.forms:
            if not preferences.has_changed():
                continue
            existed = preferences.instance.pk is not None
            language = preferences.cleaned_data.get("language", "")
            saved = staff_language_set(user=user, language=language)
            if existed:
                formset.changed_objects.append((saved, ["language"]))
            else:
                formset.new_objects.append(saved)
            # Someone else's session keeps its language until their next sign-in.
            if user.pk == request.user.pk:
                session_language_keep(request=request, language=language)


# The login log is kept: lifting a lockout deletes an access attempt, never the log.
KEPT = (AccessLog, AccessFailureLog)

for model in (get_user_model(), Group, AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        their_admin = type(admin.site.get_model_admin(model))
        mixins = (KeptRecordAdminMixin, AdminErrorsMixin) if model in KEPT else (AdminErrorsMixin,)
        admin.site.unregister(model)
        if model is get_user_model():
            mixins, extra = (StaffPreferencesMixin, *mixins), ADD_STAFF
        else:
            extra = {}
        admin.site.register(model, type(their_admin.__name__, (*mixins, their_admin), extra))
