"""``python -m bench``: for each size, a scratch database next to ``DATABASE_URL``'s,
seeded, measured in a process of its own, dropped; then the document."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, fields
from pathlib import Path

import celery
import dj_database_url
import django

from bench.measure import Knobs
from bench.report import render
from bench.static import collected_static

ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Seed a scratch database per size, measure the staff pages, visit "
        "logging, the exports and the dispatch, and write the figures.",
    )
    parser.add_argument("--sizes", default="2000,20000", help="patients per run, e.g. 100000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--before",
        type=Path,
        help="the JSON of an earlier run (written next to --out): adds before and after",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    defaults = Knobs()
    for knob in fields(Knobs):
        parser.add_argument(
            f"--{knob.name.replace('_', '-')}",
            type=type(getattr(defaults, knob.name)),
            default=getattr(defaults, knob.name),
        )
    return parser


def scratch_url(base_url: str, size: int) -> str:
    config = dj_database_url.parse(base_url)
    if "sqlite" in config["ENGINE"]:
        path = Path(config["NAME"])
        return f"sqlite:///{path.with_name(f'{path.stem}_bench_{size}.sqlite3')}"
    return base_url.rsplit("/", 1)[0] + f"/{config['NAME']}_bench_{size}"


def _recreate(url: str, *, drop_only: bool = False) -> None:
    config = dj_database_url.parse(url)
    if "sqlite" in config["ENGINE"]:
        Path(config["NAME"]).unlink(missing_ok=True)
        return
    import psycopg

    server = psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )
    with server:
        server.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
        if not drop_only:
            server.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def run_size(size: int, knobs: Knobs, *, base_url: str, keep: bool) -> dict:
    url = scratch_url(base_url, size)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CLINIC_ALLOW_INSECURE_KEY": "1",
        # The in-process pages of a big run outlast the default half hour of a session.
        "SESSION_COOKIE_AGE": str(24 * 3600),
    }
    print(f"{size:,} patients: {url.rsplit('/', 1)[-1]}", file=sys.stderr)
    _recreate(url)
    try:
        _manage(env, "migrate", "--verbosity=0")
        started = time.perf_counter()
        _manage(env, "seed_bench", f"--patients={size}")
        seed_seconds = time.perf_counter() - started
        with (
            tempfile.NamedTemporaryFile(suffix=".json") as out,
            collected_static() as static_root,
        ):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.measure",
                    f"--knobs={json.dumps(asdict(knobs))}",
                    f"--out={out.name}",
                ],
                cwd=ROOT,
                env={**env, "STATIC_ROOT": static_root},
                check=True,
            )
            figures = json.loads(Path(out.name).read_text())
    finally:
        if not keep:
            _recreate(url, drop_only=True)
    figures["seed_seconds"] = seed_seconds
    return figures


def run_info(results: dict, *, command: str, seconds: float, load: str) -> dict:
    """The figures of every size with what the document says about the machine."""
    return {
        "command": command,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "minutes": seconds / 60,
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
        "load": load,
        "database": next(iter(results.values()))["database"],
        "python": platform.python_version(),
        "django": django.get_version(),
        "celery": celery.__version__,
        "sizes": results,
    }


def load_average() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


# What follows this line in the document is written by hand (how each change was made
# and measured on its own) and survives the next run.
BY_HAND = "<!-- Written by hand: python -m bench keeps everything below this line. -->"


def kept_by_hand(out: Path) -> str:
    """The hand-written end of the document ``out``, from the marker on, or nothing."""
    text = out.read_text() if out.exists() else ""
    _, marker, tail = text.partition(BY_HAND)
    return f"\n{marker}{tail}" if marker else ""


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    knobs = Knobs(**{k.name: getattr(args, k.name) for k in fields(Knobs)})
    base_url = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'clinic.sqlite3'}"
    started = time.perf_counter()
    load = load_average()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    command = "python -m bench " + shlex.join(argv if argv is not None else sys.argv[1:])
    before = json.loads(args.before.read_text()) if args.before else None
    args.out.parent.mkdir(parents=True, exist_ok=True)
    by_hand = kept_by_hand(args.out)
    results: dict[str, dict] = {}
    for size in sizes:
        results[str(size)] = run_size(size, knobs, base_url=base_url, keep=args.keep)
        # Written after each size, so a long run stopped half-way keeps what it measured.
        run = run_info(results, command=command, seconds=time.perf_counter() - started, load=load)
        args.out.write_text(render(run, before) + by_hand)
        args.out.with_suffix(".json").write_text(json.dumps(run, indent=1))
    print(f"Wrote {args.out} in {run['minutes']:.0f} min.", file=sys.stderr)
