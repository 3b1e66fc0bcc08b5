"""A pseudo-translation: Russian whose every project string reads as its English wrapped
in ⟦ ⟧, and a reader that finds what a person would see unwrapped.

The pseudo catalogue is compiled as "ru" from the msgids of the project's Russian
catalogue and put first in LOCALE_PATHS, so every string the project marks (and
extracted) comes out wrapped. Django's and the other apps' strings are not in it and fall
through to their own Russian catalogues: they come out in Cyrillic, which has no Latin
word, and so pass without a list of them. What is left in Latin letters outside the
markers is a string that skipped gettext (or is marked but missing from the catalogue:
run makemessages), unless it is data: names, notes and addresses from the database and
the settings, e-mail addresses, links, and the few words every language writes alike.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import lxml.html
import polib
from django.apps import apps
from django.conf import settings
from django.db import models

from tests.translations.catalogues import PLACEHOLDER, parsed

OPEN, CLOSE = "⟦", "⟧"
LANGUAGE = "ru"
# Written the same in Russian text: file formats, abbreviations, and "Axes", the name of
# the login-protection app that heads its section of the admin.
SAME_IN_EVERY_LANGUAGE = {"PDF", "CSV", "JSON", "XLSX", "ICS", "iCal", "UTC", "ID", "Axes"}
# Key names in Django's own Russian ("Удерживайте “Control“ (или “Command“ на Mac)").
SAME_IN_EVERY_LANGUAGE |= {"Control", "Command", "Mac"}
# What a person reads in attributes (the rest of them are for the browser).
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
NOT_WORDS = re.compile(
    r"[\w.+-]+@[\w-]+(\.[\w-]+)+"  # e-mail addresses
    r"|\b(https?://|/)[^\s\"'<>]*"  # links and paths
    r"|\+\d[\d ]+"  # phone numbers
)
# Where the data are: the clinic's apps, and staff's names and roles. Not Django's own
# tables, whose English rows (permission names) would hide strings.
DATA_APPS = {"patients", "courses", "messaging", "hours"}
DATA_MODELS = {"auth.User", "auth.Group"}
INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def pseudo_catalogue(folder: Path) -> Path:
    """Compile the pseudo catalogue under ``folder`` (a LOCALE_PATHS entry)."""
    source = parsed(LANGUAGE)
    pseudo = polib.POFile()
    pseudo.metadata = dict(source.metadata)
    for entry in source:
        if entry.obsolete:
            continue
        wrapped = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid)
        if entry.msgid_plural:
            wrapped.msgid_plural = entry.msgid_plural
            forms = int(re.search(r"nplurals\s*=\s*(\d+)", source.metadata["Plural-Forms"])[1])
            wrapped.msgstr_plural = {
                i: _wrapped(entry.msgid if i == 0 else entry.msgid_plural) for i in range(forms)
            }
        else:
            wrapped.msgstr = _wrapped(entry.msgid)
        pseudo.append(wrapped)
    mo = folder / LANGUAGE / "LC_MESSAGES" / "django.mo"
    mo.parent.mkdir(parents=True, exist_ok=True)
    pseudo.save_as_mofile(str(mo))
    return mo


def _wrapped(msgid: str) -> str:
    """The msgid between markers, with its placeholders outside them: what is filled in
    is read on its own (a name passes as data, an untranslated label fails)."""
    return OPEN + PLACEHOLDER.sub(lambda m: CLOSE + m[0] + OPEN, msgid) + CLOSE


def data_words() -> set[str]:
    """Every word of the text the database holds (names, notes, addresses): data, shown
    as it was typed. Fields with choices are left out: their labels are strings."""
    words = set(WORD.findall(f"{settings.CLINIC_NAME} {settings.CLINIC_ADDRESS}"))
    # Each language is offered under its own name ("English", "Русский"), whatever the
    # page's language, so that a reader finds theirs.
    words.update(WORD.findall(" ".join(name for _, name in settings.LANGUAGES)))
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS and model._meta.label not in DATA_MODELS:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value:
                    words.update(WORD.findall(NOT_WORDS.sub(" ", str(value))))
    return words


def unmarked(text: str, allowed: set[str]) -> list[str]:
    """The Latin words of a run of text that are neither inside markers nor allowed."""
    while INNERMOST.search(text):
        text = INNERMOST.sub(" ", text)
    # What a filter cut short (truncatechars) leaves of a marked string.
    text = re.sub(f"{OPEN}.*", " ", re.sub(f".*{CLOSE}", " ", text))
    text = NOT_WORDS.sub(" ", text)
    return [
        match[0]
        for match in WORD.finditer(text)
        if match[0] not in allowed
        and match[0] not in SAME_IN_EVERY_LANGUAGE
        and not _cut_short(match, allowed)
    ]


def _cut_short(match: re.Match, allowed: set[str]) -> bool:
    """A word of the data that a filter cut short ("mailbox unav…")."""
    if not match.string.startswith("…", match.end()):
        return False
    return any(word.startswith(match[0]) for word in allowed)


def unmarked_in_html(html: str, allowed: set[str]) -> list[str]:
    """Each visible run of an HTML page (text, the attributes people read, the labels of
    buttons, the text of the SVG charts it embeds) with its unmarked words."""
    tree = lxml.html.fromstring(html)
    for node in tree.xpath("//script|//style|//noscript"):
        node.drop_tree()
    # Django's admin icons carry alt texts Django itself leaves in English ("True",
    # "Search"); nothing of the clinic's.
    for image in tree.xpath("//img[contains(@src, '/admin/img/')]"):
        image.attrib.pop("alt", None)
    runs = [str(t) for t in tree.xpath("//text()")]
    runs += [str(v) for attribute in READ_ATTRIBUTES for v in tree.xpath(f"//@{attribute}")]
    runs += [
        str(v)
        for v in tree.xpath("//input[@type='submit' or @type='button' or @type='reset']/@value")
    ]
    for source in tree.xpath("//img/@src[starts-with(., 'data:image/svg+xml;base64,')]"):
        svg = base64.b64decode(source.split(",", 1)[1])
        runs += [str(t) for t in lxml.html.fromstring(svg).xpath("//text()")]
    return _found(runs, allowed)


def unmarked_in_text(text: str, allowed: set[str]) -> list[str]:
    return _found(text.splitlines(), allowed)


def _found(runs: list[str], allowed: set[str]) -> list[str]:
    found = []
    for run in runs:
        words = unmarked(run, allowed)
        if words:
            found.append(f"{' '.join(words)!r} in {run.strip()[:120]!r}")
    return sorted(set(found))


def assert_only_translated(found: list[str], what: str) -> None:
    assert not found, f"{what} shows words outside gettext (or not in the catalogue yet):\n" + (
        "\n".join(found)
    )
