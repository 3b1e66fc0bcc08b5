import re

from django.core.management.commands import makemessages

from clinic.catalogues import PLURAL_FORMS

# What holds no string a person reads: the virtualenv, the collected static files and
# the data under var/, the benchmark, the tests and the documents.
IGNORED = [".venv", "var", "bench", "tests", "docs", "build", "*.egg-info", "scripts"]


class Command(makemessages.Command):
    """Django's makemessages with the clinic's defaults: the folders above left out,
    strings no longer in the code dropped rather than kept as obsolete entries, and a new
    catalogue started with the language's plural forms from ``clinic.catalogues``."""

    def handle(self, *args, **options) -> None:
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        options["no_obsolete"] = True
        super().handle(*args, **options)

    def copy_plural_forms(self, msgs: str, locale: str) -> str:
        msgs = super().copy_plural_forms(msgs, locale)
        if locale not in PLURAL_FORMS:
            return msgs
        line = f'"Plural-Forms: {PLURAL_FORMS[locale]}\\n"'
        return re.sub(r'^"Plural-Forms: .*$', lambda _m: line, msgs, count=1, flags=re.M)
