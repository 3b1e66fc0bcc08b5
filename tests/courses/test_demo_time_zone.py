"""The demo's "today" is the clinic's, wherever the server's clock is."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from clinic.timeutils import clinic_date, clinic_today
from courses.models import Course, Visit
from hours.models import OpeningHours

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A Monday night when the clinic's day has begun and UTC's has not: Moscow is three
# hours ahead all year, London one hour in summer.
@pytest.mark.parametrize(
    ("language", "time_zone", "night"),
    [
        ("en-gb", "Europe/London", dt.datetime(2026, 6, 15, 0, 30)),
        ("ru", "Europe/Moscow", dt.datetime(2026, 11, 23, 1, 30)),
    ],
    ids=["london", "moscow"],
)
def test_a_demo_built_in_the_small_hours_books_todays_visits_on_the_clinics_today(
    settings, language, time_zone, night
):
    settings.LANGUAGE_CODE, settings.TIME_ZONE = language, time_zone
    night = night.replace(tzinfo=ZoneInfo(time_zone))
    assert night.astimezone(dt.UTC).date() < night.date()
    monday = night.date()

    with time_machine.travel(night, tick=False):
        call_command("seed_demo", patients=12, password="demo", stdout=StringIO())
        now = timezone.now()
        assert clinic_today() == monday

    todays = [visit for visit in Visit.objects.all() if clinic_date(visit.scheduled_at) == monday]
    # Every course running now comes on the clinic's Monday, the day the demo was built.
    active = set(Course.objects.filter(status=Course.Status.ACTIVE).values_list("pk", flat=True))
    assert active
    assert {visit.course_id for visit in todays} >= active
    hours = OpeningHours.objects.get(weekday=monday.weekday())
    for visit in todays:
        # Later today, inside the clinic's hours, and not yet held.
        local = timezone.localtime(visit.scheduled_at)
        assert hours.starts <= local.time() < hours.ends
        assert visit.status == Visit.Status.SCHEDULED
    # What was logged happened before the night the demo was built; nothing booked is
    # left behind in the past.
    assert not Visit.objects.filter(status=Visit.Status.DONE, scheduled_at__gt=now).exists()
    assert not Visit.objects.filter(status=Visit.Status.SCHEDULED, scheduled_at__lt=now).exists()
