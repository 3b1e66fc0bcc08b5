"""Unsubscribe links name the patient, so they work whatever becomes of the message;
the patient stops everything or only the repeat-course reminders."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from lxml import html

from clinic.roles import MANAGER
from courses import services as course_services
from courses.models import Course
from messaging import sending, services, tokens
from messaging.models import Message
from patients import services as patient_services
from patients.models import ConsentChange, Patient
from tests.factories import CourseFactory, MessageFactory, VisitFactory, ids_token, staff_with_role

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def manager(db):
    return staff_with_role(MANAGER, username="manager")


@pytest.fixture
def reminded():
    """A visit in two days, whose reminder went out; the course is in progress."""
    course = CourseFactory(status=Course.Status.ACTIVE)
    visit = VisitFactory(course=course, scheduled_at=timezone.now() + dt.timedelta(days=2))
    reminder = MessageFactory(
        kind=Message.Kind.VISIT_REMINDER,
        course=course,
        visit=visit,
        number=1,
        status=Message.Status.SENT,
    )
    return reminder


def _header_link(message: Message) -> str:
    """The address in the e-mail's List-Unsubscribe header, as the site's path."""
    email = sending.email_for(message)
    assert email.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    url = email.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith(settings.CLINIC_SITE_URL)
    assert url in email.body
    return url.removeprefix(settings.CLINIC_SITE_URL)


def _one_click(client, path: str):
    # What a mail client sends under RFC 8058: a form post with this one field.
    return client.post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def _consent(patient: Patient) -> tuple[bool, bool]:
    patient.refresh_from_db()
    return patient.reminders_consent, patient.repeat_reminders_consent


def test_one_click_from_a_sent_reminder_works_after_its_visit_was_deleted(client, reminded):
    patient = reminded.patient
    path = _header_link(reminded)
    course_services.visits_delete(visits=[reminded.visit])
    assert not Message.objects.filter(pk=reminded.pk).exists()

    response = _one_click(client, path)

    assert response.status_code == 200
    assert _consent(patient) == (False, True)
    change = patient.consent_changes.get()
    assert (change.given, change.source, change.scope) == (
        False,
        ConsentChange.Source.PATIENT_LINK,
        ConsentChange.Scope.ALL,
    )


def test_the_link_names_the_patient_with_no_readable_id(reminded):
    follow_up = MessageFactory(course=reminded.course)
    path = _header_link(reminded)
    token = path.split("/")[-2]

    assert _header_link(follow_up) == path
    assert token.split(":")[0] == reminded.patient.link_key
    assert tokens.patient_from_unsubscribe_token(token=token) == reminded.patient
    # Not the older kind of link, whose readable payload holds the message's id.
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt=tokens.UNSUBSCRIBE)


def test_a_link_sent_before_links_named_the_patient_works_even_after_its_message_went(
    client, reminded
):
    old = reverse(
        "messaging:unsubscribe",
        args=[ids_token(reminded, salt=tokens.UNSUBSCRIBE)],
    )
    assert "Which messages" in client.get(old).content.decode()
    course_services.visits_delete(visits=[reminded.visit])

    response = _one_click(client, old)

    assert response.status_code == 200
    assert _consent(reminded.patient) == (False, True)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token + "x",
        lambda token: token[:-3],
        lambda token: ("B" if token.startswith("A") else "A") + token[1:],
        lambda token: signing.Signer(salt=tokens.FEEDBACK).sign(token.split(":")[0]),
    ],
    ids=["appended", "truncated", "key altered", "signed for feedback"],
)
def test_a_spoilt_link_stops_nothing(client, reminded, spoil):
    token = tokens.unsubscribe_token(patient=reminded.patient)

    response = _one_click(client, reverse("messaging:unsubscribe", args=[spoil(token)]))

    assert response.status_code == 400
    assert _consent(reminded.patient) == (True, True)


def test_an_anonymised_patients_link_reaches_nothing(client, reminded, manager):
    path = _header_link(reminded)
    Course.objects.filter(pk=reminded.course_id).update(status=Course.Status.CANCELLED)
    patient_services.patient_anonymise(patient=reminded.patient, by=manager)

    response = client.get(path)

    assert response.status_code == 400
    assert reminded.patient.first_name not in response.content.decode()


def test_the_page_offers_both_choices_with_everything_chosen(client, reminded):
    page = client.get(_header_link(reminded)).content.decode()

    radios = html.fromstring(page).xpath('//form//input[@type="radio"][@name="scope"]')
    assert [(radio.get("value"), radio.get("checked") is not None) for radio in radios] == [
        ("all", True),
        ("repeat_course_reminders", False),
    ]
    assert "Only the reminders to book a repeat course" in page
    assert _consent(reminded.patient) == (True, True)


def test_reopening_the_link_after_stopping_everything_says_so(client, reminded):
    path = _header_link(reminded)
    client.post(path, {"scope": "all"})

    again = client.get(path).content.decode()
    twice = client.post(path, {"scope": "all"}).content.decode()

    assert "You have already stopped all messages from us." in again
    assert "You have already stopped all messages from us." in twice
    assert reminded.patient.consent_changes.count() == 1


def test_stopping_only_repeat_course_reminders_keeps_the_course_in_progress_messages(
    client, reminded
):
    patient = reminded.patient
    next_visit = VisitFactory(
        course=reminded.course, scheduled_at=timezone.now() + dt.timedelta(days=5)
    )
    pending_reminder = MessageFactory(
        kind=Message.Kind.VISIT_REMINDER, course=reminded.course, visit=next_visit, number=1
    )
    earlier = CourseFactory(patient=patient, status=Course.Status.COMPLETED, region="cervical")
    repeat = MessageFactory(kind=Message.Kind.REPEAT_COURSE_REMINDER, course=earlier, number=1)
    path = _header_link(reminded)

    response = client.post(path, {"scope": "repeat_course_reminders"})

    assert (
        "You will receive no more reminders to book a repeat course." in response.content.decode()
    )
    assert _consent(patient) == (True, False)
    change = patient.consent_changes.get()
    assert (change.given, change.scope) == (False, ConsentChange.Scope.REPEAT_COURSE_REMINDERS)
    repeat.refresh_from_db()
    pending_reminder.refresh_from_db()
    assert repeat.status == Message.Status.CANCELLED
    assert pending_reminder.status == Message.Status.PENDING
    assert services.why_not_send(pending_reminder) is None
    # Reopened, the page says what was stopped and still offers everything.
    page = client.get(path).content.decode()
    assert "You have already stopped the reminders to book a repeat course." in page


def test_after_stopping_repeat_reminders_a_completed_course_schedules_only_its_follow_up(reminded):
    patient = reminded.patient
    patient_services.patient_stop_repeat_reminders(
        patient=patient, source=ConsentChange.Source.PATIENT_LINK
    )
    course = reminded.course
    course.status, course.end_date = Course.Status.COMPLETED, timezone.localdate()
    course.save()

    services.course_messages_on_completion(course=course)

    kinds = set(Message.objects.filter(course=course).values_list("kind", flat=True))
    assert Message.Kind.END_OF_COURSE_FOLLOW_UP in kinds
    assert Message.Kind.REPEAT_COURSE_REMINDER not in kinds
    # A reminder queued some other way is stopped when it falls due.
    late = MessageFactory(kind=Message.Kind.REPEAT_COURSE_REMINDER, course=course, number=9)
    assert services.why_not_send(late) == "The patient stopped the repeat-course reminders."


def test_stopping_everything_after_stopping_repeat_reminders_is_recorded_too(client, reminded):
    path = _header_link(reminded)
    client.post(path, {"scope": "repeat_course_reminders"})

    client.post(path, {"scope": "all"})

    assert _consent(reminded.patient) == (False, False)
    assert list(
        reminded.patient.consent_changes.order_by("changed_at", "id").values_list(
            "scope", flat=True
        )
    ) == [ConsentChange.Scope.REPEAT_COURSE_REMINDERS, ConsentChange.Scope.ALL]


def test_consent_given_again_by_staff_restores_the_repeat_course_reminders(reminded, manager):
    patient = reminded.patient
    patient_services.patient_stop_repeat_reminders(patient=patient)

    assert patient_services.patient_set_reminders_consent(patient=patient, given=True, by=manager)

    assert _consent(patient) == (True, True)


def test_a_made_up_choice_stops_nothing(client, reminded):
    response = client.post(_header_link(reminded), {"scope": "everything-and-more"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert _consent(reminded.patient) == (True, True)


def test_opening_the_link_costs_one_query_and_stopping_as_many_for_many_messages(
    client, reminded, django_assert_num_queries
):
    path = _header_link(reminded)
    with django_assert_num_queries(1):
        client.get(path)
    for number in range(2, 12):
        MessageFactory(course=reminded.course, number=number)

    with django_assert_num_queries(9):
        client.post(path, {"scope": "all"})

    assert not Message.objects.filter(patient=reminded.patient).open().exists()
