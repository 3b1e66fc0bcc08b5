"""compile_catalogues makes, with polib alone, a .mo that Django reads as the .po says."""

import shutil
from io import StringIO

import polib
from django.core.management import call_command
from django.utils import translation

from clinic.catalogues import catalogue_paths, compiled_entries
from tests.translations.catalogues import parsed


def test_compiled_catalogue_is_read_by_django_as_its_source_says(settings, tmp_path, monkeypatch):
    source = catalogue_paths()[0]
    language = source.parent.parent.name
    po = parsed(language)
    copy = tmp_path / language / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(source, copy)
    # No msgfmt to fall back on: the command must not need it.
    monkeypatch.setenv("PATH", str(tmp_path))
    settings.LOCALE_PATHS = [tmp_path]

    call_command("compile_catalogues", stdout=StringIO())

    mo = copy.with_suffix(".mo")
    assert compiled_entries(polib.mofile(str(mo))) == compiled_entries(po)
    translated = [e for e in po.translated_entries() if not e.msgid_plural and not e.msgctxt]
    assert translated, f"the {language} catalogue translates nothing"
    entry = translated[0]
    with translation.override(language):
        assert translation.gettext(entry.msgid) == entry.msgstr
