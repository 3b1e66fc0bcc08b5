"""A list sorts only by the columns whose headers sort it (``sortable_by``): a typed
address asking for another column's sort is ignored, as Django ignores a column number
it does not know, instead of sorting every row by a column no index serves."""

import pytest
from django.urls import reverse

from clinic.roles import MANAGER
from courses.admin.courses import CourseAdmin
from courses.admin.visits import VisitAdmin
from messaging.admin import MessageAdmin
from tests.factories import CourseFactory, MessageFactory, VisitFactory, staff_with_role

pytestmark = pytest.mark.django_db


def _sort_address(list_name: str, model_admin, column: str, descending: bool = False) -> str:
    # The address's column numbers count the action checkbox first.
    number = model_admin.list_display.index(column) + 1
    return reverse(list_name) + f"?o={'-' if descending else ''}{number}"


def _order_by(response) -> tuple:
    return response.context["cl"].queryset.query.order_by


@pytest.fixture
def manager(client):
    client.force_login(staff_with_role(MANAGER))
    return client


@pytest.mark.parametrize("column", ["attempts", "claimed_at", "sent_at", "kind", "patient"])
def test_the_message_list_ignores_a_sort_on_a_column_without_a_sorting_header(manager, column):
    MessageFactory.create_batch(2)
    address = _sort_address("admin:messaging_message_changelist", MessageAdmin, column)

    response = manager.get(address)

    assert response.status_code == 200
    assert not any(column in str(key) for key in _order_by(response))
    # Django's order for a sort it cannot use: the newest row first, by the primary key.
    assert _order_by(response) == ("-pk",)


def test_the_message_list_still_sorts_by_a_column_with_a_sorting_header(manager):
    MessageFactory.create_batch(2)
    address = _sort_address("admin:messaging_message_changelist", MessageAdmin, "status", True)

    assert "-status" in _order_by(manager.get(address))


def test_the_visit_list_ignores_a_sort_by_therapist(manager):
    VisitFactory()
    address = _sort_address("admin:courses_visit_changelist", VisitAdmin, "therapist_name")

    keys = [str(key) for key in _order_by(manager.get(address))]

    assert not any("therapist" in key for key in keys)


def test_the_course_list_ignores_a_sort_by_therapist_and_keeps_the_others(manager):
    CourseFactory()
    therapist = _sort_address("admin:courses_course_changelist", CourseAdmin, "therapist_name")
    pain = _sort_address("admin:courses_course_changelist", CourseAdmin, "pain_at_start")

    assert not any("therapist" in str(key) for key in _order_by(manager.get(therapist)))
    assert "pain_at_start" in _order_by(manager.get(pain))
