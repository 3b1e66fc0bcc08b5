"""Therapists acknowledge the patients' reported rises in pain from the course page and
the course list; the page shows them what they acknowledge, and reception cannot."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.roles import RECEPTION, THERAPIST
from courses.models import Course
from messaging import services
from messaging.models import Feedback
from tests.factories import CheckInFactory, CourseFactory, staff_with_role

pytestmark = pytest.mark.django_db

ACKNOWLEDGE = reverse("admin:courses_course_acknowledge")
COURSES = reverse("admin:courses_course_changelist")


def answer(*, pain: int, course: Course | None = None, comment: str = "") -> Feedback:
    """The patient's answer to a check-in after a done visit with pain 4 before it."""
    check_in = CheckInFactory(
        visit__course=course or CourseFactory(), visit__pain_before=4, visit__pain_after=3
    )
    return services.feedback_submit(message=check_in, pain=pain, comment=comment)


def client_for(role: str, **user) -> Client:
    client = Client()
    client.force_login(staff_with_role(role, **user))
    return client


@pytest.fixture
def therapist_client() -> Client:
    return client_for(THERAPIST, username="anna", first_name="Anna", last_name="Kowalska")


@pytest.fixture
def reception_client() -> Client:
    return client_for(RECEPTION, username="priya")


@pytest.fixture(autouse=True)
def therapists_see_all_patients(settings):
    # The rises here come from any course; which patients a therapist reads is
    # tested in tests/security/test_role_caseload.py.
    settings.CLINIC_THERAPISTS_SEE_ALL_PATIENTS = True


def flagged_courses(client: Client) -> list[int]:
    return [c.pk for c in client.get(COURSES + "?flagged=yes").context["cl"].result_list]


def course_page(client: Client, course_id: int) -> str:
    response = client.get(reverse("admin:courses_course_change", args=[course_id]))
    assert response.status_code == 200
    return response.text


def test_the_course_page_says_a_rise_waits_and_leads_to_acknowledging_it(therapist_client):
    rise = answer(pain=7, comment="Worse after the session")

    page = course_page(therapist_client, rise.course_id)

    assert "no one has acknowledged it yet" in page
    assert f"{ACKNOWLEDGE}?course={rise.course_id}" in page
    assert '<strong class="pain-rise-new">Not yet</strong>' in page


def test_the_course_page_of_a_course_without_a_waiting_rise_says_nothing(therapist_client):
    calm = answer(pain=4)

    page = course_page(therapist_client, calm.course_id)

    assert "no one has acknowledged it yet" not in page
    assert ACKNOWLEDGE not in page


def test_the_therapist_reads_the_rise_and_acknowledges_it_from_the_course_page(
    therapist_client,
):
    rise = answer(pain=7, comment="Worse after the session")
    url = f"{ACKNOWLEDGE}?course={rise.course_id}"

    shown = therapist_client.get(url)
    done = therapist_client.post(url, {"feedback": [rise.pk]}, follow=True)

    assert "Worse after the session" in shown.text
    assert f'value="{rise.pk}"' in shown.text
    assert done.redirect_chain == [
        (reverse("admin:courses_course_change", args=[rise.course_id]), 302)
    ]
    assert "1 rise in pain acknowledged." in done.text
    assert "no one has acknowledged it yet" not in done.text
    assert "by Anna Kowalska, " in done.text
    assert flagged_courses(therapist_client) == []


def test_a_rise_left_unticked_stays_waiting(therapist_client):
    course = CourseFactory()
    first = answer(pain=7, course=course)
    second = answer(pain=8, course=course)

    therapist_client.post(f"{ACKNOWLEDGE}?course={course.pk}", {"feedback": [first.pk]})

    assert list(Feedback.objects.unacknowledged_rises()) == [second]
    assert flagged_courses(therapist_client) == [course.pk]


def test_acknowledging_with_nothing_ticked_says_so_and_saves_nothing(therapist_client):
    rise = answer(pain=7)

    response = therapist_client.post(f"{ACKNOWLEDGE}?course={rise.course_id}", {})

    assert response.status_code == 200
    assert "Choose at least one reported rise in pain to acknowledge." in response.text
    assert list(Feedback.objects.unacknowledged_rises()) == [rise]


def test_a_rise_acknowledged_meanwhile_by_someone_else_is_named(therapist_client):
    rise = answer(pain=7)
    url = f"{ACKNOWLEDGE}?course={rise.course_id}"
    therapist_client.get(url)
    services.feedback_acknowledge(
        feedback=[rise], by=staff_with_role(THERAPIST, first_name="Ben", last_name="Okafor")
    )

    response = therapist_client.post(url, {"feedback": [rise.pk]})

    assert "was already acknowledged by Ben Okafor" in response.text


