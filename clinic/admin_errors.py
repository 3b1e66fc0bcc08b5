"""What staff send to the admin ends in a page that says what was wrong, never in a
server error, and a refused change saves nothing.

Services refuse a change by raising ``ValidationError`` (a rule of the clinic) or
``PermissionDenied`` with a reason (what the user's role may not do). Every ModelAdmin
of the clinic takes ``AdminErrorsMixin``, which turns such a refusal into what the page
can show, after rolling back everything the request wrote:

- the add and change pages (their inlines included) are shown again with what was
  posted and the reason as an error of the form: on the field the error names when
  the form shows it, else at the top;
- a save of the change list's editable columns is shown again with the reason on the
  row that was refused;
- the delete page, "delete selected" and the other actions end in an error message.

A bare ``PermissionDenied`` is Django's own access check and stays a 403 page.

The same mixin refuses, as a bad request rather than a crash, what Django's admin and
django-simple-history do not check: date-hierarchy years no date can hold, NUL
characters in filters and searches, ids that are not ids in autocomplete fields, in an
action's selection and on history pages.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.db.models import Field, Model, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

REFUSALS = (ValidationError, PermissionDenied)


def refusal_reasons(error: Exception) -> list[str] | None:
    """What a service gave as the reasons for refusing, or None if ``error`` is not a
    refusal the user should read (a bare PermissionDenied is an access check)."""
    if isinstance(error, ValidationError):
        return error.messages
    if isinstance(error, PermissionDenied) and str(error):
        return [str(error)]
    return None


def is_valid_key(field: Field, value: Any, using: str = "default") -> bool:
    """Whether ``value`` can be looked up in ``field`` without the database failing.

    A value the field cannot read fails in the query; on SQLite an integer beyond 64
    bits fails too, in an ``__in`` lookup that Django does not guard as it guards
    ``exact``.
    """
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(key, int):
        low, high = connections[using].ops.integer_field_range(field.get_internal_type())
        return (low is None or key >= low) and (high is None or key <= high)
    return key is not None and "\x00" not in str(key)


class _ValidChoicesOnly:
    """Shows only the chosen values that can be looked up.

    Django's autocomplete widget looks up every chosen value to print its name; a
    value that is not an id (a form sent back with "abc" or a 30-digit number, or such
    a value in the address of an add page) crashed the page that should have said
    "Select a valid choice".
    """

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        to_field = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.name))
        value = [v for v in value if is_valid_key(to_field, v, self.db or "default")]
        return super().optgroups(name, value, attr)


class ValidAutocompleteSelect(_ValidChoicesOnly, AutocompleteSelect):
    pass


class ValidAutocompleteSelectMultiple(_ValidChoicesOnly, AutocompleteSelectMultiple):
    pass


class ValidAutocompleteMixin:
    """Autocomplete fields get the widgets above: for ModelAdmins (through
    ``AdminErrorsMixin``) and for any inline that has autocomplete fields."""

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SafeChangeList(ChangeList):
    """Filters in the address that no query can answer are "incorrect lookup
    parameters": Django then shows the list unfiltered with an error note (``?e=1``).
    A sort on a column left out of ``sortable_by`` is ignored."""

    def get_ordering_field(self, field_name: str):
        # Django leaves such a column out of the headers only; a typed address could
        # still ask for its sort, which no index serves (a sort of every row).
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def get_filters(self, request: HttpRequest):
        params = self.get_filters_params()
        if any("\x00" in value for values in params.values() for value in values):
            # PostgreSQL cannot hold NUL in text: the query itself would fail.
            raise IncorrectLookupParameters("NUL character in a filter")
        if self.date_hierarchy:
            self._check_year(params.get(f"{self.date_hierarchy}__year"))
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            # Django's date hierarchy reads a day like 99999999999 and the year after
            # 9999 outside its own check.
            raise IncorrectLookupParameters(error) from error

    @staticmethod
    def _check_year(values: list[str] | None) -> None:
        try:
            year = int(values[-1]) if values else None
        except ValueError:
            return  # Django refuses it itself.
        # One year of margin at either end: the bounds of the year are converted to UTC,
        # which must stay within the years a Python date holds.
        if year is not None and not dt.MINYEAR < year < dt.MAXYEAR:
            raise IncorrectLookupParameters(f"year {year} is out of range")


@dataclass
class _Refusal:
    """A refused save, replayed so that the page shows it (see ``changeform_view``)."""

    error: ValidationError | PermissionDenied
    reasons: list[str]
    row_pk: Any  # the change-list row being saved when it was refused
    in_related: bool  # refused while saving inlines, not the page's own object

    def add_to(self, form: BaseForm) -> None:
        error = self.error
        # A field named by an inline's error is not the page's field of the same name.
        if not self.in_related and hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, self.reasons)


def _refused_form(form_class: type[BaseForm], refusal: _Refusal, *, row: bool) -> type:
    class RefusedForm(form_class):
        def full_clean(self) -> None:
            super().full_clean()
            if not self.is_bound:
                return
            if row and not (self.has_changed() and refusal.row_pk in (None, self.instance.pk)):
                return
            refusal.add_to(self)

    RefusedForm.__name__ = RefusedForm.__qualname__ = form_class.__name__
    return RefusedForm


_REFUSAL = "_admin_refusal"
_SAVING = "_admin_saving"


@dataclass
class _Saving:
    """What the request was saving, for the refusal to land in the right place."""

    row_pk: Any = None
    in_related: bool = False


def _saving(request: HttpRequest) -> _Saving:
    if not hasattr(request, _SAVING):
        setattr(request, _SAVING, _Saving())
    return getattr(request, _SAVING)


class AdminErrorsMixin(ValidAutocompleteMixin):
    """Refusals from the services shown on the page, with nothing saved (see the module)."""

    # --- the add and change pages, and the change list's editable columns -------------
    # Django builds the form, saves and renders in one method; the form is gone when the
    # save raises. So the request runs again, rolled back to where it started, with the
    # refusal added to the form as it is validated: Django then shows the page with the
    # posted data and the error, exactly as for any invalid form, and saves nothing.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            if not self._keep_refusal(request, error):
                raise
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except REFUSALS as error:
            if "_save" not in request.POST or not self._keep_refusal(request, error):
                raise
        return super().changelist_view(request, extra_context)

    def _keep_refusal(self, request: HttpRequest, error: Exception) -> bool:
        reasons = refusal_reasons(error)
        if request.method != "POST" or reasons is None or hasattr(request, _REFUSAL):
            return False
        saving = _saving(request)
        setattr(request, _REFUSAL, _Refusal(error, reasons, saving.row_pk, saving.in_related))
        return True

    def save_form(self, request: HttpRequest, form, change: bool):
        # Django calls this just before save_model, for the page and each list row.
        setattr(request, _SAVING, _Saving(row_pk=form.instance.pk))
        return super().save_form(request, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        _saving(request).in_related = True
        super().save_related(request, form, formsets, change)
        _saving(request).in_related = False

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        return _refused_form(form, refusal, row=False) if refusal else form

    def get_changelist_form(self, request: HttpRequest, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        return _refused_form(form, refusal, row=True) if refusal else form

    def _get_list_editable_queryset(self, request: HttpRequest, prefix: str) -> QuerySet:
        # Django reads the posted row ids with the id field alone: one beyond 64 bits
        # passes and breaks the query on SQLite. As Django does for an id that is not a
        # number, look among all rows instead; the row's form then says it is no choice.
        using = router.db_for_read(self.model)
        pks = self._get_edited_object_pks(request, prefix)
        if all(is_valid_key(self.opts.pk, pk, using) for pk in pks):
            return super()._get_list_editable_queryset(request, prefix)
        return self.get_queryset(request)

    # --- the delete page and the actions ----------------------------------------------

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as error:
            reasons = refusal_reasons(error)
            if request.method != "POST" or reasons is None:
                raise
            self.message_user(request, " ".join(reasons), messages.ERROR)
        # Nothing was deleted: back to the object, or to the list if it is out of sight.
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj):
            url = reverse(f"{name}_change", args=[quote(obj.pk)], current_app=self.admin_site.name)
        else:
            url = reverse(f"{name}_changelist", current_app=self.admin_site.name)
        return HttpResponseRedirect(url)

    def response_action(self, request: HttpRequest, queryset: QuerySet):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        using = router.db_for_write(self.model)
        if not all(is_valid_key(self.opts.pk, pk, using) for pk in selected):
            self.message_user(
                request, _("The selection was not valid: select the rows again."), messages.ERROR
            )
            return None
        try:
            # "Delete selected" and the clinic's actions either do all they say or nothing.
            with transaction.atomic(using=using):
                return super().response_action(request, queryset)
        except REFUSALS as error:
            reasons = refusal_reasons(error)
            if reasons is None:
                raise
            self.message_user(request, " ".join(reasons), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def apply_each(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        write: Callable[[Model], object],
        done_message: str,
    ) -> int:
        """Run ``write`` on each object on its own: a refused one gets an error message
        naming it, the others are done; ``done_message`` % {"count": n} reports them."""
        done = 0
        for obj in queryset:
            try:
                with transaction.atomic(using=router.db_for_write(self.model)):
                    write(obj)
            except REFUSALS as error:
                reasons = refusal_reasons(error)
                if reasons is None:
                    raise
                self.message_user(
                    request,
                    _("%(object)s: %(reasons)s") % {"object": obj, "reasons": " ".join(reasons)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        return done

    # --- the list ---------------------------------------------------------------------

    def get_changelist(self, request: HttpRequest, **kwargs):
        return SafeChangeList

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # The change list's search box refuses NUL itself; the autocomplete does not, and
        # PostgreSQL cannot compare text holding it. No name holds NUL: nothing matches.
        if "\x00" in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class ClinicHistoryAdmin(AdminErrorsMixin, SimpleHistoryAdmin):
    """django-simple-history's admin, with its history pages refusing ids that are not
    ids (its own views look them up as they come, and crash)."""

    def history_view(self, request, object_id, extra_context=None):
        if not is_valid_key(self.opts.pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    # A past version's page saves what is posted to it (a revert) with nothing but the
    # permission to view, outside the rules of the change page. Reverting is turned off
    # (SIMPLE_HISTORY_REVERT_DISABLED), so the page only shows.
    @method_decorator(require_safe)
    def history_form_view(
        self, request, object_id, version_id, extra_context=None
    ) -> HttpResponse:
        history_pk = get_history_model_for_model(self.model)._meta.pk
        if not (
            is_valid_key(self.opts.pk, unquote(object_id))
            and is_valid_key(history_pk, unquote(version_id))
        ):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


class KeptRecordAdminMixin:
    """For the records that prove what happened (consent changes, patients' answers,
    the login log): no one deletes them in the admin, superusers included. They go
    only with a patient who is erased, through the services."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
