"""SQLite's LIKE, made to ignore case in every alphabet.

Django's ``iexact``, ``icontains`` and the admin's search are ``LIKE`` on SQLite, and
SQLite's own LIKE folds the case of ASCII letters only: a search for "петровна" would
not find "Петровна", nor would the duplicate check see "ИВАНОВА" and "Иванова" as one
name. Each new SQLite connection gets a LIKE that folds case as Python does. PostgreSQL
folds case itself (``UPPER``) and is left alone.
"""

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compiled(pattern: str, escape: str | None) -> re.Pattern:
    parts, escaped = [], False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == escape:
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def like(pattern: str | None, value: str | None, escape: str | None = None) -> bool | None:
    """``value LIKE pattern [ESCAPE escape]``, whatever the alphabet's case; NULL in,
    NULL out, as SQL has it."""
    if pattern is None or value is None:
        return None
    return _compiled(pattern, escape).fullmatch(str(value)) is not None


def unicode_like_installed(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    # SQLite calls like(pattern, value[, escape]) for "value LIKE pattern [ESCAPE ...]".
    connection.connection.create_function("like", 2, like, deterministic=True)
    connection.connection.create_function("like", 3, like, deterministic=True)
