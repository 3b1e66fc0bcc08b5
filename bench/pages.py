"""The staff pages the benchmark opens, and the query-count test checks.

The list is read from the registered ModelAdmins, so a filter or a sortable column added
to a list is measured without touching this file. Each page has a name that does not
depend on the data (the test is parametrized by it before any database exists) and an
address found in the data when it is opened (a filter's second choice, a course that
has visits): ``None`` when the data has no such page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse
from django.utils.http import urlencode

from clinic.roles import MANAGER
from clinic.timeutils import clinic_today

# The lists, in the order of the document.
LISTS = [
    "patients.patient",
    "courses.course",
    "courses.visit",
    "messaging.message",
    "patients.contraindication",
    "patients.patientcontraindication",
]
# Choices measured per filter, besides "All" (the plain list): a therapist filter in a
# chain offers dozens, all costing the same.
CHOICES_PER_FILTER = 3
MANAGER_USERNAME = "bench-manager"


@dataclass(frozen=True)
class Page:
    name: str
    resolve: Callable[[HttpRequest], str | None]


def bench_manager():
    """The seeded manager, or one made on the spot (small data built another way)."""
    user, created = get_user_model().objects.get_or_create(
        username=MANAGER_USERNAME, defaults={"is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name=MANAGER))
    return user


def manager_request(path: str = "/admin/") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = bench_manager()
    return request


def _admin_for(label: str) -> admin.ModelAdmin:
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    return admin.site._registry[model]


def _list_name(model: type[Model]) -> str:
    return f"{model._meta.verbose_name} list"


def _changelist(model_admin: admin.ModelAdmin, request: HttpRequest):
    return model_admin.get_changelist_instance(request)


def _filter_title(model_admin: admin.ModelAdmin, spec) -> str:
    if isinstance(spec, tuple):
        spec = spec[0]
    if isinstance(spec, str):
        field = model_admin.model
        for part in spec.split("__"):
            target = field._meta.get_field(part)
            field = target.related_model or target
        return str(target.verbose_name)
    return str(spec.title)


def _filter_page(model_admin, url: str, index: int, choice: int) -> Callable:
    def resolve(request: HttpRequest) -> str | None:
        changelist = _changelist(model_admin, request)
        if index >= len(changelist.filter_specs):
            return None
        choices = [
            c["query_string"]
            for c in changelist.filter_specs[index].choices(changelist)
            if c["query_string"] not in ("?", "")
        ]
        # The first choice of a field filter is "All", which is the plain list.
        choices = [c for c in choices if c != changelist.get_query_string(remove=[])]
        return url + choices[choice] if choice < len(choices) else None

    return resolve


def _sortable(model_admin: admin.ModelAdmin, name: str) -> bool:
    try:
        model_admin.model._meta.get_field(name)
        return True
    except FieldDoesNotExist:
        pass
    attr = getattr(model_admin, name, None) or getattr(model_admin.model, name, None)
    return bool(getattr(attr, "admin_order_field", None))


def _sorted_page(model_admin, url: str, column: str) -> Callable:
    def resolve(request: HttpRequest) -> str | None:
        changelist = _changelist(model_admin, request)
        if column not in changelist.list_display:
            return None
        return f"{url}?o={changelist.list_display.index(column)}"

    return resolve


def _search_page(model_admin, url: str) -> Callable:
    def resolve(request: HttpRequest) -> str | None:
        # A term that finds something: the first row's value of the first search field.
        field = model_admin.get_search_fields(request)[0].lstrip("^=@")
        value = model_admin.model._default_manager.order_by("pk").values_list(field, flat=True)
        value = value.first()
        return f"{url}?{urlencode({'q': value})}" if value else None

    return resolve


def _drill_down_page(model_admin, url: str, depth: int) -> Callable:
    def resolve(request: HttpRequest) -> str | None:
        field = model_admin.date_hierarchy
        today = clinic_today()
        parts = [("year", today.year), ("month", today.month), ("day", today.day)][: depth + 1]
        return url + "?" + "&".join(f"{field}__{unit}={value}" for unit, value in parts)

    return resolve


def _list_pages(label: str) -> list[Page]:
    model_admin = _admin_for(label)
    model = model_admin.model
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    name = _list_name(model)
    pages = [Page(name, lambda request, url=url: url)]
    for index, spec in enumerate(model_admin.list_filter):
        title = _filter_title(model_admin, spec)
        for choice in range(CHOICES_PER_FILTER):
            pages.append(
                Page(
                    f"{name}, {title} filter, choice {choice + 1}",
                    _filter_page(model_admin, url, index, choice),
                )
            )
    if model_admin.search_fields:
        pages.append(Page(f"{name}, searched", _search_page(model_admin, url)))
    # The columns staff can sort by; a list ignores a sort on any other.
    sortable_by = (
        model_admin.list_display if model_admin.sortable_by is None else model_admin.sortable_by
    )
    for column in model_admin.list_display:
        if column in sortable_by and _sortable(model_admin, column):
            label = label_for_field(column, model, model_admin)
            pages.append(Page(f"{name} sorted by {label}", _sorted_page(model_admin, url, column)))
    if model_admin.date_hierarchy:
        for depth, unit in enumerate(["year", "month", "day"]):
            pages.append(Page(f"{name}, this {unit}", _drill_down_page(model_admin, url, depth)))
    return pages


def _first(queryset) -> int | None:
    return queryset.order_by("pk").values_list("pk", flat=True).first()


def _a_course() -> int | None:
    from courses.models import Course, Visit

    # A course with sessions behind it: its page shows the visits, the chart, the answers.
    done = Visit.objects.filter(status=Visit.Status.DONE).values("course_id")
    return _first(Course.objects.filter(status=Course.Status.COMPLETED, pk__in=done))


def _object_page(url_name: str, find: Callable[[], int | None]) -> Callable:
    def resolve(request: HttpRequest) -> str | None:
        pk = find()
        return reverse(url_name, args=[pk]) if pk is not None else None

    return resolve


def _a_patient() -> int | None:
    from courses.models import Course

    course = _a_course()
    return Course.objects.filter(pk=course).values_list("patient_id", flat=True).first()


def _a_visit() -> int | None:
    from courses.models import Visit

    return _first(Visit.objects.filter(course_id=_a_course(), status=Visit.Status.DONE))


def _diary_week(request: HttpRequest) -> str:
    from courses.models import Visit

    # A therapist's week with sessions in it: the manager has none of their own.
    today = clinic_today()
    therapist = (
        Visit.objects.filter(scheduled_at__date__gte=today - dt.timedelta(days=today.weekday()))
        .order_by("scheduled_at")
        .values_list("therapist_id", flat=True)
        .first()
    )
    query = {"day": today.isoformat(), **({"therapist": therapist} if therapist else {})}
    return f"{reverse('admin:diary_week')}?{urlencode(query)}"


def staff_pages() -> list[Page]:
    """Every staff page of the benchmark, in the order of the document."""
    pages = [
        Page("home page", lambda request: reverse("admin:index")),
        Page("diary, day", lambda request: reverse("admin:diary")),
        Page("diary, week", _diary_week),
    ]
    for label in LISTS:
        pages.extend(_list_pages(label))
    pages += [
        Page("a patient's page", _object_page("admin:patients_patient_change", _a_patient)),
        Page("a course's page", _object_page("admin:courses_course_change", _a_course)),
        Page("a visit's page", _object_page("admin:courses_visit_change", _a_visit)),
        Page("a course's PDF", _object_page("admin:courses_course_pdf", _a_course)),
    ]
    return pages


def resolved_pages() -> list[tuple[str, str]]:
    """(name, address) of every page the data has, for the manager."""
    request = manager_request()
    found = [(page.name, page.resolve(request)) for page in staff_pages()]
    return [(name, url) for name, url in found if url is not None]
