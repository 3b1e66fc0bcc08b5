"""The therapist of a course or visit is picked by name among those who log sessions."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from courses.selectors import therapists
from tests.factories import CourseFactory, UserFactory, VisitFactory, staff_with_role

pytestmark = pytest.mark.django_db


def test_therapists_are_the_staff_who_may_log_sessions():
    anna = staff_with_role(THERAPIST, username="anna", first_name="Anna", last_name="Kowalska")
    manager = staff_with_role(MANAGER, username="margaret")
    owner = UserFactory(username="owner", is_superuser=True)
    by_hand = UserFactory(username="locum")
    by_hand.user_permissions.add(Permission.objects.get(codename="log_visit"))
    staff_with_role(RECEPTION, username="priya")
    staff_with_role(THERAPIST, username="gone", is_active=False)

    assert set(therapists()) == {anna, manager, owner, by_hand}


def test_someone_who_left_the_role_stays_a_choice_on_their_courses():
    former = UserFactory(username="former")  # staff, but no role any more
    CourseFactory(therapist=former)

    assert former in therapists()
    assert therapists().filter(pk=former.pk).count() == 1


def test_course_page_offers_therapists_by_name_and_not_reception(admin_client):
    staff_with_role(THERAPIST, username="anna", first_name="Anna", last_name="Kowalska")
    staff_with_role(RECEPTION, username="priya", first_name="Priya", last_name="Shah")

    form = admin_client.get(reverse("admin:courses_course_add")).context["adminform"].form
    labels = [label for _, label in form.fields["therapist"].choices]

    assert "Anna Kowalska" in labels
    assert "Priya Shah" not in labels


def test_course_and_visit_lists_name_the_therapist_and_filter_by_those_on_courses(
    admin_client,
):
    anna = staff_with_role(THERAPIST, username="anna", first_name="Anna", last_name="Kowalska")
    chloe = staff_with_role(THERAPIST, username="chloe", first_name="Chloe", last_name="Martin")
    ben = staff_with_role(THERAPIST, username="ben", first_name="Ben", last_name="Okafor")
    VisitFactory(course=CourseFactory(therapist=anna), therapist=anna)
    VisitFactory(course=CourseFactory(therapist=chloe), therapist=chloe)

    for url in (
        reverse("admin:courses_course_changelist"),
        reverse("admin:courses_visit_changelist"),
    ):
        page = admin_client.get(url).text
        assert "Anna Kowalska" in page
        # The filter lists who has courses or visits, not every therapist.
        assert f"therapist__id__exact={anna.pk}" in page
        assert f"therapist__id__exact={chloe.pk}" in page
        assert f"therapist__id__exact={ben.pk}" not in page


def test_a_visits_page_draws_the_therapist_select_with_theirs_chosen(admin_client):
    anna = staff_with_role(THERAPIST, username="anna", first_name="Anna", last_name="Kowalska")
    staff_with_role(THERAPIST, username="ben", first_name="Ben", last_name="Okafor")
    visit = VisitFactory(course=CourseFactory(therapist=anna), therapist=anna)

    page = admin_client.get(reverse("admin:courses_visit_change", args=[visit.pk])).text

    assert f'<option value="{anna.pk}" selected>Anna Kowalska</option>' in page
    assert page.count(" selected>Anna Kowalska</option>") == 1
    assert ">Ben Okafor</option>" in page
