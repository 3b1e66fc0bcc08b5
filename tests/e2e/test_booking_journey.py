"""Reception books a course's sessions from the course page in headless Chromium: the
plan, Book all, a booking refused because its slot was taken meanwhile, and the
therapist's week of sessions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.models import Course, CourseKind, SpineRegion, Visit
from hours.models import OpeningHours
from tests.e2e.conftest import PASSWORD
from tests.factories import CourseFactory, PatientFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def course_for(first_name: str, last_name: str, therapist) -> Course:
    return CourseFactory(
        patient=PatientFactory(first_name=first_name, last_name=last_name),
        therapist=therapist,
        kind=CourseKind.THERAPEUTIC,
        planned_sessions=10,
        region=SpineRegion.LUMBAR,
        start_date=timezone.localdate(),
        status=Course.Status.ACTIVE,
    )


def test_reception_books_a_course_from_its_page_and_a_taken_slot_is_refused(
    browser, receptionist, therapist
):
    for weekday in range(6):  # Monday to Saturday
        OpeningHours.objects.create(weekday=weekday, starts=dt.time(9), ends=dt.time(20))
    monday = next_monday()
    ada = course_for("Ada", "Lovelace", therapist)
    mia = course_for("Mia", "Novak", therapist)

    browser.log_in("reception", PASSWORD)
    browser.open(reverse("admin:courses_course_change", args=[ada.pk]))
    loads = 0

    browser.submit_with(browser.find("#book-sessions"))  # a link: it loads the next page
    loads += 1
    assert browser.find("input[name=weekdays][value='0']").is_selected()  # Monday
    assert browser.find("input[name=weekdays][value='3']").is_selected()  # Thursday
    assert browser.find("#id_time").get_attribute("value") == "17:00"
    browser.type_date("#id_first_day", monday)
    browser.submit_with(browser.find("input[name=_show]"))
    loads += 1
    assert browser.text("#booking-plan").count("17:00-18:00") == 10
    browser.screenshot("booking-plan")
    browser.submit_with(browser.find("input[name=_book]"))
    loads += 1

    assert loads <= 3
    assert browser.messages("success") == ["10 sessions booked."]
    booked = list(ada.visits.order_by("sequence"))
    assert len(booked) == 10
    assert {(timezone.localtime(v.scheduled_at).strftime("%a %H:%M")) for v in booked} == {
        "Mon 17:00",
        "Thu 17:00",
    }

    # Mia Novak's course has the same therapist: her plan goes around Ada's sessions.
    browser.open(reverse("admin:courses_course_book", args=[mia.pk]))
    browser.type_date("#id_first_day", monday)
    browser.submit_with(browser.find("input[name=_show]"))
    plan = browser.text("#booking-plan")
    assert "Session 1 moved to 18:00: Tomas Berg already sees Ada Lovelace 17:00-18:00" in plan
    # Meanwhile another desk books the therapist's Monday at 18:00 for someone else.
    other = course_for("Alan", "Turing", therapist)
    services.visit_save(
        visit=Visit(
            course=other,
            sequence=1,
            scheduled_at=timezone.make_aware(dt.datetime.combine(monday, dt.time(18))),
        )
    )
    browser.submit_with(browser.find("input[name=_book]"))

    refusal = browser.text(".booking-refusal")
    assert refusal.startswith("Session 1: Tomas Berg already sees Alan Turing 18:00-19:00 on ")
    assert not mia.visits.exists()
    browser.screenshot("booking-refused")

    # The therapist's week in the diary: a therapist opening it sees their own.
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:diary_week") + f"?day={monday.isoformat()}")
    week = browser.text(".diary-grid")
    assert week.count("Ada Lovelace") == 2
    assert week.count("Alan Turing") == 1
