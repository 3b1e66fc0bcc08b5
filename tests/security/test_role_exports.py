"""Exports take course summaries out of the clinic's system: therapists and managers."""

import pytest
from django.urls import reverse

from courses.models import Course
from tests.factories import summary_course

pytestmark = pytest.mark.django_db

ROLES_AND_STATUS = [
    ("reception_client", 403),
    ("therapist_client", 200),
    ("manager_client", 200),
]


@pytest.mark.parametrize(("who", "status"), ROLES_AND_STATUS)
@pytest.mark.parametrize("format", ["csv", "json"])
def test_summary_download_is_for_therapists_and_managers(request, who, status, format):
    summary_course()
    client = request.getfixturevalue(who)

    response = client.get(reverse("admin:courses_course_export", args=[format]))

    assert response.status_code == status


def _therapists_own_summary_course(request) -> Course:
    """The summary course, run by the therapist of the role fixtures."""
    course = summary_course()
    Course.objects.filter(pk=course.pk).update(
        therapist=request.getfixturevalue("therapist_staff")
    )
    return course


@pytest.mark.parametrize(("who", "status"), ROLES_AND_STATUS)
def test_course_pdf_is_for_therapists_and_managers(request, who, status):
    course = _therapists_own_summary_course(request)
    client = request.getfixturevalue(who)

    response = client.get(reverse("admin:courses_course_pdf", args=[course.pk]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "offered"),
    [("reception_client", False), ("therapist_client", True), ("manager_client", True)],
)
def test_export_action_and_links_are_offered_to_therapists_and_managers(request, who, offered):
    course = _therapists_own_summary_course(request)
    client = request.getfixturevalue(who)

    changelist = client.get(reverse("admin:courses_course_changelist"))
    change_page = client.get(reverse("admin:courses_course_change", args=[course.pk]))

    action_form = changelist.context["action_form"]
    actions = (
        {value for value, _ in action_form.fields["action"].choices} if action_form else set()
    )
    assert ("export_csv" in actions) is offered
    export_url = reverse("admin:courses_course_export", args=["csv"])
    assert (export_url in changelist.content.decode()) is offered
    pdf_url = reverse("admin:courses_course_pdf", args=[course.pk])
    assert (pdf_url in change_page.content.decode()) is offered


def test_export_action_posted_without_the_permission_exports_nothing(reception_client):
    course = summary_course()

    response = reception_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "export_csv", "_selected_action": [course.pk]},
    )

    assert response.get("Content-Type", "").startswith("text/html")
    assert b"course_id" not in response.content
