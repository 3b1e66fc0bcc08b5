"""The catalogues under test, parsed: every language the product speaks but English."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

from clinic.catalogues import catalogue_paths

# What Python and Django fill in: %(name)s, %s, %d, %.1f and {name}; "%%" is a percent
# sign.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +]*\d*(?:\.\d+)?[sdif]|\{\w*\}"
)


def catalogue_ids() -> list[str]:
    return [path.parent.parent.name for path in catalogue_paths()]


def parsed(language: str) -> polib.POFile:
    """The language's ``.po``; a missing one fails the test (a language in
    ``LANGUAGES`` without a catalogue shows its people English)."""
    path = next(p for p in catalogue_paths() if p.parent.parent.name == language)
    if not path.exists():
        pytest.fail(f"{relative(path)} is missing: run manage.py makemessages -l {language}")
    return polib.pofile(str(path))


def relative(path: Path) -> str:
    return str(path.relative_to(settings.BASE_DIR))


def where(entry: polib.POEntry) -> str:
    places = ", ".join(f"{file}:{line}" for file, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({places})"
