"""The diary pages: the clinic's day with a column per therapist, one therapist's week."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from courses.diary import diary_day
from courses.models import Visit
from hours.models import ClosedDay, OpeningHours, TimeOff, WorkingHours
from tests.factories import CourseFactory, UserFactory, VisitFactory, staff_with_role

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 11, 24)
# Europe/London: the clocks go forward on the last Sunday of March, back in October.
SPRING_FORWARD = dt.date(2026, 3, 29)
FALL_BACK = dt.date(2026, 10, 25)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def open_weekdays(starts: dt.time = dt.time(9), ends: dt.time = dt.time(18)) -> None:
    OpeningHours.objects.bulk_create(
        OpeningHours(weekday=weekday, starts=starts, ends=ends) for weekday in range(5)
    )


def visit_at(therapist, moment: dt.datetime, patient: str = "Novak", **kwargs) -> Visit:
    course = CourseFactory(
        therapist=therapist,
        start_date=moment.date() - dt.timedelta(days=7),
        patient__last_name=patient,
    )
    return VisitFactory(course=course, sequence=4, scheduled_at=moment, **kwargs)


def diary(client: Client, day: dt.date, *therapists, name: str = "admin:diary") -> str:
    query = {"day": day.isoformat(), "therapist": [t.pk for t in therapists]}
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.text


def columns(page: str) -> list[str]:
    return re.findall(r'<section class="diary-column[^"]*" aria-label="([^"]*)"', page)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff() -> Client:
    """Reception: not a therapist, so no column of its own."""
    return logged_in(staff_with_role(RECEPTION))


@pytest.mark.parametrize("role", [RECEPTION, THERAPIST, MANAGER])
def test_every_role_that_sees_visits_opens_the_day_and_the_week(role):
    client = logged_in(staff_with_role(role))

    assert client.get(reverse("admin:diary")).status_code == 200
    assert client.get(reverse("admin:diary_week")).status_code == 200


def test_staff_who_may_not_see_visits_are_refused_the_diary():
    client = logged_in(UserFactory(is_staff=True))

    assert client.get(reverse("admin:diary")).status_code == 403
    assert client.get(reverse("admin:diary_week")).status_code == 403


def test_someone_not_signed_in_is_sent_to_sign_in():
    response = Client().get(reverse("admin:diary"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_previous_and_next_links_lead_a_day_and_a_week_away_keeping_the_filter(staff):
    anna = UserFactory(first_name="Anna", last_name="Kowalska")

    page = diary(staff, TUESDAY, anna)

    for day in ["2026-11-17", "2026-11-23", "2026-11-25", "2026-12-01"]:
        assert f'href="?day={day}&amp;therapist={anna.pk}"' in page


def test_a_therapist_not_working_that_day_has_no_column_unless_chosen_or_booked(staff):
    open_weekdays()
    anna = UserFactory(first_name="Anna", last_name="Kowalska")
    CourseFactory(therapist=anna)
    mondays_only = UserFactory(first_name="Ben", last_name="Monday")
    WorkingHours.objects.create(
        therapist=mondays_only, weekday=0, starts=dt.time(9), ends=dt.time(13)
    )
    CourseFactory(therapist=mondays_only)

    assert columns(diary(staff, TUESDAY)) == ["Anna Kowalska"]
    assert columns(diary(staff, TUESDAY, mondays_only)) == ["Ben Monday"]

    visit_at(mondays_only, at(TUESDAY, 10), booked_minutes=60)
    assert columns(diary(staff, TUESDAY)) == ["Anna Kowalska", "Ben Monday"]


def test_each_visit_shows_the_patient_the_session_the_status_and_links_to_its_page(
    staff,
):
    anna = UserFactory(first_name="Anna", last_name="Kowalska")
    visit = visit_at(anna, at(TUESDAY, 10), patient="Okafor")
    visit_at(anna, at(TUESDAY, 12), status=Visit.Status.MISSED)

    page = diary(staff, TUESDAY)

    block = re.search(
        rf'<a class="diary-visit diary-scheduled row-9 span-4" href="'
        rf'{reverse("admin:courses_visit_change", args=[visit.pk])}">(.*?)</a>',
        page,
    )
    assert block is not None
    assert "Okafor" in block.group(1)
    assert "4/10" in block.group(1)
    assert 'class="diary-visit diary-missed row-17 span-4"' in page


def test_free_slots_link_to_booking_that_therapist_at_that_time(staff):
    open_weekdays()
    anna = UserFactory(first_name="Anna", last_name="Kowalska")
    visit_at(anna, at(TUESDAY, 10), booked_minutes=60)
    TimeOff.objects.create(
        therapist=anna, starts_at=at(TUESDAY, 14), ends_at=at(TUESDAY, 16), reason="Dentist"
    )

    page = diary(staff, TUESDAY)
    booking = reverse("admin:courses_visit_add") + f"?therapist={anna.pk}&amp;scheduled_at="
    free = set(re.findall(re.escape(booking) + r"2026-11-24 (\d\d:\d\d)", page))

    assert {"09:00", "09:45", "11:00", "13:45", "16:00", "17:45"} <= free
    # Booked, away, and outside the clinic's hours (the grid runs from opening to closing).
    assert free.isdisjoint({"10:00", "10:45", "14:00", "15:45"})
    assert len(free) == 4 * 9 - 4 - 8


def test_the_booking_page_opens_with_the_slot_filled_in(staff):
    anna = UserFactory(first_name="Anna", last_name="Kowalska")
    CourseFactory(therapist=anna)

    page = staff.get(
        reverse("admin:courses_visit_add"),
        {"therapist": anna.pk, "scheduled_at": "2026-11-24 11:15"},
    ).text

    assert 'name="scheduled_at_0" value="24/11/2026"' in page
    assert 'name="scheduled_at_1" value="11:15:00"' in page
    assert f'<option value="{anna.pk}" selected>' in page


def test_times_outside_the_therapists_window_are_greyed_not_bookable():
    open_weekdays()
    anna = UserFactory()
    CourseFactory(therapist=anna)
    WorkingHours.objects.create(therapist=anna, weekday=1, starts=dt.time(12), ends=dt.time(18))

    (column,) = diary_day(day=TUESDAY).columns

    assert [slot.label for slot in column.slots if slot.free][:1] == ["12:00"]
    assert not any(slot.free for slot in column.slots[: 4 * 3])


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK], ids=["march", "october"])
def test_on_the_clock_change_days_visits_sit_in_their_wall_clock_rows(day):
    anna = UserFactory()
    visit_at(anna, at(day, 10), booked_minutes=60)

    result = diary_day(day=day)
    (column,) = result.columns

    # Hours not set: 08:00 to 20:00, 48 quarter-hours, whatever the day's length.
    assert result.grid.rows == 48
    assert [slot.label for slot in column.slots][::16] == ["08:00", "12:00", "16:00"]
    assert (column.blocks[0].row, column.blocks[0].span) == (9, 4)
    eleven = column.slots[12]
    assert eleven.label == "11:00"
    assert timezone.localtime(eleven.starts).hour == 11


def test_the_week_shows_seven_days_of_one_therapist_and_marks_today(staff, time_machine):
    time_machine.move_to(at(TUESDAY, 8))
    anna = UserFactory(first_name="Anna", last_name="Kowalska")
    other = UserFactory()
    visit_at(anna, at(TUESDAY + dt.timedelta(days=2), 10), patient="Okafor")
    visit_at(other, at(TUESDAY, 10), patient="Elsewhere")

    page = diary(staff, TUESDAY, anna, name="admin:diary_week")

    assert columns(page) == [
        "Monday 23 November",
        "Tuesday 24 November",
        "Wednesday 25 November",
        "Thursday 26 November",
        "Friday 27 November",
        "Saturday 28 November",
        "Sunday 29 November",
    ]
    assert page.count("diary-column diary-today") == 1
    assert 'aria-label="Tuesday 24 November"' in page.split("diary-column diary-today")[1][:40]
    assert "Okafor" in page
    assert "Elsewhere" not in page
    week = reverse("admin:diary_week")
    assert f'href="{week}?day=2026-12-01&amp;therapist={anna.pk}"' in page


def test_a_therapist_opening_the_week_sees_their_own(time_machine):
    therapist = staff_with_role(THERAPIST, first_name="Tomas", last_name="Berg")

    page = logged_in(therapist).get(reverse("admin:diary_week")).text

    assert "Tomas Berg: the week of" in page


def bulk_visits(therapist, starts: list[dt.datetime]) -> None:
    """Many quarter-hour visits at once with bulk_create, a course for each 15 of them:
    the page's query count must not grow with them."""
    for first in range(0, len(starts), 15):
        course = CourseFactory(therapist=therapist, planned_sessions=15)
        Visit.objects.bulk_create(
            Visit(
                course=course,
                therapist=therapist,
                sequence=n,
                scheduled_at=start,
                booked_minutes=15,
                ends_at=start + dt.timedelta(minutes=15),
            )
            for n, start in enumerate(starts[first : first + 15], start=1)
        )


