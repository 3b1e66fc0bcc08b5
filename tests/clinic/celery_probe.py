"""A task only the worker test loads, to prove a real worker consumes from the broker."""

from pathlib import Path

from celery import shared_task


@shared_task(name="tests.probe_task")
def probe_task(path: str) -> None:
    Path(path).write_text("consumed")
