"""The diary in headless Chromium at a desktop's and a phone's width: the day and the
week lay out without inline styles, and the screenshots for the README."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.roles import THERAPIST
from courses.models import Visit
from hours.models import OpeningHours, TimeOff, WorkingHours
from tests.e2e.conftest import PASSWORD
from tests.factories import CourseFactory, PatientFactory, VisitFactory, staff_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE = 1280, 390


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def book(therapist, day: dt.date, hour: int, minute: int, patient: tuple[str, str], **kwargs):
    course = CourseFactory(
        therapist=therapist,
        patient=PatientFactory(first_name=patient[0], last_name=patient[1]),
        start_date=day - dt.timedelta(days=10),
        session_minutes=45,
    )
    return VisitFactory(course=course, scheduled_at=at(day, hour, minute), **kwargs)


@pytest.fixture
def clinic_week(therapist):
    """A believable day: four therapists, one starting at noon, one away after lunch."""
    today = timezone.localdate()
    OpeningHours.objects.bulk_create(
        OpeningHours(weekday=w, starts=dt.time(8), ends=dt.time(20)) for w in range(6)
    )
    anna = staff_with_role(THERAPIST, username="anna", first_name="Anna", last_name="Kowalska")
    ben = staff_with_role(THERAPIST, username="ben", first_name="Ben", last_name="Okafor")
    clara = staff_with_role(THERAPIST, username="clara", first_name="Clara", last_name="Ruiz")
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=ben, weekday=w, starts=dt.time(12), ends=dt.time(20))
        for w in range(6)
    )
    TimeOff.objects.create(
        therapist=clara, starts_at=at(today, 13), ends_at=at(today, 15, 30), reason="Course"
    )
    monday = today - dt.timedelta(days=today.weekday())
    for offset, hour in [(0, 9), (1, 11), (2, 17), (3, 10), (4, 14), (5, 9)]:
        day = monday + dt.timedelta(days=offset)
        if day != today:
            book(therapist, day, hour, 0, ("Mia", "Novak"), sequence=offset + 2)
    book(therapist, today, 9, 0, ("Mia", "Novak"), sequence=7, done=True)
    book(therapist, today, 10, 0, ("Omar", "Haddad"), sequence=2, status=Visit.Status.MISSED)
    book(therapist, today, 11, 30, ("Lena", "Fischer"), sequence=9)
    book(therapist, today, 16, 0, ("Jonas", "Weber"), sequence=1)
    book(anna, today, 8, 30, ("Sara", "Lind"), sequence=3, done=True)
    book(anna, today, 10, 0, ("Pavel", "Horak"), sequence=5, status=Visit.Status.CANCELLED)
    book(anna, today, 13, 0, ("Ines", "Costa"), sequence=10)
    book(ben, today, 12, 0, ("Tariq", "Aziz"), sequence=6)
    book(ben, today, 17, 15, ("Eva", "Nowak"), sequence=8)
    book(clara, today, 9, 30, ("Kim", "Park"), sequence=4, done=True)
    book(clara, today, 16, 0, ("Noor", "Bakr"), sequence=2)
    return today


def fits_the_width(browser) -> bool:
    """Nothing but the diary's own grid scrolls sideways."""
    return browser.driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_day_and_the_week_lay_out_at_a_desktops_and_a_phones_width(
    browser, therapist, clinic_week, width
):
    browser.log_in("therapist", PASSWORD)
    size = browser.driver.get_window_size()
    browser.driver.set_window_size(width, 900)
    try:
        look_at_the_day_and_the_week(browser, width)
    finally:
        # The browser is shared: the next test gets it at its usual size.
        browser.driver.set_window_size(size["width"], size["height"])


def look_at_the_day_and_the_week(browser, width: int) -> None:
    suffix = "-phone" if width == PHONE else ""

    browser.open(reverse("admin:diary"))
    columns = browser.driver.find_elements("css selector", "section.diary-column")
    assert [c.get_attribute("aria-label") for c in columns] == [
        "Anna Kowalska",
        "Ben Okafor",
        "Clara Ruiz",
        "Tomas Berg",
    ]
    # Blocks sit at their rows: the 11:30 visit starts 3.5 hours below the 08:00 row.
    rows = browser.driver.execute_script(
        "const r = e => document.querySelector(e).getBoundingClientRect().top;"
        "return [r('.diary-rows .row-1'), r('.diary-rows .row-2'),"
        " r('.diary-visit.row-15')]"
    )
    assert rows[2] - rows[0] == pytest.approx(14 * (rows[1] - rows[0]), abs=2)
    assert fits_the_width(browser)
    browser.screenshot(f"diary-day{suffix}", width=width)

    browser.open(reverse("admin:diary_week"))
    assert len(browser.driver.find_elements("css selector", "section.diary-column")) == 7
    assert len(browser.driver.find_elements("css selector", ".diary-today")) == 1
    assert fits_the_width(browser)
    if width == DESKTOP:
        # A week fits a desktop's screen without scrolling sideways.
        assert not browser.overflows(".diary-grid")
    else:
        # A phone opens it with today's column in view, beside the times.
        today_left, times_right, grid_right = browser.driver.execute_script(
            "const box = e => document.querySelector(e).getBoundingClientRect();"
            "return [box('.diary-today').left, box('.diary-times').right,"
            " box('.diary-grid').right]"
        )
        assert times_right - 2 <= today_left < grid_right - 100
    browser.screenshot(f"diary-week{suffix}", width=width)
