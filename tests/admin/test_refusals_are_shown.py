"""A write the services refuse shows its reason on the page and leaves nothing saved:
on the add and change pages (inlines included), on the list's editable rows, on the
delete page and in actions. Driven through a small admin whose writes save first and are
refused afterwards (tests/admin/refusing_admin.py), so a partial save would show."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from patients.models import Patient, PatientContraindication
from tests.factories import PatientFactory, contraindication

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.admin.refusing_admin")]


def url(name: str, *args) -> str:
    return reverse(f"admin:patients_patient_{name}", args=args, current_app="refusing")


def rows() -> list[dict]:
    return [
        *Patient.objects.order_by("pk").values(),
        *PatientContraindication.objects.order_by("pk").values(),
    ]


def patient_data(first_name: str, *records: dict, initial: int = 0, **fields) -> dict:
    data = {
        "first_name": first_name,
        "last_name": "Okafor",
        "date_of_birth": "1970-05-17",
        "email": "ada@example.test",
        "notes": "",
        "contraindications-TOTAL_FORMS": len(records),
        "contraindications-INITIAL_FORMS": initial,
        "_save": "Save",
        **fields,
    }
    for i, record in enumerate(records):
        data.update({f"contraindications-{i}-{name}": value for name, value in record.items()})
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_refused_add_shows_the_reason_on_the_field_it_names_and_keeps_what_was_posted(
    admin_client,
):
    response = admin_client.post(url("add"), patient_data("Refuse-field", notes="Back pain"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"last_name": ["This last name is refused."]}
    assert form["notes"].value() == "Back pain"
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("first_name", "reason"),
    [
        ("Refuse-unshown", "A phone number is needed."),
        ("Refuse-all", "This patient is refused."),
        ("Refuse-denied", "Only a manager can do this."),
    ],
)
def test_a_refusal_the_form_has_no_field_for_is_shown_at_the_top(admin_client, first_name, reason):
    patient = PatientFactory(first_name="Ada")
    before = rows()

    response = admin_client.post(url("change", patient.pk), patient_data(first_name))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [reason]
    assert reason in response.content.decode()
    assert rows() == before


def test_a_bare_permission_denied_is_still_a_refused_access(admin_client):
    response = admin_client.post(url("add"), patient_data("Refuse-bare"))

    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_a_refusal_while_saving_an_inline_is_shown_at_the_top_and_saves_not_even_the_patient(
    admin_client,
):
    record = {"contraindication": contraindication("fever").pk, "noted_on": "2026-01-05"}

    response = admin_client.post(
        url("add"), patient_data("Ada", {**record, "notes": "refuse"}, notes="kept in the form")
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    # The record's "notes" is not the patient's "notes".
    assert form.errors == {"__all__": ["This record is refused."]}
    assert form["notes"].value() == "kept in the form"
    assert rows() == []


def test_a_refused_row_of_the_list_is_shown_on_its_row_and_no_row_is_saved(admin_client):
    first, second = PatientFactory(first_name="Ada"), PatientFactory(first_name="Ben")
    before = rows()
    data = {
        "form-TOTAL_FORMS": 2,
        "form-INITIAL_FORMS": 2,
        "form-0-id": first.pk,
        "form-0-first_name": "Changed",
        "form-0-notes": "",
        "form-1-id": second.pk,
        "form-1-first_name": "Refuse-all",
        "form-1-notes": "",
        "_save": "Save",
    }

    response = admin_client.post(url("changelist"), data)

    assert response.status_code == 200
    forms = response.context["cl"].formset.forms
    assert [form.errors for form in forms] == [{}, {"__all__": ["This patient is refused."]}]
    assert "This patient is refused." in response.content.decode()
    assert rows() == before


def test_a_refused_delete_says_why_deletes_nothing_and_returns_to_the_patient(admin_client):
    patient = PatientFactory(last_name="Kept")
    before = rows()

    response = admin_client.post(url("delete", patient.pk), {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"] == url("change", patient.pk)
    assert messages_of(response) == ["This patient must be kept."]
    assert rows() == before


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ({"action": "delete_selected", "post": "yes"}, "These patients must be kept."),
        ({"action": "rename_all"}, "A kept patient cannot be renamed."),
    ],
)
def test_a_refused_bulk_delete_or_action_changes_none_of_the_selected_and_says_why(
    admin_client, action, reason
):
    patients = [PatientFactory(), PatientFactory(last_name="Kept")]
    before = rows()

    response = admin_client.post(
        url("changelist"), {**action, ACTION_CHECKBOX_NAME: [patient.pk for patient in patients]}
    )

    assert response.status_code == 302
    assert messages_of(response) == [reason]
    assert rows() == before


def test_an_action_on_each_names_each_refused_object_and_does_the_others(admin_client):
    done, kept = PatientFactory(last_name="Done"), PatientFactory(last_name="Kept")

    response = admin_client.post(
        url("changelist"), {"action": "rename_each", ACTION_CHECKBOX_NAME: [done.pk, kept.pk]}
    )

    assert messages_of(response) == [f"{kept}: A kept patient cannot be renamed.", "Renamed: 1."]
    names = dict(Patient.objects.values_list("last_name", "first_name"))
    assert names == {"Done": "Renamed", "Kept": kept.first_name}


@pytest.mark.parametrize("selected", ["abc", "99999999999999999999999", "1.5", "\x00"])
def test_an_action_on_a_selection_that_is_not_ids_is_refused_with_a_message(
    admin_client, selected
):
    patient = PatientFactory()
    before = rows()

    response = admin_client.post(
        url("changelist"), {"action": "rename_all", ACTION_CHECKBOX_NAME: [patient.pk, selected]}
    )

    assert response.status_code == 302
    assert messages_of(response) == ["The selection was not valid: select the rows again."]
    assert rows() == before
