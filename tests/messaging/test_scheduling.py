import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from courses import services as courses
from courses.models import Course, Visit
from messaging import sending
from messaging.models import Message
from patients import services as patients
from tests.factories import CourseFactory, MessageFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db

Kind = Message.Kind


def complete(course: Course) -> Course:
    for n in range(1, course.planned_sessions + 1):
        VisitFactory(course=course, sequence=n, done=True)
    course.status = Course.Status.ACTIVE
    courses.course_complete_early(course=course)
    course.refresh_from_db()
    return course


def local(message: Message) -> dt.datetime:
    return timezone.localtime(message.due_at)


def test_completing_a_course_schedules_a_repeat_reminder_after_six_months_and_a_follow_up(
    daytime,
):
    course = complete(CourseFactory(start_date=dt.date(2026, 5, 1)))

    reminder = Message.objects.get(kind=Kind.REPEAT_COURSE_REMINDER)
    follow_up = Message.objects.get(kind=Kind.END_OF_COURSE_FOLLOW_UP)
    assert (reminder.course, reminder.number) == (course, 1)
    assert local(reminder).date() == course.end_date + _months(6)
    assert local(reminder).time() == dt.time(9)
    assert local(follow_up).date() == course.end_date + dt.timedelta(days=14)


def _months(n: int):
    from dateutil.relativedelta import relativedelta

    return relativedelta(months=n)


def test_three_repeat_courses_a_year_bring_the_reminder_forward_to_four_months(daytime, settings):
    settings.CLINIC_REPEAT_COURSES_PER_YEAR = 3
    course = complete(CourseFactory(start_date=dt.date(2026, 5, 1)))

    reminder = Message.objects.get(kind=Kind.REPEAT_COURSE_REMINDER)
    assert local(reminder).date() == course.end_date + _months(4)


def test_a_new_course_for_the_patient_cancels_the_pending_repeat_reminder(daytime, therapist):
    course = complete(CourseFactory(start_date=dt.date(2026, 5, 1)))

    courses.course_save(
        course=Course(
            patient=course.patient,
            kind=course.kind,
            region=course.region,
            planned_sessions=10,
            therapist=therapist,
            start_date=dt.date(2026, 7, 1),
        )
    )

    reminder = Message.objects.get(kind=Kind.REPEAT_COURSE_REMINDER)
    assert reminder.status == Message.Status.CANCELLED
    follow_up = Message.objects.get(kind=Kind.END_OF_COURSE_FOLLOW_UP)
    assert follow_up.status == Message.Status.PENDING


def test_each_sent_repeat_reminder_schedules_the_next_until_the_maximum(
    daytime, settings, mailoutbox
):
    settings.CLINIC_MAX_REPEAT_REMINDERS = 3
    complete(CourseFactory(start_date=dt.date(2026, 5, 1)))
    Message.objects.filter(kind=Kind.END_OF_COURSE_FOLLOW_UP).delete()

    sent_numbers = []
    for _ in range(5):
        Message.objects.open().update(due_at=timezone.now())
        for pk, claim in sending.messages_claim_due(now=timezone.now(), limit=10):
            assert sending.message_send(message_id=pk, claim=claim) == "sent"
            sent_numbers.append(Message.objects.get(pk=pk).number)

    assert sent_numbers == [1, 2, 3]
    assert len(mailoutbox) == 3
    numbers = Message.objects.filter(kind=Kind.REPEAT_COURSE_REMINDER).values_list(
        "number", "due_at"
    )
    assert sorted(n for n, _due in numbers) == [1, 2, 3]


def test_the_next_repeat_reminder_is_due_six_months_after_the_previous_one(daytime):
    course = complete(CourseFactory(start_date=dt.date(2026, 5, 1)))
    first = Message.objects.get(kind=Kind.REPEAT_COURSE_REMINDER)
    first.status = Message.Status.SENT
    first.save()

    from messaging import services

    second = services.repeat_reminder_schedule_next(sent=first)

    assert second.number == 2
    assert local(second).date() == course.end_date + _months(12)


def test_scheduling_a_visit_creates_a_reminder_the_day_before_at_the_same_time(daytime):
    course = CourseFactory(start_date=dt.date(2026, 6, 1))
    at = timezone.make_aware(dt.datetime(2026, 6, 20, 10, 30))

    visit = courses.visit_save(visit=Visit(course=course, sequence=1, scheduled_at=at))

    reminder = Message.objects.get(kind=Kind.VISIT_REMINDER, visit=visit)
    assert local(reminder) == timezone.make_aware(dt.datetime(2026, 6, 19, 10, 30))


