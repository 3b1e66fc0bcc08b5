"""The diary's booking rules (docs/clinic-rules.md, "The diary"): no therapist and no
patient booked twice at once, every booking inside opening hours, working hours, open
days and time at work; each refusal names the clash in words."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses import services
from courses.models import Course, SpineRegion, Visit
from hours.models import ClosedDay, OpeningHours, TimeOff, WorkingHours
from tests.factories import CourseFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)  # a Tuesday
THURSDAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: dt.date, hour: int, minute: int = 0, *, fold: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON, fold=fold)


@pytest.fixture
def anna():
    return UserFactory(first_name="Anna", last_name="Kowalska")


def course_for(therapist, *, first_name="Mia", last_name="Novak", **fields) -> Course:
    patient = PatientFactory(first_name=first_name, last_name=last_name)
    return CourseFactory(patient=patient, therapist=therapist, **fields)


def book(course: Course, start: dt.datetime, **fields) -> Visit:
    sequence = course.visits.count() + 1
    visit = Visit(course=course, sequence=sequence, scheduled_at=start, **fields)
    return services.visit_save(visit=visit)


def refusal(course: Course, start: dt.datetime, **fields) -> str:
    with pytest.raises(ValidationError) as caught:
        book(course, start, **fields)
    return " ".join(caught.value.messages)


# --- one therapist, one patient at a time -----------------------------------------------


def test_a_therapist_is_never_booked_with_two_patients_at_once(anna):
    book(course_for(anna), at(THURSDAY, 17))

    message = refusal(course_for(anna, first_name="Leo", last_name="Hart"), at(THURSDAY, 17, 30))

    assert message == "Session 1: Anna Kowalska already sees Mia Novak 17:00-18:00 on Thu 26 Nov."
    assert Visit.objects.count() == 1


def test_back_to_back_sessions_do_not_clash(anna):
    book(course_for(anna), at(THURSDAY, 17))

    book(course_for(anna, first_name="Leo"), at(THURSDAY, 18))

    assert Visit.objects.count() == 2


def test_a_patient_is_never_booked_with_two_therapists_at_once(anna):
    first = course_for(anna)
    book(first, at(THURSDAY, 17))
    other = CourseFactory(patient=first.patient, region=SpineRegion.CERVICAL)
    other.therapist.first_name, other.therapist.last_name = "Olga", "Berg"
    other.therapist.save()

    message = refusal(other, at(THURSDAY, 17, 45))

    assert message == (
        "Session 1: Mia Novak already has a session with Anna Kowalska 17:00-18:00 on Thu 26 Nov."
    )


def test_overlap_is_measured_with_each_visits_own_length(anna):
    course = course_for(anna, session_minutes=30)
    book(course, at(THURSDAY, 17))

    book(course_for(anna, first_name="Leo"), at(THURSDAY, 17, 30))
    later = course_for(anna, first_name="Ivy")
    message = refusal(later, at(THURSDAY, 16, 15))  # 60 minutes: until 17:15

    assert "Anna Kowalska already sees Mia Novak 17:00-17:30 on Thu 26 Nov" in message


def test_a_cancelled_or_missed_session_frees_its_slot(anna):
    visit = book(course_for(anna), at(THURSDAY, 17))
    visit.status = Visit.Status.CANCELLED
    services.visit_save(visit=visit)

    book(course_for(anna, first_name="Leo"), at(THURSDAY, 17))

    visit.status = Visit.Status.SCHEDULED
    assert "Anna Kowalska already sees Leo" in " ".join(
        pytest.raises(ValidationError, services.visit_save, visit=visit).value.messages
    )


def test_a_session_keeps_the_length_it_was_booked_with(anna):
    course = course_for(anna)
    visit = book(course, at(THURSDAY, 17))
    course.session_minutes = 30
    services.course_save(course=course)

    visit.scheduled_at = at(THURSDAY, 18)
    services.visit_save(visit=visit)

    visit.refresh_from_db()
    assert (visit.booked_minutes, visit.ends_at) == (60, at(THURSDAY, 19))


def test_bookings_that_run_past_midnight_clash_with_the_next_days_first(anna):
    book(course_for(anna), at(THURSDAY, 23, 30))

    message = refusal(course_for(anna, first_name="Leo"), at(THURSDAY + dt.timedelta(days=1), 0))

    assert "Anna Kowalska already sees Mia Novak 23:30-00:30 on Thu 26 Nov" in message


def test_overlap_on_the_autumn_clock_change_is_measured_in_real_time(anna):
    # 25 Oct 2026: 01:00-02:00 happens twice. 01:30 BST for an hour ends at 01:30 GMT,
    # so a booking at 01:00 GMT (wall clock "earlier") overlaps it.
    change = dt.date(2026, 10, 25)
    with time_machine.travel(at(change, 0), tick=False):
        book(course_for(anna, start_date=change), at(change, 1, 30))
        second = course_for(anna, first_name="Leo", start_date=change)
        message = refusal(second, at(change, 1, 0, fold=1))
        book(second, at(change, 1, 30, fold=1))

    assert "Anna Kowalska already sees Mia Novak 01:30-01:30 on Sun 25 Oct" in message


def test_overlap_on_the_spring_clock_change_is_measured_in_real_time(anna):
    # 29 Mar 2026: 01:00 GMT becomes 02:00 BST. 00:30 for an hour ends at 02:30 BST.
    change = dt.date(2026, 3, 29)
    with time_machine.travel(at(change, 0), tick=False):
        book(course_for(anna, start_date=change), at(change, 0, 30))
        message = refusal(course_for(anna, first_name="Leo", start_date=change), at(change, 2))

    assert "Anna Kowalska already sees Mia Novak 00:30-02:30 on Sun 29 Mar" in message


def test_a_course_has_one_booked_session_a_day(anna):
    course = course_for(anna)
    book(course, at(THURSDAY, 10))

    message = refusal(course, at(THURSDAY, 17))

    assert "Sessions 1, 2 are booked on the same day, Thu 26 Nov" in message


# --- working time -----------------------------------------------------------------------


@pytest.fixture
def weekday_hours():
    for weekday in range(5):
        OpeningHours.objects.create(weekday=weekday, starts=dt.time(9), ends=dt.time(20))


def test_without_opening_hours_the_clinic_books_at_any_time(anna):
    book(course_for(anna), at(dt.date(2026, 11, 29), 3))  # a Sunday, at night

    assert Visit.objects.count() == 1


def test_a_session_is_inside_the_clinics_opening_hours(anna, weekday_hours):
    course = course_for(anna)

    late = refusal(course, at(THURSDAY, 19, 30))
    sunday = refusal(course, at(dt.date(2026, 11, 29), 10))

    assert late == (
        "Session 1: The clinic is open 09:00-20:00 on Thu 26 Nov: 19:30-20:30 is outside it."
    )
    assert sunday == "Session 1: The clinic is closed on Sun 29 Nov."
    book(course, at(THURSDAY, 19))


def test_no_session_is_booked_on_a_closed_day(anna, weekday_hours):
    ClosedDay.objects.create(date=dt.date(2026, 12, 25), reason="Christmas Day")

    message = refusal(course_for(anna), at(dt.date(2026, 12, 25), 10))

    assert message == "Session 1: The clinic is closed on Fri 25 Dec (Christmas Day)."


def test_a_session_is_inside_the_therapists_working_hours(anna, weekday_hours):
    WorkingHours.objects.create(therapist=anna, weekday=3, starts=dt.time(12), ends=dt.time(20))
    course = course_for(anna)

    morning = refusal(course, at(THURSDAY, 10))
    friday = refusal(course, at(THURSDAY + dt.timedelta(days=1), 12))

    assert morning == (
        "Session 1: Anna Kowalska works 12:00-20:00 on Thu 26 Nov: 10:00-11:00 is outside it."
    )
    assert friday == "Session 1: Anna Kowalska does not work on Fri 27 Nov."
    book(course, at(THURSDAY, 12))


def test_a_therapist_without_hours_of_their_own_works_the_clinics(anna, weekday_hours):
    book(course_for(anna), at(THURSDAY, 9))

    assert Visit.objects.get().therapist == anna


def test_no_session_is_booked_in_a_therapists_time_off(anna, weekday_hours):
    TimeOff.objects.create(
        therapist=anna,
        starts_at=at(THURSDAY, 0),
        ends_at=at(THURSDAY + dt.timedelta(days=2), 0),
        reason="Holiday",
    )

    message = refusal(course_for(anna), at(THURSDAY, 10))

    assert message == (
        "Session 1: Anna Kowalska is away from Thu 26 Nov 00:00 to Sat 28 Nov 00:00 (Holiday)."
    )


def test_a_session_given_before_the_hours_were_set_can_still_be_logged(anna, weekday_hours):
    course = course_for(anna)
    visit = Visit.objects.create(course=course, sequence=1, scheduled_at=at(NOW.date(), 7))

    visit.status = Visit.Status.DONE
    visit.pain_before, visit.pain_after = 5, 3
    with time_machine.travel(at(NOW.date(), 9), tick=False):
        services.visit_save(visit=visit)

    assert Visit.objects.get().is_done


# --- every entry point ------------------------------------------------------------------


def test_the_visit_page_shows_the_clash_and_saves_nothing(admin_client, anna):
    book(course_for(anna), at(THURSDAY, 17))
    other = course_for(anna, first_name="Leo")

    response = admin_client.post(
        reverse("admin:courses_visit_add"),
        {
            "course": other.pk,
            "sequence": 1,
            "scheduled_at_0": "26/11/2026",
            "scheduled_at_1": "17:15",
            "status": "scheduled",
            "techniques": [],
            "therapist": anna.pk,
            "feedback-TOTAL_FORMS": 0,
            "feedback-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200
    assert "Anna Kowalska already sees Mia Novak 17:00-18:00 on Thu 26 Nov" in (
        response.content.decode()
    )
    assert not other.visits.exists()


def test_moving_a_booking_onto_another_is_refused(anna):
    a = book(course_for(anna), at(THURSDAY, 10))
    b = book(course_for(anna, first_name="Leo"), at(THURSDAY, 12))

    a.scheduled_at = at(THURSDAY, 12, 30)
    with pytest.raises(ValidationError, match="Anna Kowalska already sees Leo"):
        services.visit_save(visit=a)

    assert Visit.objects.get(pk=a.pk).scheduled_at == at(THURSDAY, 10)
    assert Visit.objects.get(pk=b.pk).scheduled_at == at(THURSDAY, 12)


def test_booking_two_cancelled_sessions_again_from_the_visit_list_saves_neither(
    admin_client, anna
):
    for name in ("Mia", "Leo"):  # each booked while the other's slot was free
        visit = book(course_for(anna, first_name=name), at(THURSDAY, 17))
        visit.status = Visit.Status.CANCELLED
        services.visit_save(visit=visit)
    listed = Visit.objects.order_by("scheduled_at", "-pk")
    data = {
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 2,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for i, visit in enumerate(listed):
        data |= {
            f"form-{i}-id": visit.pk,
            f"form-{i}-status": Visit.Status.SCHEDULED,
            f"form-{i}-pain_before": "",
            f"form-{i}-pain_after": "",
        }

    response = admin_client.post(reverse("admin:courses_visit_changelist"), data)

    assert response.status_code == 200
    assert "Anna Kowalska already sees" in response.content.decode()
    assert set(Visit.objects.values_list("status", flat=True)) == {Visit.Status.CANCELLED}


def test_two_sessions_swap_slots_in_one_save(anna):
    course = course_for(anna)
    first = book(course, at(THURSDAY, 10))
    second = book(course, at(THURSDAY + dt.timedelta(days=1), 10))

    first.scheduled_at, second.scheduled_at = second.scheduled_at, first.scheduled_at
    services.visits_save(course=course, visits=[first, second])

    booked = dict(Visit.objects.values_list("sequence", "scheduled_at"))
    assert booked == {1: at(THURSDAY + dt.timedelta(days=1), 10), 2: at(THURSDAY, 10)}
