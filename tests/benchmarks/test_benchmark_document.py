"""How the benchmark's document judges growth and keeps its hand-written end."""

from bench.report import FAIL, PASS, _growth
from bench.run import BY_HAND, kept_by_hand
from bench.served import refusal


def test_growth_is_held_to_the_budget_where_both_sizes_list_as_many_rows():
    assert _growth({"p50": 50.0, "rows": 100}, {"p50": 70.0, "rows": 100}).endswith(PASS)
    assert _growth({"p50": 50.0, "rows": 100}, {"p50": 90.0, "rows": 100}).endswith(FAIL)
    # A page that is not a list (the home page) has no rows at either size.
    assert _growth({"p50": 50.0, "rows": None}, {"p50": 90.0, "rows": None}).endswith(FAIL)


def test_growth_of_a_list_showing_more_rows_at_the_larger_size_says_so_instead_of_judging():
    growth = _growth({"p50": 40.0, "rows": 31}, {"p50": 120.0, "rows": 100})

    assert growth == "3.0× (31 → 100 rows)"
    assert PASS not in growth and FAIL not in growth


def test_a_rerun_keeps_the_hand_written_end_of_the_document(tmp_path):
    document = tmp_path / "benchmarks.md"
    document.write_text(f"# Generated\n\n{BY_HAND}\n## The changes\nmeasured by hand\n")

    assert kept_by_hand(document) == f"\n{BY_HAND}\n## The changes\nmeasured by hand\n"


def test_a_document_without_the_marker_or_no_document_has_nothing_to_keep(tmp_path):
    document = tmp_path / "benchmarks.md"
    assert kept_by_hand(document) == ""
    document.write_text("# Generated\n")
    assert kept_by_hand(document) == ""


def test_a_visit_post_that_did_not_save_is_reported_by_the_rule_that_refused_it():
    page = (
        b'<html><body><p class="errornote">Please correct the error below.</p>'
        b'<ul class="errorlist nonfield"><li>The course is cancelled.</li></ul></body></html>'
    )

    assert refusal(200, page) == "The course is cancelled."
    assert refusal(200, b'<html><body><p class="errornote">Fix it.</p></body></html>') == (
        "Fix it."
    )
    assert refusal(500, b"Server Error") == "HTTP 500"
