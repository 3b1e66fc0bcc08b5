import datetime as dt

import pytest
from django.urls import reverse

from courses.models import Course
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


def test_the_visit_pages_course_picker_lists_the_newest_courses_first(admin_client):
    for days in [30, 400, 10, 200, 90]:
        CourseFactory(
            start_date=dt.date(2026, 1, 1) - dt.timedelta(days=days),
            status=Course.Status.COMPLETED,
        )

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "courses", "model_name": "visit", "field_name": "course"},
    )

    ids = [int(result["id"]) for result in response.json()["results"]]
    newest_first = Course.objects.order_by("-start_date", "-id").values_list("id", flat=True)
    assert ids == list(newest_first)