def test_moving_a_visit_moves_its_reminder_and_cancelling_it_cancels_the_reminder(daytime):
    course = CourseFactory(start_date=dt.date(2026, 6, 1))
    visit = courses.visit_save(
        visit=Visit(
            course=course,
            sequence=1,
            scheduled_at=timezone.make_aware(dt.datetime(2026, 6, 20, 10, 30)),
        )
    )

    visit.scheduled_at = timezone.make_aware(dt.datetime(2026, 6, 25, 15, 0))
    courses.visit_save(visit=visit)
    reminder = Message.objects.get(kind=Kind.VISIT_REMINDER)
    assert local(reminder) == timezone.make_aware(dt.datetime(2026, 6, 24, 15, 0))

    visit.status = Visit.Status.CANCELLED
    courses.visit_save(visit=visit)
    reminder.refresh_from_db()
    assert reminder.status == Message.Status.CANCELLED


def test_a_visit_booked_for_tomorrow_morning_is_reminded_at_once(daytime):
    course = CourseFactory(start_date=dt.date(2026, 6, 1))
    visit = courses.visit_save(
        visit=Visit(
            course=course,
            sequence=1,
            scheduled_at=timezone.make_aware(dt.datetime(2026, 6, 11, 9, 0)),
        )
    )

    reminder = Message.objects.get(visit=visit)
    assert reminder.due_at == daytime


def test_a_done_visit_schedules_a_check_in_the_day_after(daytime):
    course = CourseFactory(start_date=dt.date(2026, 6, 1))
    performed = timezone.make_aware(dt.datetime(2026, 6, 9, 11, 0))
    visit = VisitFactory.build(course=course, sequence=1, scheduled_at=performed, done=True)

    courses.visit_save(visit=visit)

    check_in = Message.objects.get(kind=Kind.POST_VISIT_CHECK_IN)
    assert (check_in.visit, local(check_in)) == (
        visit,
        timezone.make_aware(dt.datetime(2026, 6, 10, 11, 0)),
    )


def test_withdrawing_consent_cancels_every_pending_message_at_once(
    daytime, django_assert_max_num_queries
):
    patient = PatientFactory()
    pending = MessageFactory.create_batch(5, course__patient=patient)
    sent = MessageFactory(course__patient=patient, status=Message.Status.SENT)
    other = MessageFactory()

    # Lock, update, the consent record, their two audit-trail rows, one UPDATE for all
    # the messages, and savepoints: nothing per message.
    with django_assert_max_num_queries(8):
        patients.patient_set_reminders_consent(patient=patient, given=False)

    statuses = set(Message.objects.filter(pk__in=[m.pk for m in pending]).values_list("status"))
    assert statuses == {(Message.Status.CANCELLED,)}
    sent.refresh_from_db()
    other.refresh_from_db()
    assert (sent.status, other.status) == (Message.Status.SENT, Message.Status.PENDING)
    assert patient.consent_changes.get().given is False


def test_a_patient_without_consent_gets_no_messages(daytime):
    course = CourseFactory(start_date=dt.date(2026, 5, 1), patient__reminders_consent=False)

    complete(course)

    assert not Message.objects.exists()


def test_a_second_row_for_the_same_message_is_impossible(daytime):
    first = MessageFactory(number=1)

    with pytest.raises(IntegrityError):
        Message.objects.create(
            kind=first.kind,
            patient=first.patient,
            course=first.course,
            number=1,
            due_at=timezone.now(),
        )


def test_unticking_consent_on_the_patient_form_cancels_the_pending_messages(daytime):
    message = MessageFactory()
    patient = message.patient
    patient.reminders_consent = False

    patients.patient_save(patient=patient)

    message.refresh_from_db()
    assert message.status == Message.Status.CANCELLED


def test_cancelling_a_course_cancels_the_reminders_of_its_booked_visits(daytime):
    course = CourseFactory(start_date=dt.date(2026, 6, 1), status=Course.Status.PLANNED)
    courses.course_schedule_visits(
        course=course, first_at=timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
    )
    assert Message.objects.filter(kind=Kind.VISIT_REMINDER).count() == 10

    courses.course_cancel(course=course)

    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.CANCELLED}
