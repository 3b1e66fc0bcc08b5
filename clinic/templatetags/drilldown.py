"""The admin's date drill-down for lists too big to group by date on every view.

Django's ``date_hierarchy`` lists the years (or a year's months) that hold rows with
``SELECT DISTINCT date_trunc(...)`` over every row of the list: hundreds of milliseconds
over a table of visits. Here the years and months are those between the list's first and
last row, read from an index in two lookups; a year or month in that range with no row
in it is rare in a clinic's diary and opens an empty list. The bounds are those of the
unfiltered list (``cl.root_queryset``): a search's first and last row would cost as
much as the search itself. A month's days are still listed exactly: there are few rows
in a month, and a day without visits (a Sunday, a closed day) is common.
"""

import copy
import datetime as dt
from typing import Any

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

register = template.Library()


class _RangeDates:
    """A list's queryset as the drill-down reads it: its bounds taken once, and its
    years and months derived from them."""

    def __init__(self, queryset: QuerySet, root: QuerySet, year: str | None) -> None:
        self.queryset = queryset
        self.root = root
        self.year = year
        self._bounds: dict[str, Any] | None = None

    def aggregate(self, **kwargs: Any) -> dict[str, Any]:
        # Django asks for the list's first and last row before picking a level; the
        # years are derived from the same answer.
        self._bounds = self.root.aggregate(**kwargs)
        return self._bounds

    def _bounds_of(self, field_name: str) -> dict[str, Any]:
        if self._bounds is None:
            root = self.root
            if self.year:
                root = root.filter(**{f"{field_name}__year": self.year})
            self._bounds = root.aggregate(first=Min(field_name), last=Max(field_name))
        return self._bounds

    def datetimes(self, field_name: str, kind: str) -> list[dt.datetime]:
        if kind == "day":
            return list(self.queryset.datetimes(field_name, kind))
        bounds = self._bounds_of(field_name)
        if bounds["first"] is None:
            return []
        first, last = (timezone.localtime(bounds[key]) for key in ("first", "last"))
        if kind == "year":
            years = range(first.year, last.year + 1)
            return [first.replace(year=year, month=1, day=1) for year in years]
        # A month is asked for within one year only: the list is filtered to it.
        return [first.replace(month=month, day=1) for month in range(first.month, last.month + 1)]

    dates = datetimes


@register.inclusion_tag("admin/date_hierarchy.html")
def bounded_date_hierarchy(cl) -> dict[str, Any]:
    """Django's drill-down over ``cl``, its years and months taken from the list's bounds."""
    bounded = copy.copy(cl)
    year = cl.params.get(f"{cl.date_hierarchy}__year")
    bounded.queryset = _RangeDates(cl.queryset, cl.root_queryset, year)
    return date_hierarchy(bounded)
