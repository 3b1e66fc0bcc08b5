"""The ``.mo`` files in the repository say what their ``.po`` files say: a clone runs
translated without compiling, and a changed ``.po`` committed without its ``.mo`` fails
here (manage.py compile_catalogues makes it)."""

import polib
import pytest

from clinic.catalogues import catalogue_paths, compiled_entries
from tests.translations.catalogues import catalogue_ids, parsed, relative


@pytest.mark.parametrize("language", catalogue_ids())
def test_compiled_catalogue_holds_what_its_source_holds(language):
    source = parsed(language)
    mo_path = next(p for p in catalogue_paths() if p.parent.parent.name == language)
    mo_path = mo_path.with_suffix(".mo")
    assert mo_path.exists(), f"{relative(mo_path)} is missing: run manage.py compile_catalogues"
    compiled = compiled_entries(polib.mofile(str(mo_path)))
    expected = compiled_entries(source)
    stale = sorted(repr(key[1] or key[2]) for key in expected.keys() ^ compiled.keys()) + sorted(
        repr(key[1] or key[2])
        for key in expected.keys() & compiled.keys()
        if expected[key] != compiled[key]
    )
    assert not stale, (
        f"{relative(mo_path)} differs from its .po (run manage.py compile_catalogues):\n"
        + "\n".join(stale[:20])
    )
