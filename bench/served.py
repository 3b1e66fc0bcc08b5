"""The same pages through gunicorn on loopback, and visits logged by concurrent clients.

gunicorn runs in a process of its own on the benchmark's database; the clients are
threads of this process, signed in with a session cookie made here (a session row in
the database, as a login would leave).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import lxml.html
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.inprocess import manager_client, percentile
from bench.pages import resolved_pages
from bench.static import collected_static

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(*, database_url: str, workers: int) -> Iterator[str]:
    """A gunicorn serving the clinic; yields its address once it answers."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "CLINIC_ALLOW_INSECURE_KEY": "1"}
    with ExitStack() as stack:
        if "STATIC_ROOT" not in env:
            env["STATIC_ROOT"] = stack.enter_context(collected_static())
        yield from _served(port, env, workers)


def _served(port: int, env: dict[str, str], workers: int) -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clinic.wsgi",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--timeout=120",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/admin/login/", timeout=30).read()
                break
            # Refused before it listens, or a time-out on a loaded machine.
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


class Browser:
    """One staff member's browser: the session cookie, and the CSRF cookie it is given."""

    def __init__(self, base: str, session: str) -> None:
        self.base = base
        self.cookies = {settings.SESSION_COOKIE_NAME: session}
        self.opener = urllib.request.build_opener(_NoRedirect())

    def get(self, url: str) -> tuple[int, bytes, float]:
        return self._open(urllib.request.Request(self.base + url))

    def post(self, url: str, data: list[tuple[str, str]]) -> tuple[int, bytes, float]:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + url, data=body, method="POST")
        request.add_header("Referer", self.base + url)
        return self._open(request)

    def _open(self, request: urllib.request.Request) -> tuple[int, bytes, float]:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=300) as response:
                status, body, headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, body, headers = error.code, error.read(), error.headers
        elapsed = (time.perf_counter() - started) * 1000
        for cookie in headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            if name == settings.CSRF_COOKIE_NAME:
                self.cookies[name] = rest.split(";", 1)[0]
        return status, body, elapsed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie() -> str:
    return manager_client().cookies[settings.SESSION_COOKIE_NAME].value


