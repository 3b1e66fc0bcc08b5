"""Each role, logged in to the admin: what it may do and what it is refused."""

import datetime as dt

import pytest
from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from courses import services
from courses.models import Visit
from patients.models import Patient
from tests.factories import CourseFactory, PatientFactory, VisitFactory

pytestmark = pytest.mark.django_db


def _actions(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["action_form"]
    return {value for value, _ in form.fields["action"].choices} if form else set()


def _visit_post_data(visit: Visit, **changes) -> dict:
    local = visit.scheduled_at.astimezone()
    data = {
        "course": visit.course_id,
        "sequence": visit.sequence,
        "scheduled_at_0": local.date().isoformat(),
        "scheduled_at_1": local.strftime("%H:%M:%S"),
        "status": visit.status,
        "therapist": visit.therapist_id,
        "feedback-TOTAL_FORMS": 0,
        "feedback-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("who", "url_name", "status"),
    [
        ("reception_client", "admin:patients_patient_add", 200),
        ("therapist_client", "admin:patients_patient_add", 403),
        ("manager_client", "admin:patients_patient_add", 200),
        ("reception_client", "admin:courses_course_add", 403),
        ("therapist_client", "admin:courses_course_add", 200),
        ("manager_client", "admin:courses_course_add", 200),
        ("reception_client", "admin:courses_visit_add", 200),
        ("therapist_client", "admin:courses_visit_add", 200),
        ("reception_client", "admin:patients_contraindication_add", 403),
        ("therapist_client", "admin:patients_contraindication_add", 403),
        ("manager_client", "admin:patients_contraindication_add", 200),
        ("reception_client", "admin:auth_user_changelist", 403),
        ("manager_client", "admin:auth_user_changelist", 403),
    ],
)
def test_each_role_reaches_only_the_add_and_list_pages_of_its_work(who, url_name, status, request):
    client = request.getfixturevalue(who)
    assert client.get(reverse(url_name)).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("reception_client", 403), ("therapist_client", 403), ("manager_client", 200)],
)
def test_only_a_manager_reaches_the_delete_page_of_a_patient(who, status, request):
    patient = PatientFactory()
    client = request.getfixturevalue(who)
    url = reverse("admin:patients_patient_delete", args=[patient.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"post": "yes"}).status_code in (status, 302)
    assert Patient.objects.filter(pk=patient.pk).exists() == (status != 200)


@pytest.mark.parametrize(
    ("who", "status"),
    [("reception_client", 403), ("therapist_client", 403), ("manager_client", 200)],
)
def test_only_a_manager_reaches_the_delete_page_of_a_course(who, status, request):
    course = CourseFactory()
    client = request.getfixturevalue(who)
    url = reverse("admin:courses_course_delete", args=[course.pk])
    assert client.get(url).status_code == status


def test_every_role_can_view_a_patient_and_a_course_in_its_care(
    reception_client, therapist_client, therapist_staff
):
    course = CourseFactory(therapist=therapist_staff)
    for client in (reception_client, therapist_client):
        assert (
            client.get(
                reverse("admin:patients_patient_change", args=[course.patient_id])
            ).status_code
            == 200
        )
        assert (
            client.get(reverse("admin:courses_course_change", args=[course.pk])).status_code == 200
        )


def test_no_role_gets_a_bulk_delete_of_patients(
    reception_client, therapist_client, manager_client
):
    url = reverse("admin:patients_patient_changelist")
    for client in (reception_client, therapist_client, manager_client):
        assert "delete_selected" not in _actions(client, url)


def test_only_a_manager_gets_the_export_and_anonymise_actions(reception_client, manager_client):
    url = reverse("admin:patients_patient_changelist")
    assert {"export_patient_data", "anonymise_patients"} & _actions(reception_client, url) == set()
    assert {"export_patient_data", "anonymise_patients"} <= _actions(manager_client, url)


def test_reception_posting_the_export_action_gets_no_data(reception_client):
    patient = PatientFactory()
    response = reception_client.post(
        reverse("admin:patients_patient_changelist"),
        {"action": "export_patient_data", "_selected_action": [patient.pk]},
    )
    assert response.get("Content-Type", "").startswith("text/html")
    assert patient.email.encode() not in response.content


def test_only_a_therapist_or_manager_can_delete_visits_in_bulk(reception_client, therapist_client):
    VisitFactory()
    url = reverse("admin:courses_visit_changelist")
    assert "delete_selected" not in _actions(reception_client, url)
    assert "delete_selected" in _actions(therapist_client, url)


