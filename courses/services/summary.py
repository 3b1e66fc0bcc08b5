"""The summary columns of courses (``Course.SUMMARY_FIELDS``): recomputed from the visits
and the patients' answers by every write to them, and in bulk after a data load or to
put right what a write outside the services left behind."""

from collections.abc import Iterable, Iterator

from django.db import transaction

from courses.models import Course
from courses.summaries import summary_columns

# Courses recomputed per UPDATE (each in its own transaction): short enough that the
# course rows it locks are not held for long while staff work, large enough that the
# 61,000 courses of a chain take a few dozen statements.
BATCH_SIZE = 2000


def _batches(course_ids: Iterable[int] | None, batch_size: int) -> Iterator[list[int]]:
    ids = Course.objects.order_by("pk").values_list("pk", flat=True)
    if course_ids is not None:
        ids = ids.filter(pk__in=list(course_ids))
    batch: list[int] = []
    for course_id in ids.iterator(chunk_size=batch_size):
        batch.append(course_id)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def course_summaries_recompute(
    course_ids: Iterable[int] | None = None, *, batch_size: int = BATCH_SIZE
) -> int:
    """Recompute the summary columns of ``course_ids`` (every course when None) from
    their visits and answers, in batches; returns how many courses were written."""
    written = 0
    for batch in _batches(course_ids, batch_size):
        with transaction.atomic():
            written += Course.objects.filter(pk__in=batch).summaries_refresh()
    return written


def course_summaries_stale(
    course_ids: Iterable[int] | None = None, *, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[int, dict[str, tuple[object, object]]]]:
    """The courses whose summary columns differ from what their visits and answers say:
    (course id, {field: (stored, computed)}) for each, in id order."""
    expected = {f"expected_{name}": value for name, value in summary_columns().items()}
    fields = Course.SUMMARY_FIELDS
    for batch in _batches(course_ids, batch_size):
        rows = (
            Course.objects.filter(pk__in=batch)
            .annotate(**expected)
            .order_by("pk")
            .values_list("pk", *fields, *expected)
        )
        for course_id, *values in rows:
            stored, computed = values[: len(fields)], values[len(fields) :]
            differences = {
                name: (old, new)
                for name, old, new in zip(fields, stored, computed, strict=True)
                if old != new
            }
            if differences:
                yield course_id, differences
