import datetime as dt
import logging

import pytest
from django.utils import timezone

# A weekday afternoon inside the default sending hours (09:00-20:00 Europe/London).
DAYTIME = dt.datetime(2026, 6, 10, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def daytime(time_machine):
    """Freeze the clock on a clinic afternoon, so sending hours do not depend on when
    the suite runs."""
    time_machine.move_to(DAYTIME, tick=False)
    return timezone.now()


@pytest.fixture
def clinic_settings(settings):
    settings.TIME_ZONE = "Europe/London"
    settings.CLINIC_SITE_URL = "https://clinic.example"
    return settings


@pytest.fixture
def check_in(db):
    """A post-visit check-in that went out after a visit with pain 4 before, 3 after."""
    from tests.factories import CheckInFactory

    return CheckInFactory(visit__pain_before=4, visit__pain_after=3, number=1)


@pytest.fixture
def pain_rise(check_in):
    """The patient's answer to ``check_in``: pain 6, two points above the 4 before the
    visit, which flags the course."""
    from messaging.services import feedback_submit

    return feedback_submit(message=check_in, pain=6, comment="It hurts more since Monday.")


@pytest.fixture
def smtp(settings):
    """A local SMTP server that the clinic's e-mail backend sends to."""
    from tests.messaging.real_parts import SMTPServer

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "messaging.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_TIMEOUT = 1
        yield server