def test_reception_sees_a_visits_clinical_fields_read_only(
    reception_client, therapist_client, therapist_staff
):
    visit = VisitFactory(course__therapist=therapist_staff)
    url = reverse("admin:courses_visit_change", args=[visit.pk])

    reception_form = reception_client.get(url).content.decode()
    therapist_form = therapist_client.get(url).content.decode()

    for field in ("pain_before", "pain_after", "notes", "intensity", "duration_minutes"):
        assert f'name="{field}"' not in reception_form
        assert f'name="{field}"' in therapist_form
    assert 'name="scheduled_at_0"' in reception_form


def test_reception_gets_no_pain_score_inputs_on_the_visit_list(
    reception_client, therapist_client, therapist_staff
):
    VisitFactory(course__therapist=therapist_staff)
    url = reverse("admin:courses_visit_changelist")
    assert "form-0-pain_before" not in reception_client.get(url).content.decode()
    assert "form-0-pain_before" in therapist_client.get(url).content.decode()


def test_reception_can_move_a_visit_but_a_posted_pain_score_is_ignored(reception_client):
    visit = VisitFactory()
    new_day = visit.scheduled_at.astimezone().date() + dt.timedelta(days=1)
    url = reverse("admin:courses_visit_change", args=[visit.pk])

    response = reception_client.post(
        url,
        _visit_post_data(visit, scheduled_at_0=new_day.isoformat(), pain_before="9", notes="x"),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    visit.refresh_from_db()
    assert visit.scheduled_at.astimezone().date() == new_day
    assert visit.pain_before is None
    assert visit.notes == ""


def test_therapist_can_record_a_visits_notes_in_the_admin(therapist_client, therapist_staff):
    visit = VisitFactory(course__therapist=therapist_staff)
    url = reverse("admin:courses_visit_change", args=[visit.pk])

    response = therapist_client.post(url, _visit_post_data(visit, notes="Sparing mode"))

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.notes == "Sparing mode"


def test_the_visit_service_refuses_clinical_changes_from_reception(reception):
    visit = VisitFactory()
    visit.pain_before = 5
    visit.notes = "Feels better"

    with pytest.raises(PermissionDenied, match="notes, pain before"):
        services.visit_save(visit=visit, by=reception)

    visit.refresh_from_db()
    assert (visit.pain_before, visit.notes) == (None, "")


def test_the_visit_service_lets_reception_book_and_the_system_log(reception):
    course = CourseFactory()
    booked = VisitFactory.build(course=course, sequence=1)
    services.visit_save(visit=booked, by=reception)

    booked.notes = "Logged by a task"
    services.visit_save(visit=booked)

    booked.refresh_from_db()
    assert booked.notes == "Logged by a task"


def test_course_actions_are_for_therapists_and_managers_only(
    reception_client, therapist_client, manager_client
):
    CourseFactory()
    url = reverse("admin:courses_course_changelist")
    course_actions = {"start_courses", "complete_courses_early", "cancel_courses"}
    assert _actions(reception_client, url) & course_actions == set()
    assert course_actions <= _actions(therapist_client, url)
    assert "delete_selected" not in _actions(therapist_client, url)
    assert {"delete_selected", *course_actions} <= _actions(manager_client, url)


def test_reception_cannot_run_a_course_action_by_posting_it(reception_client):
    course = CourseFactory(status="planned")
    reception_client.post(
        reverse("admin:courses_course_changelist"),
        {"action": "cancel_courses", "_selected_action": [course.pk]},
    )
    course.refresh_from_db()
    assert course.status == "planned"


def test_consent_actions_need_the_right_to_change_patients(therapist_client, reception_client):
    url = reverse("admin:patients_patient_changelist")
    consent_actions = {"record_consent_given", "record_consent_withdrawn"}
    assert _actions(therapist_client, url) & consent_actions == set()
    assert consent_actions <= _actions(reception_client, url)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("therapist_client", "admin:courses_course_add"),
        ("reception_client", "admin:courses_visit_add"),
    ],
)
def test_the_therapist_is_picked_from_a_list_every_role_may_read(
    who, url_name, request, therapist_staff
):
    # An autocomplete would ask the user admin, which no role may open.
    response = request.getfixturevalue(who).get(reverse(url_name))

    field = response.context["adminform"].form.fields["therapist"]
    widget = field.widget.widget
    assert isinstance(widget, forms.Select)
    assert not isinstance(widget, AutocompleteSelect)
    assert therapist_staff.pk in {value.value for value, _label in field.choices if value}