def test_the_course_list_action_shows_the_rises_of_the_flagged_courses_first(
    therapist_client,
):
    rise = answer(pain=7, comment="Worse after the session")
    calm = answer(pain=3, comment="Much better")
    selected = {
        "action": "acknowledge_pain_rises",
        "_selected_action": [rise.course_id, calm.course_id],
    }

    response = therapist_client.post(COURSES + "?flagged=yes", selected, follow=True)

    assert "Worse after the session" in response.text
    assert "Much better" not in response.text
    assert Feedback.objects.get(pk=rise.pk).acknowledged_at is None
    form = response.redirect_chain[-1][0]
    back = therapist_client.post(form, {"feedback": [rise.pk]})
    assert back.url == COURSES + "?flagged=yes"
    assert flagged_courses(therapist_client) == []


def test_the_course_list_action_on_courses_without_a_waiting_rise_says_so(therapist_client):
    calm = answer(pain=3)
    selected = {"action": "acknowledge_pain_rises", "_selected_action": [calm.course_id]}

    response = therapist_client.post(COURSES, selected, follow=True)

    assert "None of the selected courses has a rise in pain waiting" in response.text


def test_the_acknowledge_page_does_not_send_staff_elsewhere_than_this_site(therapist_client):
    rise = answer(pain=7)

    response = therapist_client.post(
        f"{ACKNOWLEDGE}?course={rise.course_id}&next=https://evil.example/",
        {"feedback": [rise.pk]},
    )

    assert response.url == reverse("admin:courses_course_change", args=[rise.course_id])


def test_reception_neither_sees_nor_acknowledges_a_waiting_rise(reception_client):
    rise = answer(pain=7)

    page = course_page(reception_client, rise.course_id)
    course_list = reception_client.get(COURSES).text
    shown = reception_client.get(f"{ACKNOWLEDGE}?course={rise.course_id}")
    posted = reception_client.post(
        f"{ACKNOWLEDGE}?course={rise.course_id}", {"feedback": [rise.pk]}
    )

    # The patients' answers are not reception's to read (tests/security).
    assert "no one has acknowledged it yet" not in page
    assert ACKNOWLEDGE not in page
    assert "acknowledge_pain_rises" not in course_list
    assert (shown.status_code, posted.status_code) == (403, 403)
    assert list(Feedback.objects.unacknowledged_rises()) == [rise]


def test_the_answers_history_shows_who_acknowledged_the_rise(therapist_client):
    rise = answer(pain=7)
    therapist_client.post(f"{ACKNOWLEDGE}?course={rise.course_id}", {"feedback": [rise.pk]})

    page = therapist_client.get(reverse("admin:messaging_feedback_history", args=[rise.pk]))

    assert page.status_code == 200
    assert "anna" in page.text


def test_the_pain_feedback_list_filters_the_rises_no_one_has_acknowledged(therapist_client):
    waiting = answer(pain=7)
    seen = answer(pain=8)
    answer(pain=3)
    services.feedback_acknowledge(feedback=[seen], by=staff_with_role(THERAPIST))

    response = therapist_client.get(
        reverse("admin:messaging_feedback_changelist") + "?acknowledged=no"
    )

    assert list(response.context["cl"].result_list) == [waiting]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_acknowledged_rises_cost_the_course_list_no_query(therapist_client):
    for _ in range(3):
        answer(pain=3)
    therapist_client.get(COURSES)  # the first request fills the session
    calm = count_queries(therapist_client, COURSES)

    rises = [answer(pain=7) for _ in range(3)]
    services.feedback_acknowledge(feedback=rises[:2], by=staff_with_role(THERAPIST))
    mixed = count_queries(therapist_client, COURSES)

    assert mixed == calm
    assert flagged_courses(therapist_client) == [rises[2].course_id]


def test_odd_addresses_and_ticks_get_a_clear_answer(therapist_client):
    rise = answer(pain=7)
    url = f"{ACKNOWLEDGE}?course=abc&course=99999999999999999999999&course={rise.course_id}"

    shown = therapist_client.get(url)
    posted = therapist_client.post(url, {"feedback": ["x", "²", "99999999999999999999999", "-1"]})

    assert shown.status_code == posted.status_code == 200
    assert "Choose at least one reported rise in pain to acknowledge." in posted.text
    assert list(Feedback.objects.unacknowledged_rises()) == [rise]
