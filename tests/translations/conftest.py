from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from bench.pages import bench_manager
from hours.services import calendar_feed_renew
from tests.translations.pseudo import CLOSE, LANGUAGE, OPEN, data_words, pseudo_catalogue


@pytest.fixture(scope="session")
def pseudo_locale(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pseudo-locale")
    pseudo_catalogue(folder)
    return folder


@pytest.fixture
def pseudo_russian(settings, pseudo_locale):
    """The clinic set to speak the pseudo-translation, for pages, e-mails and files."""
    settings.LOCALE_PATHS = [pseudo_locale]
    settings.LANGUAGE_CODE = LANGUAGE
    with translation.override(LANGUAGE):
        # Without the pseudo catalogue in force every page would pass on Django's Russian.
        assert translation.gettext("Diary") == f"{OPEN}Diary{CLOSE}"
        yield


@pytest.fixture(scope="package")
def demo_clinic(django_db_setup, django_db_blocker):
    """The demo clinic (every kind of course, message and answer), built once for these
    tests and rolled back after the last of them; gives the words of its data."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", patients=12, password="pseudo-pass-1", stdout=StringIO())
        bench_manager()  # the benchmark's pages are found as its manager
        # The demo has no calendar feed; its admin pages need one.
        calendar_feed_renew(user=get_user_model().objects.get(username="admin"))
        yield data_words()
        transaction.set_rollback(True)
