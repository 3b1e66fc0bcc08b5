"""Every language's catalogue translates every string, and its translations fit their
originals: the same placeholders, every plural form the language has."""

import gettext
import re
from collections import Counter

import pytest

from clinic.catalogues import PLURAL_FORMS
from tests.translations.catalogues import PLACEHOLDER, catalogue_ids, parsed, where


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.fixture(params=catalogue_ids())
def catalogue(request):
    return parsed(request.param), request.param


def test_the_product_speaks_a_language_besides_english():
    assert catalogue_ids(), "settings.LANGUAGES names no language but English"


def test_every_entry_is_translated(catalogue):
    po, language = catalogue
    missing = [where(e) for e in po.untranslated_entries() if not e.obsolete]
    assert not missing, f"{len(missing)} untranslated in {language}:\n" + "\n".join(missing)


def test_no_entry_is_fuzzy(catalogue):
    po, language = catalogue
    fuzzy = [where(e) for e in po.fuzzy_entries()]
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {language} (check, then drop the flag):\n" + (
        "\n".join(fuzzy)
    )


def test_no_entry_is_obsolete(catalogue):
    po, language = catalogue
    obsolete = [repr(e.msgid) for e in po.obsolete_entries()]
    assert not obsolete, f"{len(obsolete)} obsolete in {language}:\n" + "\n".join(obsolete)


def test_translations_keep_the_placeholders_of_their_originals(catalogue):
    po, language = catalogue
    wrong = []
    for entry in po:
        if entry.obsolete or not entry.translated():
            continue
        if not entry.msgid_plural:
            if placeholders(entry.msgstr) != placeholders(entry.msgid):
                wrong.append(f"{where(entry)} -> {entry.msgstr!r}")
            continue
        singular, plural = placeholders(entry.msgid), placeholders(entry.msgid_plural)
        for index, form in sorted(entry.msgstr_plural.items()):
            found = placeholders(form)
            # The first form also serves 21, 31...: it may need the count English's "one"
            # leaves out, and nothing else.
            fits = (
                singular <= found and set(found) <= set(singular | plural)
                if index == 0
                else found == plural
            )
            if not fits:
                wrong.append(f"{where(entry)} form {index} -> {form!r}")
    assert not wrong, f"placeholders differ in {language}:\n" + "\n".join(wrong)


def _rule(plural_forms: str):
    count = int(re.search(r"nplurals\s*=\s*(\d+)", plural_forms)[1])
    return count, gettext.c2py(re.search(r"plural\s*=\s*([^;]+)", plural_forms)[1])


def test_plural_forms_are_the_languages_own(catalogue):
    po, language = catalogue
    expected = PLURAL_FORMS[language]
    header = po.metadata.get("Plural-Forms", "")
    (forms, rule), (expected_forms, expected_rule) = _rule(header), _rule(expected)
    assert forms == expected_forms and all(rule(n) == expected_rule(n) for n in range(1000)), (
        f"{language}'s header says {header!r}; it should say {expected!r}"
    )


def test_plural_entries_have_every_form_of_the_language(catalogue):
    po, language = catalogue
    forms, _rule_of = _rule(PLURAL_FORMS[language])
    short = [
        where(entry)
        for entry in po
        if entry.msgid_plural
        and not entry.obsolete
        and sorted(entry.msgstr_plural) != list(range(forms))
    ]
    assert not short, f"plural entries without {forms} forms in {language}:\n" + "\n".join(short)
