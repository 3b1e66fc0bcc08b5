"""Every staff page of the benchmark makes at most 15 queries (the issue's budget), on a
small seeded clinic, as the manager."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.inprocess import manager_client
from bench.pages import manager_request, staff_pages
from bench.report import PAGE_QUERIES

# Pages over the budget on the code this test was written against, with their counts on
# the seeded clinic: the changes that bring them under it remove their lines here.
OVER_BUDGET: dict[str, str] = {
    **dict.fromkeys(
        [
            "course list",
            "course list, status filter, choice 1",
            "course list, status filter, choice 2",
            "course list, status filter, choice 3",
            "course list, kind filter, choice 1",
            "course list, kind filter, choice 2",
            "course list, spine region filter, choice 1",
            "course list, spine region filter, choice 2",
            "course list, spine region filter, choice 3",
            "course list, massage kind filter, choice 1",
            "course list, massage kind filter, choice 2",
            "course list, massage kind filter, choice 3",
            "course list, therapist filter, choice 1",
            "course list, therapist filter, choice 2",
            "course list, therapist filter, choice 3",
            "course list, flagged filter, choice 2",
            "course list, searched",
            "course list sorted by patient",
            "course list sorted by spine region",
            "course list sorted by kind",
            "course list sorted by status",
            "course list sorted by therapist",
            "course list sorted by start date",
            "course list sorted by progress",
            "course list sorted by pain at start",
            "course list sorted by flagged",
        ],
        "17 queries with 20 seeded patients",
    ),
    # Over only when the seeded clinic has such courses, which depends on the day.
    "course list, flagged filter, choice 1": "17 queries when the page has rows",
    "course list, this day": "17 queries when the page has rows",
    "course list, this year": "16 queries with 20 seeded patients",
    "course list, this month": "16 queries with 20 seeded patients",
    "a course's page": "20 queries with 20 seeded patients",
}


def _param(name: str):
    if name in OVER_BUDGET:
        return pytest.param(name, marks=pytest.mark.xfail(strict=False, reason=OVER_BUDGET[name]))
    return name


@pytest.fixture(scope="module")
def seeded_clinic(django_db_setup, django_db_blocker):
    # One clinic for every page of the module, rolled back at the end.
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_bench", patients=20, verbosity=0, stdout=None)
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", [_param(page.name) for page in staff_pages()])
def test_every_staff_page_makes_at_most_15_queries(seeded_clinic, db, name):
    page = next(page for page in staff_pages() if page.name == name)
    url = page.resolve(manager_request())
    if url is None:
        pytest.skip("the seeded clinic has no such page")
    client = manager_client()
    client.get(url)  # the session and the content types, as on any later request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= PAGE_QUERIES, "\n".join(q["sql"] for q in queries.captured_queries)
