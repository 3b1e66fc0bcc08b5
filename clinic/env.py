"""Read settings from the environment, failing loudly on a value we cannot use.

A typo in a production variable should stop the process at start, not surface as a
silently wrong default weeks later.
"""

import datetime as dt
import os
from collections.abc import Collection

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}; got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: Collection[str], *, example: str) -> str:
    """One of a known set of values, e.g. a country code; ``example`` says what is wanted."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if raw.strip() not in choices:
        raise ImproperlyConfigured(f"{name} must be {example}; got {raw!r}")
    return raw.strip()


def env_range(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """A closed range written as ``LOW-HIGH``, e.g. ``10-15``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        low, high = (int(part) for part in raw.split("-", 1))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must look like LOW-HIGH, e.g. 10-15; got {raw!r}"
        ) from None
    if not 1 <= low <= high:
        raise ImproperlyConfigured(f"{name} must have 1 <= LOW <= HIGH; got {raw!r}")
    return low, high


def env_time_window(name: str, default: str) -> tuple[dt.time, dt.time]:
    """A daily window written as ``HH:MM-HH:MM``, e.g. ``09:00-20:00``; start before end.

    ``24:00`` as the end means until midnight, so ``00:00-24:00`` is the whole day.
    """
    raw = os.environ.get(name) or default

    def parse(part: str) -> dt.time:
        return dt.time.max if part.strip() == "24:00" else dt.time.fromisoformat(part.strip())

    try:
        start, end = (parse(part) for part in raw.split("-", 1))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must look like HH:MM-HH:MM, e.g. 09:00-20:00; got {raw!r}"
        ) from None
    if not start < end:
        raise ImproperlyConfigured(f"{name} must start before it ends; got {raw!r}")
    return start, end


def require_above(name: str, value: int, floor: int, *, why: str) -> int:
    """Refuse a value that is valid alone but unsafe beside others, saying what it must
    exceed and why (``why`` names the settings the floor comes from)."""
    if value <= floor:
        raise ImproperlyConfigured(f"{name} must be above {floor} ({why}); got {value}")
    return value


def refuse_retired(name: str, *, instead: str) -> None:
    """Refuse a variable the clinic no longer reads: left set, it would look as though it
    still did something. ``instead`` says what replaced it."""
    if name in os.environ:
        raise ImproperlyConfigured(f"{name} is no longer read: {instead} Remove it.")