def quarter_hours(day: dt.date, count: int) -> list[dt.datetime]:
    return [at(day, 8) + dt.timedelta(minutes=15 * n) for n in range(count)]


def test_the_day_costs_the_same_queries_with_5_visits_or_200(django_assert_num_queries):
    open_weekdays(dt.time(8), dt.time(20))
    reception = logged_in(staff_with_role(RECEPTION))
    reception.get(reverse("admin:diary"), {"day": TUESDAY})  # the session settles

    bulk_visits(UserFactory(), quarter_hours(TUESDAY, 5))
    # Session, user, the user's and the group's permissions, the therapists, the staff
    # with visits that day, the visits of the page's columns, the working time (working
    # hours, time off, opening hours, closed days); then the session saved again (idle
    # timeout), inside a savepoint.
    with django_assert_num_queries(11):
        page = diary(reception, TUESDAY)
    assert page.count('class="diary-visit ') == 5

    for _ in range(8):
        bulk_visits(UserFactory(), quarter_hours(TUESDAY, 25))
    with django_assert_num_queries(11):
        page = diary(reception, TUESDAY)
    assert page.count('class="diary-visit ') == 205
    assert len(columns(page)) == 9


def test_the_week_costs_the_same_queries_with_5_visits_or_200(django_assert_num_queries):
    reception = logged_in(staff_with_role(RECEPTION))
    anna = UserFactory()
    monday = TUESDAY - dt.timedelta(days=1)
    bulk_visits(anna, quarter_hours(monday, 5))
    query = {"day": TUESDAY, "therapist": anna.pk}
    reception.get(reverse("admin:diary_week"), query)  # the session settles
    with django_assert_num_queries(10):
        few = reception.get(reverse("admin:diary_week"), query).text

    for n in range(1, 7):
        bulk_visits(anna, quarter_hours(monday + dt.timedelta(days=n), 33))
    with django_assert_num_queries(10):
        many = reception.get(reverse("admin:diary_week"), query).text
    assert few.count('class="diary-visit ') == 5
    assert many.count('class="diary-visit ') == 5 + 6 * 33


