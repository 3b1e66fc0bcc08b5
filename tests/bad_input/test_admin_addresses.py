"""Addresses and values that crashed the admin with a server error, found by the
hostile-input run; each now gets an ordinary answer (a note on the list, "not found",
"select a valid choice") and changes nothing."""

import pytest
from django.contrib import admin
from django.urls import reverse

from courses.models import Course, Visit
from tests.admin.course_page import course_page_data
from tests.factories import CourseFactory, VisitFactory

pytestmark = pytest.mark.django_db

DATE_HIERARCHY_LISTS = sorted(
    (model._meta.label_lower, model_admin.date_hierarchy)
    for model, model_admin in admin.site._registry.items()
    if model_admin.date_hierarchy
)


@pytest.mark.parametrize(("model", "field"), DATE_HIERARCHY_LISTS)
@pytest.mark.parametrize(
    "query",
    [
        "{f}__year=2147483648",
        "{f}__year=99999999999999999999",
        "{f}__year=9999",
        "{f}__year=9999&{f}__month=12",
        "{f}__year=9999&{f}__month=12&{f}__day=31",
        "{f}__year=1",
        "{f}__year=2026&{f}__month=1&{f}__day=99999999999",
        "{f}__year=2026&{f}__month=2&{f}__day=31",
        "{f}__year=abc",
    ],
)
def test_a_date_no_calendar_holds_in_the_date_hierarchy_shows_the_list_unfiltered(
    admin_client, model, field, query
):
    url = reverse(f"admin:{model.replace('.', '_')}_changelist")

    response = admin_client.get(f"{url}?{query.format(f=field)}")

    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"


def test_a_nul_character_in_a_list_filter_shows_the_list_unfiltered(admin_client):
    url = reverse("admin:courses_course_changelist")

    response = admin_client.get(url, {"status__exact": "active\x00"})

    assert response.status_code == 302
    assert response["Location"] == f"{url}?e=1"


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "\x00", "99999999999999999999999"])
def test_a_history_page_of_an_id_that_is_not_an_id_is_not_found(admin_client, bad_id):
    course = CourseFactory()
    history_id = Course.history.get(id=course.pk).history_id

    for url in (
        reverse("admin:courses_course_history", args=[bad_id]),
        reverse("admin:courses_course_simple_history", args=[bad_id, history_id]),
        reverse("admin:courses_course_simple_history", args=[course.pk, bad_id]),
    ):
        assert admin_client.get(url).status_code == 404


def test_a_past_version_of_a_visit_cannot_be_posted_back(client, django_user_model):
    """Reverting is turned off; django-simple-history's version page would still save
    what is posted to it, with nothing but permission to view."""
    visit = VisitFactory()
    history_id = Visit.history.get(id=visit.pk).history_id
    url = reverse("admin:courses_visit_simple_history", args=[visit.pk, history_id])
    client.force_login(django_user_model.objects.create_superuser("root", "root@clinic.test"))

    assert client.get(url).status_code == 200
    response = client.post(url, {"status": Visit.Status.CANCELLED})

    assert response.status_code == 405
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SCHEDULED


@pytest.mark.parametrize("bad_id", ["abc", "1.5", "\x00", "99999999999999999999999", "-1"])
def test_an_autocomplete_field_sent_back_with_a_bad_id_says_select_a_valid_choice(
    admin_client, bad_id
):
    existing = CourseFactory(status=Course.Status.COMPLETED)
    course = CourseFactory.build(patient=existing.patient, therapist=existing.therapist)
    data = {**course_page_data(course, [], initial=0), "patient": bad_id}

    response = admin_client.post(reverse("admin:courses_course_add"), data)

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["patient"]
    assert Course.objects.count() == 1


def test_an_add_page_with_a_bad_id_in_its_address_shows_an_empty_choice(admin_client):
    response = admin_client.get(reverse("admin:courses_visit_add"), {"course": "abc"})

    assert response.status_code == 200


@pytest.mark.parametrize("bad_id", ["99999999999999999999999", "abc", ""])
def test_a_visit_list_row_posted_with_an_id_that_is_no_row_is_refused_on_its_row(
    admin_client, bad_id
):
    visit = VisitFactory()
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-0-id": bad_id,
        "form-0-status": Visit.Status.CANCELLED,
        "_save": "Save",
    }

    response = admin_client.post(reverse("admin:courses_visit_changelist"), data)

    assert response.status_code == 200
    assert "id" in response.context["cl"].formset.forms[0].errors
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SCHEDULED


@pytest.mark.parametrize("term", ["\x00", "Ada\x00"])
def test_the_autocomplete_finds_nothing_for_a_term_holding_nul(admin_client, term):
    CourseFactory()
    params = {
        "app_label": "courses",
        "model_name": "course",
        "field_name": "patient",
        "term": term,
    }

    response = admin_client.get(reverse("admin:autocomplete"), params)

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_bad_filter_after_the_lists_error_note_shows_a_page(admin_client):
    """Django shows a page of its own when the list's filters fail again after its error
    note (``?e=1``); the clinic's header on it needs no request."""
    url = reverse("admin:courses_course_changelist")

    response = admin_client.get(url, {"e": "1", "not_a_filter": "1"})

    assert response.status_code == 200
