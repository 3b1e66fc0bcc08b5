"""A paginator for admin lists over tables too big to count on every page view.

``SELECT COUNT(*)`` over a table of hundreds of thousands of rows reads the whole table
(or its smallest index) on every request, and an admin list asks for it each time only to
print "N results" and the page links. For an unfiltered list of a big table on
PostgreSQL the planner's own estimate (``pg_class.reltuples``, kept by autovacuum and
``ANALYZE``) is close enough for that; a filtered list, a small table and SQLite are
counted exactly, since there the count is what the user asked for and cheap enough.

Use it with ``show_full_result_count = False`` so the admin does not count the whole
table a second time.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this the exact count is a few milliseconds, and an estimate would only be noise.
ESTIMATE_ABOVE_ROWS = 10_000


def estimated_row_count(queryset: QuerySet[Any]) -> int | None:
    """The planner's row estimate for the queryset's table, or None when not applicable.

    Applicable only to an unfiltered, non-distinct, unsliced queryset on PostgreSQL: any
    of those change the number of rows away from the table's own.
    """
    query = queryset.query
    if query.where or query.distinct or query.combinator or query.is_sliced:
        return None
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        # to_regclass returns NULL instead of failing for a missing table; reltuples is
        # -1 for a table never analysed (PostgreSQL 14+).
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None or row[0] < 0:
        return None
    return int(row[0])


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered big table from the planner's estimate, anything else exactly."""

    estimate_above_rows = ESTIMATE_ABOVE_ROWS

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            estimate = estimated_row_count(self.object_list)
            if estimate is not None and estimate > self.estimate_above_rows:
                self.is_estimated = True
                return estimate
        self.is_estimated = False
        return super().count

    is_estimated = False

    def page(self, number: Any) -> Page:
        if not self.count or not self.is_estimated:
            return super().page(number)
        # The last pages of an estimate may hold more or fewer rows than it says: take a
        # whole page's worth instead of stopping at the estimated end.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
