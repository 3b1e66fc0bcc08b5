"""A patient's side of the messages, in headless Chromium: the links in the e-mails.

The live server runs in this process, so the locmem outbox the dispatch fills is the
one the test reads; the links point at the live server.
"""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses import services as course_services
from courses.models import Course, SpineRegion
from messaging.models import Feedback, Message
from patients.models import ConsentChange
from tests.e2e.conftest import PASSWORD
from tests.factories import CourseFactory, PatientFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contraindication_catalogue"),
]


@pytest.fixture
def patient_mail(settings, live_server):
    """E-mails kept in memory, links to the live server, and sending allowed all day,
    so that a dispatch run now sends what the test made due."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CLINIC_SITE_URL = live_server.url
    settings.CLINIC_SENDING_HOURS = (dt.time(0, 0), dt.time.max)
    return mail.outbox


def course_started_yesterday(first_name: str, last_name: str, therapist, region) -> Course:
    """An active course of a patient who takes e-mails at <first name>@example.test."""
    return CourseFactory(
        patient=PatientFactory(
            first_name=first_name,
            last_name=last_name,
            email=f"{first_name.lower()}@example.test",
        ),
        therapist=therapist,
        region=region,
        start_date=timezone.localdate() - dt.timedelta(days=1),
        status=Course.Status.ACTIVE,
    )


def send_now(message: Message) -> None:
    """Make one message due now and run a dispatch, as Celery beat would."""
    Message.objects.filter(pk=message.pk).update(due_at=timezone.now())
    call_command("send_due_messages", stdout=io.StringIO())
    message.refresh_from_db()
    assert message.status == Message.Status.SENT


def link_in(email: mail.EmailMessage, url_name: str) -> str:
    path = reverse(url_name, args=["TOKEN"]).replace("TOKEN/", "")
    (link,) = re.findall(rf"https?://\S+{re.escape(path)}[^/\s]+/", email.body)
    return link


def test_patient_answers_the_post_visit_check_in_and_the_therapist_sees_it(
    browser, therapist, patient_mail, live_server
):
    start = timezone.localdate() - dt.timedelta(days=1)
    course = course_started_yesterday("Ada", "Lovelace", therapist, SpineRegion.LUMBAR)
    patient = course.patient

    # The therapist logs yesterday's session: pain 5 before, 3 after.
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:courses_course_change", args=[course.pk]))
    browser.log_visit_row(0, sequence=1, day=start, pain=(5, 3))
    browser.press("_continue")
    assert browser.errors() == []
    check_in = Message.objects.get(patient=patient, kind=Message.Kind.POST_VISIT_CHECK_IN)

    send_now(check_in)
    (email,) = [m for m in patient_mail if m.to == ["ada@example.test"]]
    link = link_in(email, "messaging:feedback")

    # The patient, not signed in, answers: the pain is worse than before the visit.
    browser.driver.delete_all_cookies()
    browser.open(link)
    assert "Hello Ada" in browser.text("main")
    browser.click(browser.find("input[name=pain][value='7']"))
    browser.type("#id_comment", "Stiff after gardening at the weekend.")
    browser.screenshot("feedback")
    browser.submit_with(browser.find("input[type=submit][name=submit]"))
    assert "Thank you, your answer has reached your therapist." in browser.text("main")
    browser.screenshot("feedback-thanks")

    answer = Feedback.objects.get(message=check_in)
    assert (answer.pain, answer.raises_alert) == (7, True)

    # The therapist is alerted by e-mail: a link to the course, no health details.
    send_now(Message.objects.get(kind=Message.Kind.STAFF_ALERT, feedback=answer))
    (alert,) = [m for m in patient_mail if m.to == [therapist.email]]
    course_url = reverse("admin:courses_course_change", args=[course.pk])
    assert f"{live_server.url}{course_url}" in alert.body
    assert "gardening" not in alert.body

    # Following it, the therapist sees the answer on the course page, and the course
    # flagged in the list.
    browser.log_in("therapist", PASSWORD)
    browser.open(live_server.url + course_url)
    answers = browser.text("#feedback-group")
    assert "Stiff after gardening at the weekend." in answers
    assert "7" in answers
    browser.screenshot("course-feedback")
    browser.open(reverse("admin:courses_course_changelist") + "?flagged=yes")
    assert "Ada Lovelace" in browser.text("#result_list")
    # Every column of the list, the flag last, is in view.
    assert not browser.overflows("#changelist .results")
    browser.screenshot("courses-flagged")

    # Having read the answer, the therapist acknowledges it from the course page, and
    # the course is no longer flagged.
    browser.open(course_url)
    browser.submit_with(browser.find(".pain-rise-notice a.button"))
    assert "Stiff after gardening at the weekend." in browser.text("#acknowledge-pain-rises")
    browser.screenshot("acknowledge-pain-rises")
    browser.submit_with(browser.find("#acknowledge-pain-rises input[type=submit]"))
    assert browser.messages("success") == ["1 rise in pain acknowledged."]
    assert "by Tomas Berg, " in browser.text("#feedback-group")
    browser.open(reverse("admin:courses_course_changelist") + "?flagged=yes")
    assert "Ada Lovelace" not in browser.text("#changelist")


def test_patient_unsubscribes_and_no_later_message_is_queued(browser, therapist, patient_mail):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    course = course_started_yesterday("Alan", "Turing", therapist, SpineRegion.CERVICAL)
    patient = course.patient
    # Reception books the whole course from yesterday: the visits ahead get reminders.
    course_services.course_schedule_visits(
        course=course,
        first_at=timezone.make_aware(dt.datetime.combine(yesterday, dt.time(10))),
    )
    reminders = Message.objects.filter(patient=patient, kind=Message.Kind.VISIT_REMINDER)
    assert reminders.count() > 1
    send_now(reminders.order_by("due_at").first())
    (email,) = [m for m in patient_mail if m.to == ["alan@example.test"]]
    link = link_in(email, "messaging:unsubscribe")

    browser.driver.delete_all_cookies()
    browser.open(link)
    browser.screenshot("unsubscribe")
    browser.submit_with(browser.find("main form [type=submit]"))
    assert "You will receive no more messages from us." in browser.text("main")
    browser.screenshot("unsubscribed")

    patient.refresh_from_db()
    assert patient.reminders_consent is False
    withdrawal = ConsentChange.objects.filter(patient=patient).latest("changed_at")
    assert (withdrawal.given, withdrawal.source) == (False, ConsentChange.Source.PATIENT_LINK)
    assert not Message.objects.filter(patient=patient).open().exists()
    rows = Message.objects.filter(patient=patient).count()

    # Yesterday's session, logged now, would have asked for a check-in.
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:courses_course_change", args=[course.pk]))
    browser.log_visit_row(0, sequence=1, day=yesterday, pain=(6, 4))
    browser.press("_continue")
    assert browser.errors() == []
    assert course.visits.get(sequence=1).status == "done"
    assert Message.objects.filter(patient=patient).count() == rows
    assert not Message.objects.filter(patient=patient).open().exists()

    # Staff see the withdrawal, recorded as the patient's own.
    browser.open(reverse("admin:patients_patient_change", args=[patient.pk]))
    newest = "#consent_changes-group tbody tr"
    assert browser.text(newest).startswith("withdrawn")
    assert "Patient, through a link" in browser.text(newest)
    assert browser.find(f"{newest} td.field-given img").get_attribute("alt") == "False"
