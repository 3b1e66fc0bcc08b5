import base64
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from pypdf import PdfReader

from courses import pdf_fonts
from courses.pdf import course_pdf
from tests.factories import CourseFactory, UserFactory, summary_course

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    # Table cells wrap onto several lines: compare with whitespace collapsed.
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_pdf_opens_and_holds_the_clinic_patient_visits_and_outcome(settings):
    settings.CLINIC_NAME = "Back in Balance"
    settings.CLINIC_ADDRESS = "12 Harbour Street"
    course = summary_course()

    text = _text(course_pdf(course.pk))

    assert "Back in Balance" in text
    assert "12 Harbour Street" in text
    assert "Anna Petrova" in text
    assert "Olga Ivanova" in text
    techniques = "Stroking, Rubbing, Kneading, Stroking"
    assert f"1 01/06/2026 Done 20 {techniques} Moderate 7 5" in text
    assert f"2 04/06/2026 Done 20 {techniques} Moderate 6 4" in text
    assert f"3 07/06/2026 Done 20 {techniques} Moderate 4 3" in text
    assert "4 10/06/2026 Missed 5 13/06/2026 Cancelled" in text
    assert "3 done of 10 planned; 1 missed, 1 cancelled" in text
    assert "Pain went from 7 to 3 (-4 points, -57.1%)" in text
    assert "a clinically important improvement" in text
    assert "Signature" in text


def test_pdf_renders_a_cyrillic_name_as_text():
    course = summary_course(first_name="Анна", last_name="Петрова")

    assert "Анна Петрова" in _text(course_pdf(course.pk))


def test_pdf_keeps_markup_in_a_name_as_text():
    course = summary_course(last_name="<b>Smith & Co</b>")

    assert "<b>Smith & Co</b>" in _text(course_pdf(course.pk))


def test_pdf_of_a_course_without_visits_says_so():
    text = _text(course_pdf(CourseFactory().pk))

    assert "No visits recorded." in text
    assert "No pain scores at both ends of the course yet." in text


def test_admin_pdf_download_is_for_staff_only(client):
    course = summary_course()
    url = reverse("admin:courses_course_pdf", args=[course.pk])

    assert client.get(url).status_code == 302
    client.force_login(UserFactory(username="visitor", is_staff=False))
    assert client.get(url).status_code == 302


def test_admin_pdf_download_is_a_pdf_named_without_the_patient(admin_client):
    course = summary_course()

    response = admin_client.get(reverse("admin:courses_course_pdf", args=[course.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="course-{course.pk}-' in response["Content-Disposition"]
    assert "Petrova" not in response["Content-Disposition"]
    assert "Anna Petrova" in _text(response.content)


def test_admin_pdf_of_an_unknown_course_is_not_found(admin_client):
    assert admin_client.get(reverse("admin:courses_course_pdf", args=[999_999])).status_code == 404


def test_course_page_shows_the_outcome_the_pain_chart_and_the_pdf_link(admin_client):
    course = summary_course()

    response = admin_client.get(reverse("admin:courses_course_change", args=[course.pk]))

    assert response.status_code == 200
    page = response.text
    assert "a clinically important improvement" in page
    assert reverse("admin:courses_course_pdf", args=[course.pk]) in page
    assert "<script" not in page.split('class="pain-chart"')[1].split(">")[0]
    prefix = 'src="data:image/svg+xml;base64,'
    svg = base64.b64decode(page.split(prefix)[1].split('"')[0]).decode()
    assert "<svg" in svg
    assert "<script" not in svg
    assert "Pain before" in svg
    # One marker per pain score: three visits, before and after.
    assert svg.count("<circle") == 6
    # The browser does not know the PDF's font: the labels name one it has.
    assert pdf_fonts.FONT_NAME not in svg
    assert "sans-serif" in svg


def test_course_list_shows_the_summary_columns(admin_client):
    summary_course()

    page = admin_client.get(reverse("admin:courses_course_changelist")).text

    assert "-4 (-57.1%)" in page
    assert "icon-yes.svg" in page


def test_new_course_page_has_no_summary_yet(admin_client):
    response = admin_client.get(reverse("admin:courses_course_add"))

    assert response.status_code == 200
    assert "pain-chart" not in response.text


def test_admin_pdf_needs_permission_to_view_courses(client):
    course = summary_course()
    client.force_login(UserFactory(username="reception", is_staff=True))

    assert client.get(reverse("admin:courses_course_pdf", args=[course.pk])).status_code == 403


def test_a_missing_pdf_font_is_a_clear_configuration_error(settings, tmp_path):
    settings.CLINIC_PDF_FONT = str(tmp_path / "missing.ttf")
    pdf_fonts._register.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="missing.ttf does not exist"):
            pdf_fonts.pdf_font_name()
    finally:
        settings.CLINIC_PDF_FONT = ""
        pdf_fonts._register.cache_clear()
        pdf_fonts.pdf_font_name()
