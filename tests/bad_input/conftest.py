"""A count of the cases the bad-input suite tried, shown at the end of the run; the
Hypothesis profiles it runs under are in tests/conftest.py."""

import threading
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction

CASES_TRIED: Counter[str] = Counter()


def tried(kind: str) -> None:
    """Count one generated case of ``kind`` for the summary at the end of the run."""
    CASES_TRIED[kind] += 1


@contextmanager
def rolled_back():
    """Run one example in a savepoint that is undone, so examples do not see each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not CASES_TRIED:
        return
    terminalreporter.section("bad-input suite")
    for kind, count in sorted(CASES_TRIED.items()):
        terminalreporter.write_line(f"{count:6d}  {kind}")
    terminalreporter.write_line(f"{sum(CASES_TRIED.values()):6d}  cases tried in all")


def postgresql_only(what: str) -> pytest.MarkDecorator:
    """For races on a row lock: SQLite serialises writers, so they cannot happen there."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=f"SQLite allows one writer at a time, so {what} never overlap; "
        "the row lock is exercised on PostgreSQL only",
    )


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call from its own thread and database connection, all released together;
    returns what each returned, or the exception it raised."""
    start = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            start.wait()
            outcomes[index] = calls[index]()
        except BaseException as error:  # noqa: BLE001 - reported to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
