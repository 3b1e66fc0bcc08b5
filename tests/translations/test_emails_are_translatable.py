"""Every kind of e-mail (subject, text and HTML) shows no English of the project's own
outside gettext, in the pseudo-translation of tests/translations/pseudo.py."""

import pytest

from messaging.emails import email_for
from messaging.models import Message
from tests.translations.pseudo import assert_only_translated, unmarked_in_html, unmarked_in_text


@pytest.mark.parametrize("kind", Message.Kind.values)
def test_email_shows_only_translated_words_and_data(demo_clinic, db, pseudo_russian, kind):
    message = Message.objects.filter(kind=kind).order_by("pk").first()
    assert message is not None, f"the demo clinic has no {kind}"
    email = email_for(message)
    html = email.alternatives[0][0]
    found = unmarked_in_text(email.subject, demo_clinic)
    found += unmarked_in_text(email.body, demo_clinic)
    found += unmarked_in_html(html, demo_clinic)
    assert_only_translated(found, f"the {kind}")
