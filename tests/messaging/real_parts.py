"""Real parts for the worker tests: a local SMTP server, Celery worker processes and a
Redis server of a test's own.

The workers are separate processes on the machine's Redis; they reach the test
database through ``DATABASE_URL``, so the tests that use them commit their rows
(``transaction=True``).
"""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from kombu import Connection

from messaging.tasks import dispatch_due_messages_task

REDIS_URL = os.environ.get("CLINIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives and can refuse or slow down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.received: list[email.message.Message] = []
        # Every content the server took, before any delay: what a patient may have got
        # even when the reply never reached the client.
        self.taken: list[email.message.Message] = []
        self.refuse: set[str] = set()
        self.refuse_all = False
        self.delay = 0.0  # before the reply to the end of DATA
        self.rcpt_delay = 0.0  # before the reply to RCPT, before any content
        # Recipients at whose RCPT the server drops the connection, once each.
        self.drop_at: set[str] = set()
        self.connections = 0  # counted at each EHLO: one per connection

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        if address in self.drop_at:
            self.drop_at.discard(address)
            server.transport.close()
            return "421 4.3.0 Closing the connection"
        if self.refuse_all or address in self.refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.taken.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(int(m["X-Clinic-Message"]) for m in self.received)


class SMTPServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SMTPServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def database_url_for_workers() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Start ``celery -A clinic worker`` processes; every one is killed at the end."""

    def __init__(self, *, smtp_port: int, log_dir: Path, **env: str) -> None:
        self.processes: list[subprocess.Popen] = []
        self.log_dir = log_dir
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url_for_workers(),
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "5",
            "CLINIC_ALLOW_INSECURE_KEY": "1",
            "CLINIC_SENDING_HOURS": "00:00-24:00",
            "CLINIC_MESSAGE_RETRY_BACKOFF": "1",
            "TIME_ZONE": settings.TIME_ZONE,
            **env,
        }

    def start(self, name: str, concurrency: int = 2) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "clinic",
                "worker",
                "--loglevel",
                "INFO",
                "--pool",
                "prefork",
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group, so a kill reaches the pool's children too.
            start_new_session=True,
        )
        process.log, process.name, process.concurrency = log, name, concurrency
        self.processes.append(process)
        return process

    def restart_exited(self) -> list[str]:
        """Start again every worker whose process has exited, as the process supervisor
        of an installation does; returns their names."""
        exited = [p for p in self.processes if p.poll() is not None and not p.log.closed]
        for process in exited:
            process.log.close()
            self.start(process.name, process.concurrency)
        return [p.name for p in exited]

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        process.log.close()

    def stop_all(self) -> None:
        for process in self.processes:
            self.kill(process)

    def logs(self, tail: int | None = 3000) -> str:
        """The end of each log (of the workers, and of a Redis of the test's own), or
        all of it with ``tail=None``."""
        return "\n".join(
            f"--- {p.name}\n" + p.read_text(errors="replace")[-(tail or 0) :]
            for p in sorted(self.log_dir.glob("*.log"))
        )


class RedisServer:
    """A ``redis-server`` of the test's own on a free port, which the test may stop and
    start again (empty: nothing is saved) without touching the machine's Redis."""

    def __init__(self, *, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log_path = log_dir / "redis-server.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        assert wait_for(lambda: self._answers(client), timeout=10), self.log_path.read_text()

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=10)
        self.process = None


def publish_dispatch(times: int = 1, *, broker_url: str = REDIS_URL) -> None:
    """What beat does every few minutes, here on demand."""
    with Connection(broker_url) as conn:
        for _ in range(times):
            dispatch_due_messages_task.apply_async(connection=conn)


def flush_redis() -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()


def wait_for(condition: Callable[[], bool], *, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
