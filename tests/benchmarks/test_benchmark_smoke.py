"""The benchmark runs end to end at a tiny size on the test database: every page
answers and the document is written. No time is asserted (the figures are the
document's, not the suite's)."""

import pytest
from django.core.management import call_command
from django.db import connection

from bench.measure import Knobs, measure
from bench.report import render
from bench.run import load_average, run_info

TINY = Knobs(
    requests=2,
    warmups=0,
    page_seconds=0.2,
    http_clients=4,
    http_rounds=1,
    http_seconds=5.0,
    visit_posts=4,
    messages=5,
)


# Transactional: gunicorn and the command processes read what the test wrote.
@pytest.mark.django_db(transaction=True)
def test_the_benchmark_answers_every_page_and_writes_the_document(
    contraindication_catalogue, tmp_path
):
    call_command("seed_bench", patients=20, verbosity=0)

    figures = measure(TINY, log=lambda line: None)
    run = run_info({"20": figures}, command="smoke test", seconds=0.0, load=load_average())
    document = tmp_path / "benchmarks.md"
    document.write_text(render(run))

    assert figures.get("failures", []) == []
    assert figures["pages"], "no pages measured"
    assert {
        page["name"]: page["status"] for page in figures["pages"] if page["status"] != 200
    } == {}
    assert figures["served"]["errors"] == []
    assert figures["visit_logging"]["errors"] == 0
    assert figures["dispatch"]["received"] >= 1
    copy = figures["exports"]["copy"]
    if connection.vendor != "postgresql":
        assert "skipped" in copy  # COPY is PostgreSQL's
    else:
        assert "skipped" not in copy
    assert "## Staff pages, in-process" in document.read_text()
