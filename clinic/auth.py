"""Authentication with lockout after repeated failed logins (django-axes)."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check for every login that comes through a web request.

    Axes refuses to authenticate without a request. Logins without one (the test
    client's ``login()``, code calling ``authenticate()`` directly) cannot be
    brute-forced from outside, so this backend steps aside for them and lets the
    next backend decide.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
