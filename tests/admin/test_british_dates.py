"""Staff type and read dates the British way, day first, on every admin form with a date."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.roles import RECEPTION, THERAPIST
from courses.models import Course, Visit
from patients.models import Patient
from tests.admin.course_page import course_page_data, visit_row
from tests.admin.patient_page import patient_page_data
from tests.factories import (
    CourseFactory,
    PatientFactory,
    VisitFactory,
    contraindication,
    staff_with_role,
)

pytestmark = pytest.mark.django_db

US_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(staff_with_role(role))
    return client


def british(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def ambiguous_day_before(day: dt.date) -> dt.date:
    """A recent day that reads as another valid day month first (03/04 and 04/03)."""
    while not (day.day <= 12 and day.day != day.month):
        day -= dt.timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("03/04/1964", dt.date(1964, 4, 3)), ("15/03/1964", dt.date(1964, 3, 15))],
)
def test_reception_types_the_date_of_birth_day_first(typed, meant):
    response = client_for(RECEPTION).post(
        reverse("admin:patients_patient_add"), patient_page_data(date_of_birth=typed), **US_BROWSER
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Patient.objects.get().date_of_birth == meant


def test_the_patient_page_shows_the_date_of_birth_day_first():
    patient = PatientFactory(date_of_birth=dt.date(1964, 4, 3))

    page = client_for(RECEPTION).get(
        reverse("admin:patients_patient_change", args=[patient.pk]), **US_BROWSER
    )

    assert 'value="03/04/1964"' in page.content.decode()


def test_a_contraindication_is_noted_day_first_on_the_patient_page():
    noted = ambiguous_day_before(timezone.localdate())
    data = patient_page_data(
        **{
            "contraindications-TOTAL_FORMS": "1",
            "contraindications-0-contraindication": str(contraindication("fever").pk),
            "contraindications-0-noted_on": british(noted),
            "contraindications-0-resolved_on": "",
            "contraindications-0-area": "",
            "contraindications-0-notes": "",
        },
    )

    response = client_for(RECEPTION).post(reverse("admin:patients_patient_add"), data)

    assert response.status_code == 302, response.context["errors"]
    assert Patient.objects.get().contraindications.get().noted_on == noted


def test_a_course_and_its_visits_are_dated_day_first_on_the_course_page():
    therapist = staff_with_role(THERAPIST)
    client = Client()
    client.force_login(therapist)
    start = ambiguous_day_before(timezone.localdate() - dt.timedelta(days=1))
    course = CourseFactory.build(
        patient=PatientFactory(), therapist=therapist, status=Course.Status.PLANNED
    )
    visit = VisitFactory.build(course=course, sequence=1, done=True)
    data = course_page_data(course, [visit_row(visit, id="", course="")], initial=0)
    data.update(
        {
            "start_date": british(start),
            "visits-0-scheduled_at_0": british(start),
            "visits-0-scheduled_at_1": "10:00",
            "visits-0-performed_at_0": british(start),
            "visits-0-performed_at_1": "10:30",
        }
    )

    response = client.post(reverse("admin:courses_course_add"), data, **US_BROWSER)

    assert response.status_code == 302, response.context["errors"]
    saved = Visit.objects.get()
    assert saved.course.start_date == start
    assert timezone.localtime(saved.scheduled_at).date() == start
    assert timezone.localtime(saved.performed_at) == timezone.make_aware(
        dt.datetime.combine(start, dt.time(10, 30))
    )


def test_the_admin_calendar_fills_in_dates_day_first():
    catalogue = client_for(RECEPTION).get(reverse("admin:jsi18n"), **US_BROWSER).content.decode()

    first_format = re.search(r'"DATE_INPUT_FORMATS":\s*\[\s*"([^"]+)"', catalogue)
    assert first_format is not None
    assert first_format.group(1) == "%d/%m/%Y"
