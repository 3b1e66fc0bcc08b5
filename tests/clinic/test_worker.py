"""A real Celery worker on the embedded default (the filesystem broker) consumes tasks."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def embedded_env(var_dir: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "CLINIC_ALLOW_INSECURE_KEY": "1",
        "CLINIC_VAR_DIR": str(var_dir),
    }


def test_a_worker_on_the_filesystem_broker_runs_a_queued_task(tmp_path):
    env = embedded_env(tmp_path)
    done = tmp_path / "probe.txt"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from clinic.celery import app, ensure_broker_folders; ensure_broker_folders(); "
            f"app.send_task('tests.probe_task', args=[{str(done)!r}])",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=60,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "clinic",
            "worker",
            "--include",
            "tests.clinic.celery_probe",
            "--pool",
            "solo",
            "--hostname",
            f"probe-{os.getpid()}@%h",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not done.exists() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)

    assert done.exists(), output
    assert done.read_text() == "consumed"
    assert "ready." in output
    assert "Traceback" not in output
