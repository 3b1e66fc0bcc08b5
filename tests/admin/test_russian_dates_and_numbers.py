"""A Russian clinic (LANGUAGE_CODE=ru) types and reads dates as 03.04.1964, writes long
dates with the month in the genitive (24 ноября 2026) and decimals with a comma; an
English clinic keeps 03/04/1964 and the decimal point."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from clinic.roles import RECEPTION, THERAPIST
from courses.models import Course, Visit
from courses.summaries import course_summary
from hours.models import ClosedDay, TimeOff
from messaging import sending
from messaging.models import Message
from patients.models import Patient
from tests.admin.course_page import course_page_data, visit_row
from tests.admin.patient_page import patient_page_data
from tests.factories import (
    CourseFactory,
    MessageFactory,
    PatientFactory,
    VisitFactory,
    staff_with_role,
    summary_course,
)

pytestmark = pytest.mark.django_db

TUESDAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def russian_clinic(settings):
    settings.LANGUAGE_CODE = "ru"


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(staff_with_role(role))
    return client


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("03.04.1964", dt.date(1964, 4, 3)), ("15.03.1964", dt.date(1964, 3, 15))],
)
def test_reception_types_the_date_of_birth_the_russian_way(typed, meant):
    response = client_for(RECEPTION).post(
        reverse("admin:patients_patient_add"), patient_page_data(date_of_birth=typed)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Patient.objects.get().date_of_birth == meant


def test_a_date_typed_the_british_way_is_refused_in_a_russian_clinic():
    response = client_for(RECEPTION).post(
        reverse("admin:patients_patient_add"), patient_page_data(date_of_birth="03/04/1964")
    )

    assert response.status_code == 200
    assert "date_of_birth" in response.context["adminform"].form.errors
    assert not Patient.objects.exists()


def test_the_patient_page_shows_the_date_of_birth_the_russian_way():
    patient = PatientFactory(date_of_birth=dt.date(1964, 4, 3))

    page = client_for(RECEPTION).get(reverse("admin:patients_patient_change", args=[patient.pk]))

    assert 'value="03.04.1964"' in page.content.decode()


def test_the_patient_list_writes_the_date_of_birth_with_the_month_in_the_genitive():
    PatientFactory(date_of_birth=dt.date(1964, 4, 3))

    page = client_for(RECEPTION).get(reverse("admin:patients_patient_changelist"))

    assert "3 апреля 1964 г." in page.content.decode()


def test_a_course_and_its_visits_are_dated_the_russian_way_on_the_course_page():
    therapist = staff_with_role(THERAPIST)
    client = Client()
    client.force_login(therapist)
    start = timezone.localdate() - dt.timedelta(days=1)
    course = CourseFactory.build(
        patient=PatientFactory(), therapist=therapist, status=Course.Status.PLANNED
    )
    visit = VisitFactory.build(course=course, sequence=1, done=True)
    data = course_page_data(course, [visit_row(visit, id="", course="")], initial=0)
    data.update(
        {
            "start_date": f"{start:%d.%m.%Y}",
            "visits-0-scheduled_at_0": f"{start:%d.%m.%Y}",
            "visits-0-scheduled_at_1": "10:00",
            "visits-0-performed_at_0": f"{start:%d.%m.%Y}",
            "visits-0-performed_at_1": "10:30",
        }
    )

    response = client.post(reverse("admin:courses_course_add"), data)

    assert response.status_code == 302, response.context["errors"]
    saved = Visit.objects.get()
    assert saved.course.start_date == start
    assert timezone.localtime(saved.performed_at) == timezone.make_aware(
        dt.datetime.combine(start, dt.time(10, 30))
    )


def test_the_admin_calendar_fills_in_dates_the_russian_way():
    catalogue = client_for(RECEPTION).get(reverse("admin:jsi18n")).content.decode()

    first_format = re.search(r'"DATE_INPUT_FORMATS":\s*\[\s*"([^"]+)"', catalogue)
    assert first_format is not None
    assert first_format.group(1) == "%d.%m.%Y"


def test_the_diary_heads_its_day_and_week_with_the_month_in_the_genitive():
    client = client_for(RECEPTION)

    day = client.get(reverse("admin:diary"), {"day": TUESDAY.isoformat()}).content.decode()
    therapist = staff_with_role(THERAPIST)
    week = client.get(
        reverse("admin:diary_week"), {"day": TUESDAY.isoformat(), "therapist": therapist.pk}
    ).content.decode()

    assert "24 ноября 2026" in day
    assert "23 ноября 2026" in week  # the week's Monday
    for page in (day, week):
        assert "Ноябрь" not in page


def test_a_visit_reminder_gives_the_day_with_the_month_in_the_genitive():
    visit = VisitFactory(scheduled_at=timezone.make_aware(dt.datetime(2026, 11, 24, 17)))
    message = MessageFactory(kind=Message.Kind.VISIT_REMINDER, visit=visit, course=visit.course)

    email = sending.email_for(message)

    assert "24 ноября, 17:00" in email.body


def test_a_percentage_has_a_decimal_comma_in_russian_and_a_point_in_english():
    summary = course_summary(summary_course().pk)  # pain 7 -> 3

    with translation.override("ru"):
        assert summary.pain_change_percent_text == "-57,1%"
        assert "-57,1%" in summary.outcome
    with translation.override("en-gb"):
        assert summary.pain_change_percent_text == "-57.1%"
        assert "-57.1%" in summary.outcome


def test_an_english_clinic_still_reads_03_04_1964_as_the_third_of_april(settings):
    settings.LANGUAGE_CODE = "en-gb"

    response = client_for(RECEPTION).post(
        reverse("admin:patients_patient_add"), patient_page_data(date_of_birth="03/04/1964")
    )

    assert response.status_code == 302
    assert Patient.objects.get().date_of_birth == dt.date(1964, 4, 3)


def test_closed_days_and_time_off_are_named_in_the_languages_date_format(settings):
    closed = ClosedDay(date=dt.date(2026, 12, 25), reason="Рождество")
    away = TimeOff(
        starts_at=timezone.make_aware(dt.datetime(2026, 12, 14, 9)),
        ends_at=timezone.make_aware(dt.datetime(2026, 12, 18, 18)),
    )

    assert str(closed) == "25.12.2026 Рождество"
    assert str(away) == "14.12.2026 09:00-18.12.2026 18:00"
    settings.LANGUAGE_CODE = "en-gb"
    assert str(closed) == "25/12/2026 Рождество"
