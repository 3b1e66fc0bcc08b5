"""Every admin page of the clinic, and the login-attempt pages of django-axes, take the
mixin that shows a service's refusal on the page and refuses bad addresses (see
clinic/admin_errors.py): a new admin that forgets it fails here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_errors import AdminErrorsMixin, ClinicHistoryAdmin, ValidAutocompleteMixin

CLINIC_APPS = {"clinic", "patients", "courses", "messaging", "axes"}


def _clinic_admins() -> list[admin.ModelAdmin]:
    return [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in CLINIC_APPS
    ]


def test_every_admin_of_the_clinic_shows_refusals_on_the_page():
    admins = _clinic_admins()
    assert admins
    assert [type(a).__name__ for a in admins if not isinstance(a, AdminErrorsMixin)] == []


def test_every_admin_with_history_pages_refuses_ids_that_are_not_ids_there():
    with_history = [a for a in _clinic_admins() if isinstance(a, SimpleHistoryAdmin)]
    assert with_history
    assert [type(a).__name__ for a in with_history if not isinstance(a, ClinicHistoryAdmin)] == []


def test_every_inline_with_autocomplete_fields_gets_the_widget_that_survives_a_bad_id():
    unsafe = [
        inline.__name__
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if inline.autocomplete_fields and not issubclass(inline, ValidAutocompleteMixin)
    ]
    assert unsafe == []
