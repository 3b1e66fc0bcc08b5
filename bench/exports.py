"""The CSV and JSON export of every course summary, next to PostgreSQL's COPY of the same
summary computed in one SQL query.

Each export runs in a fresh process (``python -m bench.exports csv``) through the
``export_courses`` command, so that its peak memory is its own: the figure is the
process's peak resident size, Django included, and how much the export added to it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def export_in_this_process(format: str) -> dict:
    from django.core.management import call_command

    from courses.models import Course

    rows = Course.objects.count()
    before = _rss_mb()
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / f"courses.{format}"
        with open(os.devnull, "w") as quiet:
            started = time.perf_counter()
            call_command("export_courses", format=format, output=output, stdout=quiet)
            elapsed = time.perf_counter() - started
        size = output.stat().st_size
    return {
        "format": format,
        "rows": rows,
        "seconds": elapsed,
        "rows_per_second": rows / elapsed if elapsed else None,
        "bytes": size,
        "peak_rss_mb": _rss_mb(),
        "rss_before_mb": before,
    }


def export(format: str, *, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.exports", format],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def summary_sql() -> str:
    """The course summary of ``courses.summaries`` in one query, in the export's order."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from courses.models import Course, Visit
    from messaging.models import Feedback, Message
    from patients.models import Patient

    points = int(settings.CLINIC_IMPORTANT_IMPROVEMENT_POINTS)
    percent = int(settings.CLINIC_IMPORTANT_IMPROVEMENT_PERCENT)
    visit, feedback, message = _table(Visit), _table(Feedback), _table(Message)
    return f"""
    WITH counts AS (
        SELECT course_id,
               count(*) FILTER (WHERE status = 'done') AS done,
               count(*) FILTER (WHERE status = 'missed') AS missed,
               count(*) FILTER (WHERE status = 'cancelled') AS cancelled
        FROM {visit} GROUP BY course_id
    ), first_done AS (
        SELECT DISTINCT ON (course_id) course_id, pain_before
        FROM {visit} WHERE status = 'done' ORDER BY course_id, performed_at, sequence
    ), last_done AS (
        SELECT DISTINCT ON (course_id) course_id, pain_after, performed_at
        FROM {visit} WHERE status = 'done'
        ORDER BY course_id, performed_at DESC, sequence DESC
    ), report AS (
        SELECT DISTINCT ON (course_id) course_id, pain, submitted_at
        FROM {feedback} WHERE course_id IS NOT NULL
        ORDER BY course_id, submitted_at DESC, id DESC
    ), reminder AS (
        SELECT patient_id, min(due_at) AS due FROM {message}
        WHERE kind = 'repeat_course_reminder' AND status IN ('pending', 'sending')
        GROUP BY patient_id
    ), summary AS (
        -- The course's own columns only: the summary is computed here from the visits,
        -- not read from the figures the services keep on the course.
        SELECT c.id, c.patient_id, c.region, c.kind, c.massage_kind, c.status,
               c.start_date, c.end_date, c.planned_sessions,
               p.first_name || ' ' || p.last_name AS patient_name,
               coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''), u.username)
                   AS therapist_name,
               coalesce(n.done, 0) AS done, coalesce(n.missed, 0) AS missed,
               coalesce(n.cancelled, 0) AS cancelled, f.pain_before AS pain_at_start,
               CASE WHEN r.submitted_at > l.performed_at OR l.performed_at IS NULL
                    THEN r.pain ELSE l.pain_after END AS pain_at_end,
               CASE WHEN r.submitted_at > l.performed_at OR l.performed_at IS NULL
                    THEN r.submitted_at ELSE l.performed_at END AS pain_at_end_at,
               CASE WHEN r.submitted_at > l.performed_at OR l.performed_at IS NULL
                    THEN CASE WHEN r.pain IS NOT NULL THEN 'patient_report' END
                    WHEN l.pain_after IS NOT NULL THEN 'visit' END AS source,
               m.due AS next_repeat_reminder
        FROM {_table(Course)} c
        JOIN {_table(Patient)} p ON p.id = c.patient_id
        LEFT JOIN {_table(get_user_model())} u ON u.id = c.therapist_id
        LEFT JOIN counts n ON n.course_id = c.id
        LEFT JOIN first_done f ON f.course_id = c.id
        LEFT JOIN last_done l ON l.course_id = c.id
        LEFT JOIN report r ON r.course_id = c.id
        LEFT JOIN reminder m ON m.patient_id = c.patient_id
    )
    SELECT id AS course_id, patient_id, patient_name AS patient, region, kind, massage_kind,
           status, therapist_name AS therapist, start_date, end_date,
           planned_sessions AS sessions_planned, done AS sessions_done,
           missed AS sessions_missed, cancelled AS sessions_cancelled, pain_at_start,
           pain_at_end, pain_at_end_at, source AS pain_at_end_source,
           pain_at_end - pain_at_start AS pain_change_points,
           round((pain_at_end - pain_at_start) * 100.0 / nullif(pain_at_start, 0), 1)
               AS pain_change_percent,
           CASE WHEN pain_at_end IS NULL OR pain_at_start IS NULL THEN NULL
                WHEN pain_at_start = 0 THEN false
                ELSE pain_at_start - pain_at_end >= {points}
                     AND (pain_at_start - pain_at_end) * 100 >= {percent} * pain_at_start
           END AS important_improvement,
           next_repeat_reminder
    FROM summary ORDER BY start_date, id
    """


def copy_summary() -> dict:
    """The time PostgreSQL takes to compute the summary and stream it out as CSV."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {"skipped": f"no COPY in {connection.vendor}"}
    size = 0
    with connection.cursor() as cursor:
        started = time.perf_counter()
        sql = f"COPY ({summary_sql()}) TO STDOUT (FORMAT csv, HEADER)"
        with cursor.cursor.copy(sql) as copy:
            for data in copy:
                size += len(data)
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "bytes": size}


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    print(json.dumps(export_in_this_process(sys.argv[1])))
