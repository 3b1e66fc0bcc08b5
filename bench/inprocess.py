"""Every staff page in this process through Django's test client, as the manager."""

from __future__ import annotations

import statistics
import time
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.pages import bench_manager, resolved_pages
from clinic.heap import settle


@dataclass
class Timings:
    """Milliseconds of each request, in the order they were made."""

    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


def percentile(samples: list[float], p: int) -> float:
    """Nearest rank: with 20 samples p95 is the 19th, not a value between two."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[rank - 1]


def manager_client() -> Client:
    client = Client(SERVER_NAME="localhost")
    client.force_login(bench_manager())
    return client


def measure_pages(*, requests: int, warmups: int, page_seconds: float) -> list[dict]:
    """p50, p95 and the query count of each page: ``warmups`` requests first, then
    ``requests`` timed ones, fewer when a page has used ``page_seconds`` (the document
    says how many were taken)."""
    # As clinic.wsgi does in a production process, once loaded (clinic.heap).
    settle()
    client = manager_client()
    results = []
    for name, url in resolved_pages():
        status = None
        for _ in range(warmups):
            started = time.perf_counter()
            status, rows = _get(client, url)
            if time.perf_counter() - started > page_seconds:
                break  # one slow warm-up is warm enough
        samples: list[float] = []
        counts: list[int] = []
        spent = 0.0
        while not samples or (len(samples) < requests and spent < page_seconds):
            # The first two are counted: once a minute the request that comes then also
            # renews the member's session (three statements, clinic.session_renewal), a
            # cost of the session, not of the page.
            with CaptureQueriesContext(connection) if len(counts) < 2 else nullcontext() as q:
                started = time.perf_counter()
                status, rows = _get(client, url)
                samples.append((time.perf_counter() - started) * 1000)
            if q is not None:
                # Now: the next request clears the connection's log this count reads.
                counts.append(len(q))
            spent += samples[-1] / 1000
        count = min(counts)
        timings = Timings(samples)
        results.append(
            {
                "name": name,
                "url": url,
                "status": status,
                "queries": count,
                "rows": rows,
                "p50": timings.p50,
                "p95": timings.p95,
                "n": len(samples),
            }
        )
    return results


def _get(client: Client, url: str) -> tuple[int, int | None]:
    """The page's status, and how many rows it lists if it is an admin list: a list
    showing 31 rows at one size and 100 at another draws three times the rows."""
    response = client.get(url)
    if getattr(response, "streaming", False):
        for _ in response.streaming_content:
            pass
    changelist = (getattr(response, "context_data", None) or {}).get("cl")
    rows = len(changelist.result_list) if changelist is not None else None
    return response.status_code, rows
