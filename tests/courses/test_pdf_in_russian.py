"""The course PDF in the active language: labels through the catalogue, dates in the
language's formats, Cyrillic drawn with the embedded DejaVu font."""

import io

import pytest
from django.utils import translation
from pypdf import PdfReader

from courses.pdf import course_pdf
from tests.factories import summary_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def russian_course(settings):
    settings.LANGUAGE_CODE = "ru"
    return summary_course(first_name="Мария", last_name="Иванова", patronymic="Петровна")


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_russian_pdf_names_the_patient_in_cyrillic_and_dates_in_the_genitive(
    russian_course,
):
    with translation.override("ru"):
        text = _text(course_pdf(russian_course.pk))

    assert "Иванова Мария Петровна" in text
    assert "1 июня 2026 г." in text  # the start date, from Django's own catalogue
    assert "20 июня 2026 г." in text  # the end date
    assert "01.06.2026" in text  # the first visit, in the visit table
    assert "-57,1%" in text
    assert "2026-06-01" not in text


def test_an_english_pdf_keeps_english_dates(settings):
    settings.LANGUAGE_CODE = "en-gb"
    course = summary_course()

    text = _text(course_pdf(course.pk))

    assert "1 Jun 2026" in text
    assert "01/06/2026" in text
    assert "-57.1%" in text


def test_every_label_of_the_pdf_and_its_chart_goes_through_the_catalogue(
    russian_course, monkeypatch
):
    monkeypatch.setattr(translation._trans, "gettext", lambda message: f"«{message}»")

    with translation.override("ru"):
        text = _text(course_pdf(russian_course.pk))

    for label in (
        "Massage course summary",
        "Patient",
        "Spine region",
        "Visits",
        "Pain before",
        "Pain chart",
        "Days since the course started",
        "Patient report",
        "Outcome",
    ):
        assert f"«{label}»" in text, label


def test_the_russian_pdf_draws_every_letter_with_the_embedded_dejavu_font(russian_course):
    with translation.override("ru"):
        reader = PdfReader(io.BytesIO(course_pdf(russian_course.pk)))

    # ReportLab names Helvetica in every page's initial state; what counts is the font
    # each piece of text is drawn in.
    fonts = {}

    def seen(text, matrix, text_matrix, font, size):
        if text.strip() and font is not None:
            fonts.setdefault(font["/BaseFont"], font)

    for page in reader.pages:
        page.extract_text(visitor_text=seen)
    assert fonts
    for name, font in fonts.items():
        assert "DejaVuSans" in name, name
        # Embedded: a subset of the TrueType font with the glyphs drawn.
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), name
