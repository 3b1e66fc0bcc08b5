"""The project's translation catalogues: ``locale/<language>/LC_MESSAGES/django.po``,
each compiled into the ``django.mo`` beside it, both kept in the repository.

Compiling goes through polib rather than GNU gettext's ``msgfmt``, so that anyone can
compile (and the tests can compare) on a machine without gettext's tools; only
extracting strings (``makemessages``) needs them.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings

DOMAIN = "django"
# Each language's plural forms as gettext has them. Django's own Russian catalogue, which
# makemessages copies the header from, has a fourth form for fractions (CLDR's "other");
# the clinic counts whole things: one for 1, 21...; one for 2-4, 22-24...; one for the rest.
PLURAL_FORMS = {
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
}


def catalogue_paths() -> list[Path]:
    """The ``.po`` files of every language the product speaks except its source
    language, English: that one needs no catalogue."""
    root = Path(settings.LOCALE_PATHS[0])
    return [
        root / code.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"
        for code, _name in settings.LANGUAGES
        if not code.startswith("en")
    ]


def catalogue_compile(*, po_path: Path) -> Path:
    """Write the ``.mo`` beside the ``.po``: its translated entries and header, as
    ``msgfmt`` would (fuzzy and untranslated entries are left out, so Django falls back
    to the English)."""
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


def compiled_entries(catalogue: polib._BaseFile) -> dict[tuple[str, str, str], object]:
    """What a catalogue gives Django at run time, keyed by context, message and plural:
    a parsed ``.po`` and a parsed ``.mo`` of it compare equal."""
    entries: dict[tuple[str, str, str], object] = {}
    # A .mo holds only what msgfmt (or polib) found translated.
    kept = catalogue if isinstance(catalogue, polib.MOFile) else catalogue.translated_entries()
    for entry in kept:
        key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
        if entry.msgid_plural:
            entries[key] = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            entries[key] = entry.msgstr
    entries[("", "", "Plural-Forms")] = catalogue.metadata.get("Plural-Forms", "")
    return entries
