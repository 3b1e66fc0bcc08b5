"""A count of the cases the bad-input suite tried, shown at the end of the run; the
Hypothesis profiles it runs under are in tests/conftest.py."""

from collections import Counter
from contextlib import contextmanager

from django.db import transaction

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