def test_the_grid_classes_exist_for_a_whole_day_and_the_longest_booking():
    css = Path(finders.find("clinic/diary.css")).read_text()

    assert all(f".row-{n} {{ grid-row-start: {n}; }}" in css for n in range(1, 97))
    assert all(f".span-{n} {{ grid-row-end: span {n}; }}" in css for n in range(1, 17))


def test_a_closed_day_says_why_and_offers_no_free_slot(staff):
    open_weekdays()
    ClosedDay.objects.create(date=TUESDAY, reason="Staff training")
    anna = UserFactory()
    visit_at(anna, at(TUESDAY, 10))

    page = diary(staff, TUESDAY)

    assert "The clinic is closed on this day (Staff training)." in page
    assert "diary-free" not in page
    assert page.count('class="diary-visit ') == 1


def test_a_day_that_is_not_a_date_shows_today(staff, time_machine):
    time_machine.move_to(at(TUESDAY, 9))

    response = staff.get(reverse("admin:diary"), {"day": "2026-02-30", "therapist": "x"})

    assert response.status_code == 200
    assert response.context["day"] == TUESDAY


@pytest.mark.parametrize("name", ["admin:diary", "admin:diary_week"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_at_the_ends_of_the_calendar_shows_today(staff, time_machine, name, day):
    time_machine.move_to(at(TUESDAY, 9))

    response = staff.get(reverse(name), {"day": day})

    assert response.status_code == 200
    assert response.context["day"] == TUESDAY


def test_the_pages_place_everything_by_classes_with_no_inline_style_or_script(staff):
    anna = UserFactory()
    visit_at(anna, at(TUESDAY, 10))

    for name in ["admin:diary", "admin:diary_week"]:
        page = diary(staff, TUESDAY, anna, name=name)
        assert "diary-visit" in page
        assert " style=" not in page
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
