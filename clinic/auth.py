"""Authentication with lockout after repeated failed logins (django-axes)."""

import ipaddress
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


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


def client_ip_address(request: HttpRequest) -> str | None:
    """The address of whoever sent the request, seen through ``CLINIC_PROXY_COUNT`` proxies.

    Each proxy appends the address it received the request from to X-Forwarded-For, so
    with N proxies the client is the Nth entry from the right; entries further left come
    from the client and may be made up. A request that passed fewer proxies than that
    (or carries no valid address there) is taken at its connection's address, as
    Werkzeug's ProxyFix does. django-ipware is not used: its proxy count counts the
    proxies' own addresses in the header, which common proxies (nginx, Caddy) never
    add, so behind one proxy it finds no address at all.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.CLINIC_PROXY_COUNT
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit of its own for each way failures are counted.

    ``AXES_LOCKOUT_PARAMETERS`` counts failures per user name and address, per address
    (a password sprayed over many user names) and per user name (one user name guessed
    from many addresses); ``CLINIC_LOGIN_FAILURE_LIMITS`` gives each its limit. Axes
    itself compares one count with one limit, so ``get_failures`` reports the count
    closest to its own limit, shifted onto ``AXES_FAILURE_LIMIT``.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        parameters = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        limits = settings.CLINIC_LOGIN_FAILURE_LIMITS
        exempt = self._signed_in_here_before(request, credentials)
        headroom = []
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            key = (parameter,) if isinstance(parameter, str) else tuple(parameter)
            if len(key) == 1 and exempt:
                continue
            limit = settings.AXES_FAILURE_LIMIT if len(key) > 1 else limits[key[0]]
            headroom.append(limit - self._count(attempts))
        return settings.AXES_FAILURE_LIMIT - min(headroom)

    @staticmethod
    def _count(attempts) -> int:
        return sum(attempts.values_list("failures_since_start", flat=True))

    @staticmethod
    def _signed_in_here_before(request, credentials: dict | None) -> bool:
        """Only a user name's own failures at an address it signed in from lock it out there.

        Otherwise anyone could keep a therapist out of the clinic by guessing their
        password from a few addresses of their own, again after every cool-off; and the
        staff's typos, all from the clinic's one address, would add up to lock everyone
        out of it.
        """
        username = get_client_username(request, credentials)
        if not username:
            return False
        since = timezone.now() - timedelta(days=settings.CLINIC_LOGIN_KNOWN_ADDRESS_DAYS)
        return AccessLog.objects.filter(
            username=username, ip_address=request.axes_ip_address, attempt_time__gte=since
        ).exists()

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A successful login clears the failures of its own user name and address only.

        Axes would clear every failure counted with it: all of the address's (a
        spraying attacker's count, whenever any colleague signs in from that address)
        and all of the user name's (a distributed guesser's, whenever the user signs in).
        """
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count
