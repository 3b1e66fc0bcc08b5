"""A visit's lifecycle: booked, done on its day, undone, cancelled, deleted; and what
each step does to its course and to the patient's messages (docs/clinic-rules.md)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from courses import services
from courses.models import Course, CourseKind, SpineRegion, Visit
from messaging import services as messaging
from messaging.models import Feedback, Message
from tests.admin.course_page import course_page_data, visit_row
from tests.factories import CourseFactory, PatientFactory, VisitFactory, staff_with_role

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# A Tuesday morning in the clinic.
MORNING = dt.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def on(day_offset: int, hour: int) -> dt.datetime:
    return (MORNING + dt.timedelta(days=day_offset)).replace(hour=hour)


def done(visit: Visit, **fields) -> Visit:
    visit.status = Visit.Status.DONE
    visit.pain_before, visit.pain_after = fields.pop("pain", (6, 4))
    for name, value in fields.items():
        setattr(visit, name, value)
    return visit


def book(moment: dt.datetime, course: Course | None = None) -> Visit:
    """A session booked through the services, so its reminder is scheduled."""
    course = course or CourseFactory()
    visit = Visit(
        course=course, sequence=services.visit_next_sequence(course), scheduled_at=moment
    )
    return services.visit_save(visit=visit)


def fresh(visit: Visit) -> Visit:
    return Visit.objects.get(pk=visit.pk)


def kinds(**filters) -> dict[str, str]:
    return dict(Message.objects.filter(**filters).values_list("kind", "status"))


def logged_course(*, planned: int = 5, done_count: int = 5, **fields) -> Course:
    """A preventive course whose first ``done_count`` sessions were logged through the
    services, on the days they were booked (every other day up to today)."""
    course = CourseFactory(
        kind=CourseKind.PREVENTIVE,
        planned_sessions=planned,
        status=Course.Status.PLANNED,
        start_date=(MORNING - dt.timedelta(days=20)).date(),
        **fields,
    )
    visits = [
        done(Visit(course=course, sequence=n, scheduled_at=on(-2 * (done_count - n), 8)))
        for n in range(1, done_count + 1)
    ]
    services.visits_save(course=course, visits=visits)
    return Course.objects.get(pk=course.pk)


# --- marking a session done -----------------------------------------------------------


def test_a_session_booked_for_a_later_day_cannot_be_marked_done_today(clock):
    visit = VisitFactory(scheduled_at=on(2, 17))

    with pytest.raises(ValidationError, match="booked for Thu 26 Nov: it can be marked done"):
        services.visit_save(visit=done(fresh(visit)))

    assert fresh(visit).status == Visit.Status.SCHEDULED
    assert fresh(visit).performed_at is None


def test_a_session_held_early_is_moved_to_its_day_and_marked_done_in_one_save(clock):
    visit = VisitFactory(scheduled_at=on(2, 17))

    services.visit_save(visit=done(fresh(visit), scheduled_at=on(0, 8)))

    assert (fresh(visit).status, fresh(visit).performed_at) == (Visit.Status.DONE, on(0, 8))


def test_a_session_marked_done_without_a_time_took_place_at_its_booked_time(clock):
    earlier = VisitFactory(scheduled_at=on(0, 8))
    later_today = VisitFactory(scheduled_at=on(0, 17))

    services.visit_save(visit=done(fresh(earlier)))
    services.visit_save(visit=done(fresh(later_today)))

    assert fresh(earlier).performed_at == on(0, 8)
    # Booked for later today and done already: it took place now.
    assert fresh(later_today).performed_at == MORNING


def test_a_course_has_at_most_one_done_session_a_day(clock):
    course = CourseFactory()
    morning = VisitFactory(course=course, sequence=1, scheduled_at=on(0, 7))
    services.visit_save(visit=done(fresh(morning)))
    second = VisitFactory(course=course, sequence=2, scheduled_at=on(0, 8))

    with pytest.raises(ValidationError, match="Sessions 1, 2 are all marked done on Tue 24 Nov"):
        services.visit_save(visit=done(fresh(second)))

    assert fresh(second).status == Visit.Status.SCHEDULED


def test_marking_eight_later_sessions_done_on_the_visit_list_saves_none(clock, admin_client):
    course = CourseFactory(planned_sessions=10)
    visits = [VisitFactory(course=course, sequence=n, scheduled_at=on(n, 17)) for n in range(1, 9)]
    data = {
        "form-TOTAL_FORMS": 8,
        "form-INITIAL_FORMS": 8,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for i, visit in enumerate(visits):
        data |= {
            f"form-{i}-id": visit.pk,
            f"form-{i}-status": Visit.Status.DONE,
            f"form-{i}-pain_before": 6,
            f"form-{i}-pain_after": 4,
        }

    response = admin_client.post(reverse("admin:courses_visit_changelist"), data)

    assert response.status_code == 200
    assert "it can be marked done on that day only" in response.content.decode()
    assert not course.visits.done().exists()
    assert Course.objects.get(pk=course.pk).status == Course.Status.ACTIVE


# --- undoing a done session -----------------------------------------------------------


def test_undoing_a_session_clears_it_cancels_its_check_in_and_reminds_of_its_new_day(clock):
    visit = book(on(0, 14))
    assert kinds(visit=visit) == {Message.Kind.VISIT_REMINDER: Message.Status.PENDING}
    clock.move_to(on(0, 15))
    services.visit_save(visit=done(fresh(visit), techniques=["stroking"], notes="Went well"))
    assert kinds(visit=visit) == {
        Message.Kind.VISIT_REMINDER: Message.Status.CANCELLED,
        Message.Kind.POST_VISIT_CHECK_IN: Message.Status.PENDING,
    }

    undone = fresh(visit)
    undone.status, undone.scheduled_at = Visit.Status.SCHEDULED, on(1, 14)
    services.visit_save(visit=undone)

    visit = fresh(visit)
    assert visit.status == Visit.Status.SCHEDULED
    assert [getattr(visit, name) for name in ("performed_at", "pain_before", "pain_after")] == [
        None,
        None,
        None,
    ]
    assert (visit.techniques, visit.notes) == ([], "")
    assert kinds(visit=visit) == {
        Message.Kind.VISIT_REMINDER: Message.Status.PENDING,
        Message.Kind.POST_VISIT_CHECK_IN: Message.Status.CANCELLED,
    }
    # The history keeps what was recorded.
    assert visit.history.filter(pain_before=6, status=Visit.Status.DONE).exists()


def test_undoing_a_session_of_a_completed_course_reopens_it_without_its_messages(clock):
    course = logged_course()
    assert course.status == Course.Status.COMPLETED
    assert kinds(course=course, visit=None) == {
        Message.Kind.REPEAT_COURSE_REMINDER: Message.Status.PENDING,
        Message.Kind.END_OF_COURSE_FOLLOW_UP: Message.Status.PENDING,
    }

    last = course.visits.get(sequence=5)
    last.status = Visit.Status.SCHEDULED
    services.visit_save(visit=last)

    course.refresh_from_db()
    assert (course.status, course.end_date) == (Course.Status.ACTIVE, None)
    assert set(kinds(course=course, visit=None).values()) == {Message.Status.CANCELLED}

    # Logged again, it completes again, and the same messages are due again.
    services.visit_save(visit=done(fresh(last)))
    course.refresh_from_db()
    assert course.status == Course.Status.COMPLETED
    assert set(kinds(course=course, visit=None).values()) == {Message.Status.PENDING}
    assert Message.objects.filter(course=course, visit=None).count() == 2


def test_an_undo_that_would_open_a_second_course_for_the_region_is_refused(clock):
    course = logged_course()
    CourseFactory(patient=course.patient, region=course.region, status=Course.Status.PLANNED)
    last = course.visits.get(sequence=5)
    last.status = Visit.Status.MISSED

    with pytest.raises(ValidationError, match="already has an open course for this spine"):
        services.visit_save(visit=last)

    assert fresh(last).status == Visit.Status.DONE
    assert Course.objects.get(pk=course.pk).status == Course.Status.COMPLETED


def test_reception_cannot_undo_a_session(clock):
    course = logged_course(done_count=2)
    visit = course.visits.get(sequence=2)
    visit.status = Visit.Status.SCHEDULED

    with pytest.raises(PermissionDenied, match="pain before"):
        services.visit_save(visit=visit, by=staff_with_role("Reception"))

    assert fresh(visit).status == Visit.Status.DONE


def test_a_done_session_set_back_on_the_visit_page_needs_no_clearing_by_hand(clock, admin_client):
    course = logged_course(done_count=2)
    visit = course.visits.get(sequence=2)
    url = reverse("admin:courses_visit_change", args=[visit.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data |= {
        "status": Visit.Status.SCHEDULED,
        "scheduled_at_0": "2026-11-24",
        "scheduled_at_1": "08:00:00",
        "performed_at_0": "2026-11-24",
        "performed_at_1": "08:00:00",
        "feedback-TOTAL_FORMS": 0,
        "feedback-INITIAL_FORMS": 0,
        "_save": "Save",
    }
    data.pop("scheduled_at"), data.pop("performed_at")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    assert (fresh(visit).status, fresh(visit).pain_before) == (Visit.Status.SCHEDULED, None)


# --- the plan -------------------------------------------------------------------------


def test_no_more_sessions_can_be_booked_than_the_course_plans(clock):
    course = CourseFactory(kind=CourseKind.PREVENTIVE, planned_sessions=5)
    services.course_schedule_visits(course=course, first_at=on(1, 10))
    assert course.visits.count() == 5

    extra = Visit(course=course, sequence=6, scheduled_at=on(30, 10))
    with pytest.raises(ValidationError, match="5 planned sessions and 6 would be done or booked"):
        services.visit_save(visit=extra)

    assert course.visits.count() == 5


def test_a_missed_or_cancelled_session_frees_its_place_in_the_plan(clock):
    course = CourseFactory(kind=CourseKind.PREVENTIVE, planned_sessions=5)
    services.course_schedule_visits(course=course, first_at=on(-4, 10))
    missed = course.visits.get(sequence=1)
    missed.status = Visit.Status.MISSED
    services.visit_save(visit=missed)

    services.visit_save(visit=Visit(course=course, sequence=6, scheduled_at=on(30, 10)))

    assert course.visits.booked().count() == 5


def test_the_plan_cannot_be_lowered_below_the_sessions_done_or_booked(clock):
    course = CourseFactory(kind=CourseKind.PREVENTIVE, planned_sessions=7)
    services.course_schedule_visits(course=course, first_at=on(1, 10))
    course.planned_sessions = 6

    with pytest.raises(ValidationError, match="7 sessions done or booked"):
        services.course_save(course=course)

    assert Course.objects.get(pk=course.pk).planned_sessions == 7


def test_a_plan_lowered_to_the_sessions_done_completes_the_course(clock):
    course = logged_course(planned=7, done_count=5)
    assert course.status == Course.Status.ACTIVE

    course.planned_sessions = 5
    services.course_save(course=course)

    course.refresh_from_db()
    assert (course.status, course.end_date) == (Course.Status.COMPLETED, MORNING.date())


def test_completing_a_course_early_cancels_what_is_still_booked_with_its_reminders(clock):
    course = logged_course(planned=7, done_count=3)
    services.course_schedule_visits(course=course, first_at=on(2, 10))
    ahead = list(course.visits.filter(status=Visit.Status.SCHEDULED))
    assert {m.status for m in Message.objects.filter(visit__in=ahead)} == {Message.Status.PENDING}

    services.course_complete_early(course=course)

    assert not course.visits.filter(status=Visit.Status.SCHEDULED).exists()
    assert {m.status for m in Message.objects.filter(visit__in=ahead)} == {
        Message.Status.CANCELLED
    }


def test_a_closed_course_keeps_everything_but_its_notes(clock):
    course = logged_course()
    course.notes = "Patient moved away."
    services.course_save(course=course)
    assert Course.objects.get(pk=course.pk).notes == "Patient moved away."

    course.planned_sessions = 6
    with pytest.raises(ValidationError, match="only its notes can change"):
        services.course_save(course=course)


# --- deleting -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Visit.Status.DONE, Visit.Status.MISSED])
def test_a_session_on_the_record_is_never_deleted(clock, status):
    course = logged_course(planned=7, done_count=2)
    visit = course.visits.get(sequence=2)
    if status == Visit.Status.MISSED:
        visit = VisitFactory(course=course, sequence=3, scheduled_at=on(0, 8), status=status)
    spare = VisitFactory(course=course, sequence=4, scheduled_at=on(3, 10))

    with pytest.raises(ValidationError, match="stays on the record"):
        services.visits_delete(visits=[spare, visit])

    assert course.visits.filter(pk__in=[visit.pk, spare.pk]).count() == 2


def test_a_booked_session_of_a_completed_course_is_not_deleted(clock):
    course = logged_course()
    Visit.objects.filter(course=course).update(status=Visit.Status.CANCELLED)
    cancelled = course.visits.first()

    with pytest.raises(ValidationError, match="can no longer be deleted"):
        services.visits_delete(visits=[cancelled])


def test_a_session_booked_by_mistake_is_deleted_with_its_reminder(clock):
    visit = book(on(3, 10))
    assert Message.objects.filter(visit=visit).exists()

    services.visits_delete(visits=[visit])

    assert not Visit.objects.filter(pk=visit.pk).exists()
    assert not Message.objects.filter(visit_id=visit.pk).exists()


def test_the_visit_page_offers_no_delete_for_a_done_session_and_its_delete_page_refuses(
    clock, admin_client
):
    visit = logged_course(done_count=2).visits.get(sequence=2)

    page = admin_client.get(reverse("admin:courses_visit_change", args=[visit.pk]))
    assert reverse("admin:courses_visit_delete", args=[visit.pk]) not in page.content.decode()
    response = admin_client.post(
        reverse("admin:courses_visit_delete", args=[visit.pk]), {"post": "yes"}, follow=True
    )

    assert "Session 2 is done and stays on the record" in response.content.decode()
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_the_course_page_refuses_to_delete_a_done_session(clock, admin_client):
    course = logged_course(planned=7, done_count=2)
    visits = list(course.visits.order_by("sequence"))
    rows = [visit_row(visits[0]), visit_row(visits[1], DELETE=True)]

    response = admin_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        course_page_data(course, rows, initial=2),
    )

    assert response.status_code == 200
    assert "Session 2 is done and stays on the record" in response.content.decode()
    assert course.visits.count() == 2


def test_a_course_with_sessions_on_the_record_is_not_deleted(clock):
    course = logged_course(planned=7, done_count=1)

    with pytest.raises(ValidationError, match="cancel or complete it instead"):
        services.course_delete(course=course)

    assert Course.objects.filter(pk=course.pk).exists()


# --- repeat-course reminders ----------------------------------------------------------


def test_a_course_completed_while_another_is_open_schedules_no_repeat_reminder(clock):
    patient = PatientFactory()
    second = CourseFactory(
        patient=patient, region=SpineRegion.CERVICAL, status=Course.Status.PLANNED
    )
    first = logged_course(patient=patient)

    assert first.status == Course.Status.COMPLETED
    assert not Message.objects.filter(kind=Message.Kind.REPEAT_COURSE_REMINDER).exists()
    assert Message.objects.filter(course=first, kind=Message.Kind.END_OF_COURSE_FOLLOW_UP)
    assert second.status == Course.Status.PLANNED


def test_a_course_started_by_its_first_done_session_cancels_pending_repeat_reminders(clock):
    earlier = logged_course()
    later = CourseFactory(
        patient=earlier.patient, region=SpineRegion.CERVICAL, status=Course.Status.PLANNED
    )
    # A reminder pending while a course is planned (made before the rule, or imported).
    messaging.message_schedule(
        kind=Message.Kind.REPEAT_COURSE_REMINDER,
        patient=earlier.patient,
        course=earlier,
        number=2,
        due_at=on(100, 9),
    )

    services.visit_save(visit=done(Visit(course=later, sequence=1, scheduled_at=on(0, 7))))

    assert Course.objects.get(pk=later.pk).status == Course.Status.ACTIVE
    assert not Message.objects.open().filter(kind=Message.Kind.REPEAT_COURSE_REMINDER)


def test_a_repeat_reminder_is_not_sent_while_the_patient_has_an_open_course(clock):
    course = logged_course()
    reminder = Message.objects.get(kind=Message.Kind.REPEAT_COURSE_REMINDER)
    Course.objects.create(
        patient=course.patient,
        kind=course.kind,
        region=SpineRegion.CERVICAL,
        planned_sessions=5,
        therapist=course.therapist,
        start_date=MORNING.date(),
    )

    assert messaging.why_not_send(reminder) == "The patient has a new course."


# --- pain scores ----------------------------------------------------------------------


@pytest.mark.parametrize("score", [2.5, 2.0, Decimal("2.5"), "2.5", True])
def test_a_pain_score_that_is_not_a_whole_number_is_refused_not_truncated(clock, score):
    visit = VisitFactory(scheduled_at=on(0, 8))

    with pytest.raises(ValidationError, match="whole number from 0 to 10"):
        services.visit_save(visit=done(fresh(visit), pain=(score, 2)))

    assert fresh(visit).status == Visit.Status.SCHEDULED


def test_a_patient_answer_with_a_fractional_pain_score_is_refused(clock):
    course = logged_course()
    follow_up = Message.objects.get(course=course, kind=Message.Kind.END_OF_COURSE_FOLLOW_UP)

    with pytest.raises(ValidationError, match="whole number from 0 to 10"):
        messaging.feedback_submit(message=follow_up, pain=2.5)

    assert not Feedback.objects.exists()


# --- a save that changes nothing ------------------------------------------------------


@pytest.mark.parametrize("planned, done_count", [(7, 2), (5, 5)])
def test_saving_an_unchanged_course_page_changes_nothing(clock, admin_client, planned, done_count):
    course = logged_course(planned=planned, done_count=done_count)
    course.visits.update(techniques=["stroking", "kneading", "stroking"])
    visits = list(course.visits.order_by("sequence"))
    before = (
        list(Visit.objects.filter(course=course).values()),
        Visit.history.count(),
        Course.history.count(),
    )

    # Checkboxes send each ticked technique once.
    rows = [visit_row(v, techniques=["stroking", "kneading"]) for v in visits]

    response = admin_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        course_page_data(course, rows, initial=len(visits)),
    )

    assert response.status_code == 302, response.context["errors"]
    after = (
        list(Visit.objects.filter(course=course).values()),
        Visit.history.count(),
        Course.history.count(),
    )
    assert after == before


def test_a_saved_visit_cannot_move_to_another_course(clock):
    visit = VisitFactory(scheduled_at=on(3, 10))
    other = CourseFactory()
    visit = fresh(visit)
    visit.course = other

    with pytest.raises(ValidationError, match="belongs to another course"):
        services.visit_save(visit=visit)

    assert fresh(visit).course_id != other.pk


def test_bulk_deleting_visits_with_a_done_one_among_them_deletes_none(clock, admin_client):
    course = logged_course(planned=7, done_count=2)
    spare = book(on(3, 10), course=course)
    chosen = [spare.pk, course.visits.get(sequence=2).pk]

    response = admin_client.post(
        reverse("admin:courses_visit_changelist"),
        {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Session 2 is done and stays on the record" in response.content.decode()
    assert Visit.objects.filter(pk__in=chosen).count() == 2


def test_reception_setting_a_done_session_back_on_the_list_is_told_why_and_nothing_changes(
    clock, client
):
    course = logged_course(planned=7, done_count=2)
    visit = course.visits.get(sequence=2)
    client.force_login(staff_with_role("Reception"))

    response = client.post(
        reverse("admin:courses_visit_changelist"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "form-0-id": visit.pk,
            "form-0-status": Visit.Status.SCHEDULED,
            "_save": "Save",
        },
    )

    assert response.status_code == 200
    assert "Only therapists and managers can record" in response.content.decode()
    assert (fresh(visit).status, fresh(visit).pain_before) == (Visit.Status.DONE, 6)


def test_a_course_read_before_its_last_session_was_logged_does_not_reopen_when_saved(clock):
    course = logged_course(planned=5, done_count=4)
    stale = Course.objects.get(pk=course.pk)
    book(on(1, 8), course=course)
    clock.move_to(on(1, 10))
    services.visit_save(visit=done(course.visits.get(sequence=5)))
    assert Course.objects.get(pk=course.pk).status == Course.Status.COMPLETED

    entries = course.history.count()

    stale.notes = "Written while the last session was logged."
    services.course_save(course=stale)

    saved = Course.objects.get(pk=course.pk)
    assert (saved.status, saved.notes) == (Course.Status.COMPLETED, stale.notes)
    # One entry, for the notes: the course was never active again in between.
    assert course.history.count() == entries + 1


def test_changing_a_done_session_on_the_course_page_keeps_its_techniques_as_recorded(
    clock, admin_client
):
    course = logged_course(planned=7, done_count=2)
    course.visits.update(techniques=["stroking", "kneading", "stroking"])
    visits = list(course.visits.order_by("sequence"))
    # Checkboxes send each ticked technique once.
    ticked = ["stroking", "kneading"]
    rows = [
        visit_row(visits[0], techniques=ticked),
        visit_row(visits[1], techniques=ticked, notes="Pain eased on the left side."),
    ]

    response = admin_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        course_page_data(course, rows, initial=2),
    )

    assert response.status_code == 302, response.context["errors"]
    changed = fresh(visits[1])
    assert changed.notes == "Pain eased on the left side."
    assert changed.techniques == ["stroking", "kneading", "stroking"]
