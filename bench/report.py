"""docs/benchmarks.md from the figures of each size (and of an earlier run, to show
before and after). Budgets are marked, not asserted: the document reports."""

from __future__ import annotations

from collections.abc import Callable

# The budgets the figures are held to.
PAGE_P95_MS = 250
PAGE_QUERIES = 15
GROWTH = 1.5
EXPORT_RATIO = 2.0
EXPORT_PEAK_MB = 200
DISPATCH_PER_SECOND = 200
LOG_QUERIES = 30

PASS, FAIL = "✅", "❌"


def mark(ok: bool | None) -> str:
    return "" if ok is None else (PASS if ok else FAIL)


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def size_label(size: int) -> str:
    return f"{size:,} patients"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
        *["| " + " | ".join(row) + " |" for row in rows],
        "",
    ]


def render(run: dict, before: dict | None = None) -> str:
    sizes = sorted(run["sizes"], key=int)
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{run['command']}` on {run['date']} (UTC), in {run['minutes']:.0f} min.",
        "",
        f"- Machine: {run['cpus']} CPUs ({run['platform']}); load average "
        f"{run['load']} when it started (the machine may be shared).",
        f"- Database: {run['database']}; Python {run['python']}, Django {run['django']}, "
        f"Celery {run['celery']}.",
        "- Each size is a scratch database seeded by `manage.py seed_bench --patients N`, "
        "measured, then dropped (the benchmark consumes its data).",
        "",
        f"Budgets: every staff page p95 under {PAGE_P95_MS} ms in-process with at most "
        f"{PAGE_QUERIES} queries, and p50 at most {GROWTH}× from the smallest size to the "
        "largest where the page lists as many rows at both (a search or filter that finds "
        "fewer than a page's rows in the smaller clinic shows its rows instead); the "
        f"exports within {EXPORT_RATIO:g}× `COPY` with a peak under "
        f"{EXPORT_PEAK_MB} MB; the dispatch at least {DISPATCH_PER_SECOND} messages a second "
        f"per worker process; logging a visit in at most {LOG_QUERIES} queries. "
        f"{PASS} within budget, {FAIL} not.",
        "",
    ]
    for size in sizes:
        figures = run["sizes"][size]
        data = figures["data"]
        lines.append(
            f"- {size_label(int(size))}: {data['courses']:,} courses, {data['visits']:,} "
            f"visits, {data['messages']:,} messages; seeded in "
            f"{figures.get('seed_seconds', 0):.0f} s, measured in "
            f"{sum(figures['seconds'].values()):.0f} s."
        )
    for size in sizes:
        for failure in run["sizes"][size].get("failures", []):
            lines.append(f"- {FAIL} At {size_label(int(size))} a part failed: `{failure}`")
    knobs = run["sizes"][sizes[0]]["knobs"]
    lines += [
        "",
        f"In-process: Django's test client signed in as the manager, {knobs['warmups']} "
        f"warm-ups then {knobs['requests']} requests a page (fewer once a page has taken "
        f"{knobs['page_seconds']:g} s: column n). Served: gunicorn with {knobs['workers']} "
        f"workers on loopback, {knobs['http_clients']} clients browsing every page at once.",
        "",
    ]
    lines += _pages(run, sizes)
    lines += _served(run, sizes)
    lines += _others(run, sizes)
    if before:
        lines += _before_after(before, run)
    return "\n".join(lines)


def _pages(run: dict, sizes: list[str]) -> list[str]:
    lines = ["## Staff pages, in-process", ""]
    header = ["page"]
    for size in sizes:
        header += [f"{int(size):,}: p50 ms", "p95 ms", "queries", "rows", "n"]
    if len(sizes) > 1:
        header.append("growth p50")
    by_size = {size: {p["name"]: p for p in run["sizes"][size]["pages"]} for size in sizes}
    rows = []
    names = list(dict.fromkeys(name for size in sizes for name in by_size[size]))
    for name in names:
        row = [name]
        for size in sizes:
            page = by_size[size].get(name)
            if page is None:
                row += ["—"] * 5
                continue
            status = "" if page["status"] == 200 else f" (HTTP {page['status']})"
            row += [
                ms(page["p50"]) + status,
                f"{ms(page['p95'])} {mark(page['p95'] < PAGE_P95_MS)}",
                f"{page['queries']} {mark(page['queries'] <= PAGE_QUERIES)}",
                "—" if page.get("rows") is None else str(page["rows"]),
                str(page["n"]),
            ]
        if len(sizes) > 1:
            row.append(_growth(by_size[sizes[0]].get(name), by_size[sizes[-1]].get(name)))
        rows.append(row)
    return lines + _table(header, rows)


def _growth(first: dict | None, last: dict | None) -> str:
    """The page's p50 at the largest size over the smallest, held to the budget only
    where both list as many rows: a search that finds 31 patients among 2,000 and 100
    (a full page) among 20,000 draws more, whatever the database does."""
    if not (first and last and first["p50"]):
        return "—"
    growth = last["p50"] / first["p50"]
    if first.get("rows") != last.get("rows"):
        return f"{growth:.1f}× ({first['rows']} → {last['rows']} rows)"
    return f"{growth:.1f}× {mark(growth <= GROWTH)}"


def _served(run: dict, sizes: list[str]) -> list[str]:
    lines = ["## Staff pages, through gunicorn", ""]
    summary = []
    for size in sizes:
        served = run["sizes"][size]["served"]
        summary.append(
            [
                size_label(int(size)),
                str(served["requests"]),
                num(served["per_second"], 1),
                ms(served["p50"]),
                ms(served["p95"]),
                str(len(served["errors"])),
            ]
        )
    lines += _table(
        ["size", "requests", "requests/s (all clients)", "p50 ms", "p95 ms", "not 200"], summary
    )
    header = ["page"]
    for size in sizes:
        header += [f"{int(size):,}: p50 ms", "p95 ms", "n"]
    by_size = {
        size: {p["name"]: p for p in run["sizes"][size]["served"]["pages"]} for size in sizes
    }
    rows = []
    for name in dict.fromkeys(name for size in sizes for name in by_size[size]):
        row = [name]
        for size in sizes:
            page = by_size[size].get(name) or {"p50": None, "p95": None, "n": 0}
            row += [ms(page["p50"]), ms(page["p95"]), str(page["n"])]
        rows.append(row)
    return lines + _table(header, rows)


def _others(run: dict, sizes: list[str]) -> list[str]:
    logging_rows, export_rows, dispatch_rows = [], [], []
    for size in sizes:
        figures = run["sizes"][size]
        label = size_label(int(size))
        log = figures["visit_logging"]
        logging_rows.append(
            [
                label,
                f"{log['posts']} ({log.get('first_logs', 0)} first logs)",
                num(log.get("per_second"), 1),
                "; ".join([str(log["errors"]), *log.get("refusals", [])]),
                f"{log['queries'] if log['queries'] is not None else '—'} "
                f"{mark(log['queries'] <= LOG_QUERIES if log['queries'] is not None else None)}",
            ]
        )
        exports = figures["exports"]
        copy = exports["copy"]
        for format in ("csv", "json"):
            export = exports[format]
            ratio = export["seconds"] / copy["seconds"] if "seconds" in copy else None
            growth = export["peak_rss_mb"] - export["rss_before_mb"]
            export_rows.append(
                [
                    label,
                    format.upper(),
                    f"{export['rows']:,}",
                    num(export["seconds"], 2),
                    num(export["rows_per_second"]),
                    f"{export['peak_rss_mb']:.0f} (+{growth:.0f}) "
                    f"{mark(export['peak_rss_mb'] < EXPORT_PEAK_MB)}",
                    num(copy.get("seconds"), 2) if "seconds" in copy else copy["skipped"],
                    f"{ratio:.1f}× {mark(ratio <= EXPORT_RATIO)}" if ratio else "—",
                ]
            )
        dispatch = figures["dispatch"]
        rate = dispatch["per_second"]
        dispatch_rows.append(
            [
                label,
                str(dispatch["received"]),
                num(dispatch["wall_seconds"], 1),
                f"{num(rate, 1)} {mark(rate >= DISPATCH_PER_SECOND if rate else None)}",
            ]
        )
    knobs = run["sizes"][sizes[0]]["knobs"]
    return [
        "## Logging a visit through the admin",
        "",
        f"{knobs['http_clients']} clients at once against the same gunicorn, each saving "
        "the visit page of sessions booked earlier as done with pain scores (when the day "
        "has too few, the latest done session of other open courses is saved again with "
        "new scores). The forms are read first; only the posts are timed. Queries: one "
        "such post in-process.",
        "",
        *_table(["size", "posts", "posts/s", "errors", "queries"], logging_rows),
        "## Exports of every course summary",
        "",
        "`manage.py export_courses` into a file, each format in a fresh process: peak "
        "resident memory of that process in MB (in brackets, what the export added to "
        "it). `COPY`: PostgreSQL computing the same summary in one SQL query "
        "(`bench.exports.summary_sql`) and streaming it as CSV. The ratio is the figure.",
        "",
        *_table(
            ["size", "format", "rows", "s", "rows/s", "peak MB", "COPY s", "ratio"],
            export_rows,
        ),
        "## Dispatch",
        "",
        "`manage.py send_due_messages` in one process sending end-of-course follow-ups "
        "(and whatever else the seed left due) into a local SMTP server (aiosmtpd, in a "
        "process of its own); the rate is taken between the first message received and "
        "the last.",
        "",
        *_table(["size", "messages", "command s", "messages/s per process"], dispatch_rows),
    ]


def _before_after(before: dict, after: dict) -> list[str]:
    lines = [
        "## Before and after",
        "",
        f"Before: the run of {before['date']} (UTC); after: this one. In-process p50 / p95 "
        "in ms and queries.",
        "",
    ]
    for size in sorted(set(before["sizes"]) & set(after["sizes"]), key=int):
        old = {p["name"]: p for p in before["sizes"][size]["pages"]}
        rows = []
        for page in after["sizes"][size]["pages"]:
            was = old.get(page["name"])
            if was is None:
                continue
            rows.append(
                [
                    page["name"],
                    f"{ms(was['p50'])} / {ms(was['p95'])}",
                    f"{ms(page['p50'])} / {ms(page['p95'])}",
                    f"{was['queries']} → {page['queries']}",
                ]
            )
        lines += [f"### {size_label(int(size))}", ""]
        lines += _table(["page", "before", "after", "queries"], rows)
        lines += _table(["figure", "before", "after"], _other_before_after(before, after, size))
    return lines


def _other_before_after(before: dict, after: dict, size: str) -> list[list[str]]:
    figures: list[tuple[str, Callable[[dict], str]]] = [
        ("served requests/s", lambda f: num(f["served"]["per_second"], 1)),
        ("visit posts/s", lambda f: num(f["visit_logging"].get("per_second"), 1)),
        ("queries to log a visit", lambda f: str(f["visit_logging"]["queries"])),
        ("CSV export s", lambda f: num(f["exports"]["csv"]["seconds"], 2)),
        ("JSON export s", lambda f: num(f["exports"]["json"]["seconds"], 2)),
        ("dispatch messages/s", lambda f: num(f["dispatch"]["per_second"], 1)),
    ]
    old, new = before["sizes"][size], after["sizes"][size]
    return [[name, read(old), read(new)] for name, read in figures]
