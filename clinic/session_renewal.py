"""A staff session's expiry pushed forward at most once a minute, not on every request.

A session ends ``SESSION_COOKIE_AGE`` seconds after the last request. Django keeps that
with ``SESSION_SAVE_EVERY_REQUEST``, which writes the session row on every page: three
statements of a page's budget (the write in its own transaction), on every click of
every member of staff. Renewing once a minute ends an idle session at most a minute
early.
"""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

RENEW_AFTER_SECONDS = 60
RENEWED_AT = "_renewed_at"


def session_renewed_at_login(sender, request: HttpRequest | None, **kwargs) -> None:
    """Signing in saves a new session with a full expiry: it counts as a renewal."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = time.time()


class SessionRenewalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No cookie, no session to renew: a patient's page never creates one.
        if session is None or session.is_empty():
            return response
        now = time.time()
        if now - session.get(RENEWED_AT, 0) >= RENEW_AFTER_SECONDS:
            # Marks the session modified: SessionMiddleware saves it with a new expiry.
            session[RENEWED_AT] = now
        return response
