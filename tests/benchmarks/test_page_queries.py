"""Every staff page of the benchmark makes at most 15 queries (the budget), on a
small seeded clinic, as the manager."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.inprocess import manager_client
from bench.pages import manager_request, staff_pages
from bench.report import PAGE_QUERIES


@pytest.fixture(scope="module")
def seeded_clinic(django_db_setup, django_db_blocker):
    # One clinic for every page of the module, rolled back at the end.
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_bench", patients=20, verbosity=0, stdout=None)
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("name", [page.name for page in staff_pages()])
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