def browse(*, base: str, clients: int, rounds: int, seconds: float) -> dict:
    """``clients`` browsers walking the page list at once, each from another page, for
    ``rounds`` rounds or ``seconds``, whichever ends first."""
    pages = resolved_pages()
    session = session_cookie()
    samples: dict[str, list[float]] = {name: [] for name, _url in pages}
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def walk(offset: int) -> None:
        browser = Browser(base, session)
        order = pages[offset:] + pages[:offset]
        for _ in range(rounds):
            for name, url in order:
                if time.monotonic() > deadline:
                    return
                status, _body, elapsed = browser.get(url)
                with lock:
                    samples[name].append(elapsed)
                    if status != 200:
                        errors.append(f"{name}: {status}")

    started = time.perf_counter()
    threads = [
        threading.Thread(target=walk, args=(i * len(pages) // clients,)) for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [s for values in samples.values() for s in values]
    return {
        "clients": clients,
        "requests": len(every),
        "seconds": elapsed,
        "per_second": len(every) / elapsed if elapsed else 0.0,
        "p50": percentile(every, 50) if every else None,
        "p95": percentile(every, 95) if every else None,
        "errors": errors,
        "pages": [
            {
                "name": name,
                "n": len(values),
                "p50": percentile(values, 50) if values else None,
                "p95": percentile(values, 95) if values else None,
            }
            for name, values in samples.items()
        ],
    }


# --- logging visits -------------------------------------------------------------------


def visits_to_log(count: int) -> list[int]:
    """Booked sessions whose time has come, the next one of each open course: what a
    therapist logs at the end of a session. How many there are depends on the time of
    day, so the latest done session of other open courses makes up the number (saved
    again with new pain scores, through the same form and rules)."""
    from courses.models import Course, Visit

    ids, seen = [], set()
    visits = Visit.objects.filter(course__status__in=Course.OPEN_STATUSES)
    booked = visits.filter(status=Visit.Status.SCHEDULED, scheduled_at__lt=timezone.now())
    done = visits.filter(status=Visit.Status.DONE)
    for queryset in (
        booked.order_by("course_id", "sequence"),
        done.order_by("course_id", "-sequence"),
    ):
        for pk, course_id in queryset.values_list("pk", "course_id").iterator():
            if course_id not in seen:
                seen.add(course_id)
                ids.append(pk)
                if len(ids) == count:
                    return ids
    return ids


def logged_form(page: bytes) -> list[tuple[str, str]]:
    """The visit page's form as a browser would post it, with the session logged as
    done at its booked time and pain scores filled in."""
    form = lxml.html.fromstring(page).xpath('//form[@id="visit_form"]')[0]
    data = [(k, v) for k, v in form.form_values() if "__prefix__" not in k]
    values = dict(data)
    changes = {
        "status": "done",
        "pain_before": "6",
        "pain_after": "4",
        "performed_at_0": values.get("performed_at_0") or values.get("scheduled_at_0", ""),
        "performed_at_1": values.get("performed_at_1") or values.get("scheduled_at_1", ""),
    }
    data = [(k, v) for k, v in data if k not in changes] + list(changes.items())
    return [*data, ("_save", "Save")]


def _change_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("admin:courses_visit_change", args=[pk])


def log_visits(*, base: str, clients: int, posts: int) -> dict:
    """``posts`` sessions logged through the visit page by ``clients`` at once. The forms
    are read first; only the posts are timed. Anything but the redirect after a save
    counts as an error."""
    ids = visits_to_log(posts + 1)
    if not ids:
        return {"posts": 0, "per_second": None, "errors": 0, "queries": None}
    queries = _queries_of_one_log(ids.pop(0))
    first_logs = _booked_count(ids)
    session = session_cookie()
    shares = [ids[i::clients] for i in range(clients)]
    forms: list[list[tuple[Browser, str, list]]] = []
    for share in shares:
        browser = Browser(base, session)
        forms.append([])
        for pk in share:
            status, body, _elapsed = browser.get(_change_url(pk))
            if status == 200:
                forms[-1].append((browser, _change_url(pk), logged_form(body)))
    outcomes: list[int] = []
    refusals: list[str] = []
    lock = threading.Lock()

    def post_all(mine: list) -> None:
        for browser, url, data in mine:
            status, body, _elapsed = browser.post(url, data)
            with lock:
                outcomes.append(status)
                if status != 302:
                    refusals.append(refusal(status, body))

    started = time.perf_counter()
    threads = [threading.Thread(target=post_all, args=(mine,)) for mine in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "posts": len(outcomes),
        "seconds": elapsed,
        "per_second": len(outcomes) / elapsed if elapsed else None,
        "errors": sum(status != 302 for status in outcomes),
        # What each error was: a rule's refusal on the page, or the server's status.
        "refusals": sorted(set(refusals)),
        "first_logs": first_logs,
        "queries": queries,
    }


def refusal(status: int, page: bytes) -> str:
    """What a post that did not save met: the page's first error, or its status."""
    if status == 200:
        tree = lxml.html.fromstring(page)
        errors = tree.xpath('//*[contains(@class, "errorlist")]//li') or tree.xpath(
            '//p[@class="errornote"]'
        )
        if errors:
            return " ".join(errors[0].text_content().split())
    return f"HTTP {status}"


def _queries_of_one_log(pk: int) -> int | None:
    client = manager_client()
    url = _change_url(pk)
    data = logged_form(client.get(url).content)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, dict(_merge(data)))
    return len(queries) if response.status_code == 302 else None


def _merge(data: list[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    merged: dict[str, list[str]] = {}
    for key, value in data:
        merged.setdefault(key, []).append(value)
    yield from merged.items()


def _booked_count(ids: list[int]) -> int:
    from courses.models import Visit

    return Visit.objects.filter(pk__in=ids, status=Visit.Status.SCHEDULED).count()
