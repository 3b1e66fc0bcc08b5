"""What the commands staff run print shows no English of the project's own outside
gettext, in the pseudo-translation of tests/translations/pseudo.py."""

from io import StringIO

from django.core.management import call_command

from tests.translations.pseudo import assert_only_translated, unmarked_in_text


def _output(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_seed_demo_reports_in_translated_words_and_data(demo_clinic, db, pseudo_russian):
    # The same (London) clinic again: in Russian, seed_demo would otherwise build a
    # Moscow clinic's people, whose names are not among the words of this one's data.
    output = _output("seed_demo", patients=12, password="pseudo-pass-2", language="en-gb")
    found = unmarked_in_text(output.replace("pseudo-pass-2", ""), demo_clinic)
    assert_only_translated(found, "seed_demo")


def test_a_dry_run_of_the_dispatch_lists_messages_in_translated_words_and_data(
    demo_clinic, db, pseudo_russian
):
    output = _output("send_due_messages", dry_run=True)
    assert_only_translated(unmarked_in_text(output, demo_clinic), "send_due_messages --dry-run")
