"""The course PDF, its pain chart included, shows no English of the project's own outside
gettext, in the pseudo-translation of tests/translations/pseudo.py."""

import io

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from courses.models import Course, Visit
from tests.translations.pseudo import assert_only_translated, unmarked_in_text


def test_course_pdf_shows_only_translated_words_and_data(demo_clinic, db, pseudo_russian):
    # A course with visits in every status and answers: every row and label shows.
    course = (
        Course.objects.annotate(kinds=Count("visits__status", distinct=True))
        .filter(visits__status=Visit.Status.DONE)
        .exclude(Q(status=Course.Status.PLANNED))
        .order_by("-kinds", "pk")
        .first()
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("admin:courses_course_pdf", args=[course.pk]))
    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    found = unmarked_in_text(text, demo_clinic)
    assert_only_translated(found, "the course PDF")
