"""The demo's "today" is the clinic's, wherever the server's clock is."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from clinic.timeutils import clinic_date, clinic_today
from courses.models import Visit
from hours.models import OpeningHours

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(
    ("language", "time_zone"), [("en-gb", "Europe/London"), ("ru", "Europe/Moscow")]
)
def test_a_demo_built_at_half_past_one_at_night_books_todays_visits_on_the_clinics_today(
    settings, language, time_zone
):
    settings.LANGUAGE_CODE, settings.TIME_ZONE = language, time_zone
    # Half past one on Monday in the clinic: in Moscow it is still Sunday in UTC.
    night = dt.datetime.combine(MONDAY, dt.time(1, 30), tzinfo=ZoneInfo(time_zone))

    with time_machine.travel(night, tick=False):
        call_command("seed_demo", patients=12, password="demo", stdout=StringIO())
        now = timezone.now()
        assert clinic_today() == MONDAY

    todays = [
        visit
        for visit in Visit.objects.select_related("course")
        if clinic_date(visit.scheduled_at) == MONDAY
    ]
    assert todays
    monday = OpeningHours.objects.get(weekday=MONDAY.weekday())
    for visit in todays:
        # Later today, inside the clinic's hours, and not yet held.
        local = timezone.localtime(visit.scheduled_at)
        assert monday.starts <= local.time() < monday.ends
        assert visit.status == Visit.Status.SCHEDULED
    # What was logged happened before the night the demo was built; nothing booked is
    # left behind in the past.
    assert not Visit.objects.filter(status=Visit.Status.DONE, scheduled_at__gt=now).exists()
    assert not Visit.objects.filter(status=Visit.Status.SCHEDULED, scheduled_at__lt=now).exists()
