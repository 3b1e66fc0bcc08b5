"""One size's figures, on the database Django is configured with (``python -m
bench.measure`` in a process of the benchmark's, or called by the smoke test)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass


@dataclass
class Knobs:
    requests: int = 20
    warmups: int = 2
    # Enough for 20 requests of any page within the budget (250 ms): with fewer, the
    # p95 is the slowest request, and one slow request fails a page.
    page_seconds: float = 5.0
    http_clients: int = 4
    http_rounds: int = 1
    http_seconds: float = 60.0
    workers: int = 2
    visit_posts: int = 80
    messages: int = 500


def _no_export(format: str) -> dict:
    return {
        "format": format,
        "rows": 0,
        "seconds": 0.0,
        "rows_per_second": None,
        "bytes": 0,
        "peak_rss_mb": 0.0,
        "rss_before_mb": 0.0,
    }


# What the document shows of a part that failed (the failure itself is listed).
FAILED: dict = {
    "pages": [],
    "served": {
        "clients": 0,
        "requests": 0,
        "seconds": 0.0,
        "per_second": None,
        "p50": None,
        "p95": None,
        "errors": ["failed"],
        "pages": [],
    },
    "visit_logging": {"posts": 0, "per_second": None, "errors": 0, "queries": None},
    "exports": {
        "csv": _no_export("csv"),
        "json": _no_export("json"),
        "copy": {"skipped": "failed"},
    },
    "dispatch": {"made": 0, "received": 0, "wall_seconds": 0.0, "per_second": None},
}


def data_counts() -> dict[str, int]:
    from courses.models import Course, Visit
    from messaging.models import Message
    from patients.models import Patient

    return {
        "patients": Patient.objects.count(),
        "courses": Course.objects.count(),
        "visits": Visit.objects.count(),
        "messages": Message.objects.count(),
    }


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
    return connection.vendor


def database_url() -> str:
    """The address of the database Django uses, for the processes the benchmark starts
    (the test database in the smoke test)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def measure(knobs: Knobs, *, log=print) -> dict:
    from bench import dispatch, exports, served
    from bench.inprocess import measure_pages

    env = {**os.environ, "DATABASE_URL": database_url(), "CLINIC_ALLOW_INSECURE_KEY": "1"}
    result: dict = {
        "database": database_version(),
        "data": data_counts(),
        "knobs": asdict(knobs),
        "seconds": {},
    }

    def step(name: str, run) -> None:
        # A part that fails is written down and the others still run: a long run is not
        # lost to one of them.
        log(f"  {name}…")
        started = time.perf_counter()
        try:
            result[name] = run()
        except Exception as error:
            result[name] = FAILED[name]
            result.setdefault("failures", []).append(f"{name}: {error!r}")
        result["seconds"][name] = time.perf_counter() - started

    step(
        "pages",
        lambda: measure_pages(
            requests=knobs.requests, warmups=knobs.warmups, page_seconds=knobs.page_seconds
        ),
    )
    try:
        with served.gunicorn(database_url=env["DATABASE_URL"], workers=knobs.workers) as base:
            step(
                "served",
                lambda: served.browse(
                    base=base,
                    clients=knobs.http_clients,
                    rounds=knobs.http_rounds,
                    seconds=knobs.http_seconds,
                ),
            )
            step(
                "visit_logging",
                lambda: served.log_visits(
                    base=base, clients=knobs.http_clients, posts=knobs.visit_posts
                ),
            )
    except RuntimeError as error:
        for name in ("served", "visit_logging"):
            result[name] = FAILED[name]
            result["seconds"][name] = 0.0
        result.setdefault("failures", []).append(f"gunicorn: {error}")
    step(
        "exports",
        lambda: {
            "csv": exports.export("csv", env=env),
            "json": exports.export("json", env=env),
            "copy": exports.copy_summary(),
        },
    )
    step("dispatch", lambda: dispatch.dispatch(messages=knobs.messages, env=env))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--knobs", required=True, help="the Knobs as JSON")
    parser.add_argument("--out", required=True, help="where to write the figures (JSON)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    result = measure(Knobs(**json.loads(args.knobs)), log=lambda s: print(s, file=sys.stderr))
    with open(args.out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
