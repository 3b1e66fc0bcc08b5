"""Health endpoints: a liveness check for the load balancer and a status report for
monitoring.

``/health/`` says whether this process and the database answer, and nothing else: a
broker outage delays messages but the staff pages still work, so it must not take the
web servers out of the load balancer. It is answered by a middleware placed first, so
that it needs no session, no host name the site answers to (a load balancer asks by
the machine's address) and no HTTPS redirect, and costs one query.

``/status/`` reports the broker and the message backlog as JSON for a monitoring
system. It carries figures about the clinic's work (never a name), so it answers only
a request bearing ``Authorization: Bearer <CLINIC_STATUS_TOKEN>``, and not at all
(404) while that variable is unset.
"""

import datetime as dt
import hmac
import logging
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from messaging.selectors import message_backlog

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/health/"
# The longest the status report waits for the broker, in seconds.
BROKER_TIMEOUT = 2


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Liveness check: the database does not answer: %s", error)
        return False
    return True


class LivenessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != LIVENESS_PATH:
            return self.get_response(request)
        alive = _database_answers()
        response = HttpResponse(
            "ok\n" if alive else "database unavailable\n",
            status=200 if alive else 503,
            content_type="text/plain; charset=utf-8",
        )
        response["Cache-Control"] = "no-store"
        return response


def broker_status(url: str | None = None) -> dict:
    """Whether the Celery broker answers, within ``BROKER_TIMEOUT`` seconds."""
    url = url or settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
        ok = bool(folder) and Path(folder).is_dir()
        return {"ok": ok, "kind": "filesystem", "error": "" if ok else "no broker folder yet"}
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
        )
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as error:
        return {"ok": False, "kind": "redis", "error": f"{type(error).__name__}: {error}"}
    return {"ok": True, "kind": "redis", "error": ""}


def _authorised(request: HttpRequest) -> bool:
    token = settings.CLINIC_STATUS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


@never_cache
def status(request: HttpRequest) -> JsonResponse:
    """The broker and the message backlog; 503 while the broker does not answer."""
    if not _authorised(request):
        return JsonResponse({"error": "A valid status token is required."}, status=401)
    now = timezone.now()
    broker = broker_status()
    backlog = message_backlog(now=now)
    oldest = backlog.pop("oldest_due_at")
    backlog["oldest_due_seconds"] = (
        int((now - oldest) / dt.timedelta(seconds=1)) if oldest is not None else None
    )
    return JsonResponse(
        {"ok": broker["ok"], "time": now.isoformat(), "broker": broker, "messages": backlog},
        status=200 if broker["ok"] else 503,
    )
