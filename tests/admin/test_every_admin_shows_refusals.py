"""Every admin page the site serves (the clinic's, and those Django's auth and
django-axes register) takes the mixin that shows a service's refusal on the page and
refuses bad input without a server error (clinic/admin_errors.py): a new admin that
forgets it fails here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clinic.admin_errors import AdminErrorsMixin, ClinicHistoryAdmin, ValidAutocompleteMixin

ADMINS = list(admin.site._registry.values())


def test_every_admin_shows_refusals_on_the_page():
    assert [type(a).__name__ for a in ADMINS if not isinstance(a, AdminErrorsMixin)] == []


def test_the_clinics_own_admins_and_those_of_other_packages_are_all_counted():
    labels = {a.model._meta.app_label for a in ADMINS}
    assert {"patients", "courses", "messaging", "auth", "axes"} <= labels


def test_every_admin_with_history_pages_refuses_ids_that_are_not_ids_there():
    with_history = [a for a in ADMINS if isinstance(a, SimpleHistoryAdmin)]
    assert with_history
    assert [type(a).__name__ for a in with_history if not isinstance(a, ClinicHistoryAdmin)] == []


def test_every_inline_with_autocomplete_fields_gets_the_widget_that_survives_a_bad_id():
    unsafe = [
        inline.__name__
        for model_admin in ADMINS
        for inline in model_admin.inlines
        if inline.autocomplete_fields and not issubclass(inline, ValidAutocompleteMixin)
    ]
    assert unsafe == []
