"""A Moscow clinic's day in headless Chromium, in Russian: reception registers a patient,
the therapist logs her visit, and the patient answers the check-in from the e-mail.

Django's own admin strings are Russian through Django's catalogue; the clinic's own
strings through the clinic's. The clinic's are checked once the journey is over, so that
one missing translation does not hide the pages after it; their screenshots go to
docs/screenshots/ with names starting ``ru-``.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from clinic.roles import RECEPTION, THERAPIST
from courses.models import Course, SpineRegion, Visit
from messaging.models import Feedback, Message
from patients.models import Patient
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_patient_journeys import link_in, send_now
from tests.factories import CourseFactory, staff_with_role

CLINIC_NAME = "Клиника массажа «Здоровая спина»"
TIME_ZONE = "Europe/Moscow"
THANKS = "Thank you, your answer has reached your therapist."


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contraindication_catalogue"),
]


class OurStrings:
    """The clinic's own strings a page should show in Russian, checked at the end."""

    def __init__(self) -> None:
        self.missing: list[str] = []

    def expect(self, page: str, english: str, context: str | None = None, **values: str) -> None:
        with translation.override("ru"):
            russian = pgettext(context, english) if context else gettext(english)
        shown = (russian % values if values else russian).lower()
        if russian == english or shown not in page.lower():
            self.missing.append(english)


@pytest.fixture
def moscow(settings, live_server, browser):
    """What a Moscow clinic's environment gives, e-mails kept in memory and sent at once,
    and a browser on Moscow time like the clinic's computers."""
    settings.LANGUAGE_CODE = "ru"
    settings.TIME_ZONE = TIME_ZONE
    settings.PHONENUMBER_DEFAULT_REGION = "RU"
    settings.CLINIC_NAME = CLINIC_NAME
    settings.CLINIC_ADDRESS = "г. Москва, ул. Примерная, д. 12"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CLINIC_SITE_URL = live_server.url
    settings.CLINIC_SENDING_HOURS = (dt.time(0, 0), dt.time.max)
    # Else the admin warns beside every date that the browser's clock is hours behind.
    browser.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": TIME_ZONE})
    yield mail.outbox
    browser.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})


def test_a_moscow_clinic_registers_a_patient_logs_her_visit_and_she_answers_in_russian(
    browser, moscow
):
    ours = OurStrings()
    staff_with_role(
        RECEPTION, username="reception", first_name="Полина", last_name="Шахова", password=PASSWORD
    )
    therapist = staff_with_role(
        THERAPIST, username="therapist", first_name="Анна", last_name="Ковалёва", password=PASSWORD
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    # Reception registers the patient: a Russian name, a +7 number, a date typed the
    # Russian way.
    browser.log_in("reception", PASSWORD)
    user_tools = browser.text("#user-tools").lower()  # the admin's CSS writes it in capitals
    assert "выйти" in user_tools
    ours.expect(user_tools, "My calendar feed")
    browser.open(reverse("admin:patients_patient_add"))
    browser.type("#id_last_name", "Иванова")
    browser.type("#id_first_name", "Мария")
    browser.type("#id_patronymic", "Петровна")
    browser.type("#id_date_of_birth", "24.11.1970")
    browser.type("#id_phone", "+7 495 012-34-56")
    browser.type("#id_email", "maria@example.test")
    browser.tick("#id_reminders_consent")
    browser.press("_continue")
    assert browser.errors() == []
    (added,) = browser.messages("success")
    assert "был успешно добавлен" in added
    ours.expect(added, "patient")
    patient = Patient.objects.get(last_name="Иванова")
    assert (patient.first_name, patient.patronymic) == ("Мария", "Петровна")
    assert patient.date_of_birth == dt.date(1970, 11, 24)
    assert str(patient.phone) == "+74950123456"
    assert browser.find("#id_date_of_birth").get_attribute("value") == "24.11.1970"
    browser.screenshot("ru-patient")

    # The therapist logs yesterday's session of her course: pain 6 before, 3 after.
    course = CourseFactory(
        patient=patient,
        therapist=therapist,
        region=SpineRegion.LUMBAR,
        start_date=yesterday,
        status=Course.Status.ACTIVE,
    )
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:courses_course_change", args=[course.pk]))
    browser.log_visit_row(0, sequence=1, day=yesterday, pain=(6, 3))
    browser.press("_continue")
    assert browser.errors() == []
    assert "был изменен успешно" in browser.messages("success")[0]
    visit = course.visits.get()
    assert (visit.status, visit.pain_before, visit.pain_after) == (Visit.Status.DONE, 6, 3)
    assert visit.scheduled_at.astimezone(timezone.get_current_timezone()).date() == yesterday
    status = browser.find("#id_visits-0-status option:checked").text
    ours.expect(status, "Done")
    browser.screenshot("ru-course")

    # The check-in goes out in the clinic's language, the clinic named in the subject.
    check_in = Message.objects.get(patient=patient, kind=Message.Kind.POST_VISIT_CHECK_IN)
    send_now(check_in)
    (email,) = [m for m in moscow if m.to == ["maria@example.test"]]
    assert email.subject.endswith(f"— {CLINIC_NAME}")
    ours.expect(email.subject, "A quick question")
    assert "Мария" in email.body

    # The patient, not signed in, answers on a Russian page.
    browser.driver.delete_all_cookies()
    browser.open(link_in(email, "messaging:feedback"))
    assert browser.driver.execute_script("return document.documentElement.lang") == "ru"
    greeting = browser.text("main")
    assert "Мария" in greeting
    # Greeted by first name and patronymic, as Russian letters address a patient.
    ours.expect(
        greeting, "Hello %(first_name)s, how are you feeling today?", first_name="Мария Петровна"
    )
    ours.expect(greeting, "How strong is your back pain now?")
    send = browser.find("input[type=submit][name=submit]")
    ours.expect(send.get_attribute("value"), "Send my answer")
    browser.click(browser.find("input[name=pain][value='2']"))
    browser.type("#id_comment", "Спина болит меньше, спасибо!")
    browser.screenshot("ru-feedback")
    browser.submit_with(send)
    ours.expect(browser.text("main"), THANKS)
    browser.screenshot("ru-feedback-thanks")
    answer = Feedback.objects.get(message=check_in)
    assert (answer.pain, answer.comment) == (2, "Спина болит меньше, спасибо!")

    # The therapist reads the answer on the course page.
    browser.log_in("therapist", PASSWORD)
    browser.open(reverse("admin:courses_course_change", args=[course.pk]))
    answers = browser.text("#feedback-group")
    assert "Спина болит меньше, спасибо!" in answers
    assert re.search(r"\b2\b", answers)
    ours.expect(answers, "pain feedback", context="plural")
    browser.screenshot("ru-course-feedback")

    assert ours.missing == [], "shown in English, not Russian"
