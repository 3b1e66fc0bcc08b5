"""A patient who looks like one already registered is saved only once staff confirm a
different person: same name and date of birth, same phone, or same e-mail."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import ConsentChange, Patient
from patients.services import LikelyDuplicates, patient_save
from tests.admin.patient_page import patient_page_data
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

BORN = dt.date(1964, 4, 3)


@pytest.fixture
def ada() -> Patient:
    return PatientFactory(
        first_name="Ada",
        last_name="Lovelace",
        date_of_birth=BORN,
        phone="+442079460035",
        email="ada@example.test",
    )


def newcomer(**fields) -> Patient:
    """Someone new: a different name, birthday, phone and e-mail unless given."""
    return PatientFactory.build(
        **{
            "first_name": "Grace",
            "last_name": "Hopper",
            "date_of_birth": dt.date(1970, 12, 9),
            "phone": "+442079460099",
            "email": "grace@example.test",
            **fields,
        }
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"first_name": "ADA", "last_name": "lovelace", "date_of_birth": BORN},
            "same name and date of birth",
        ),
        ({"phone": "020 7946 0035"}, "same phone"),
        ({"email": "Ada@Example.TEST"}, "same e-mail"),
    ],
    ids=["name-and-birth", "phone", "e-mail"],
)
def test_a_patient_matching_one_registered_is_refused_with_the_record_named(ada, fields, reason):
    with pytest.raises(LikelyDuplicates) as caught:
        patient_save(patient=newcomer(**fields))

    assert caught.value.patients == [ada]
    message = caught.value.messages[0]
    assert "This looks like a patient already registered: Ada Lovelace" in message
    assert f"born 03/04/1964, record {ada.pk}: {reason}" in message
    assert list(Patient.objects.all()) == [ada]


def test_a_namesake_born_on_another_day_is_not_a_duplicate(ada):
    patient_save(patient=newcomer(first_name="Ada", last_name="Lovelace"))

    assert Patient.objects.count() == 2


def test_the_same_birthday_under_another_name_is_not_a_duplicate(ada):
    patient_save(patient=newcomer(date_of_birth=BORN))

    assert Patient.objects.count() == 2


def test_every_record_it_matches_is_named_with_every_reason(ada):
    sister = PatientFactory(first_name="Augusta", email="ada@example.test")

    with pytest.raises(LikelyDuplicates) as caught:
        patient_save(
            patient=newcomer(
                first_name="Ada", last_name="Lovelace", date_of_birth=BORN, email=ada.email
            )
        )

    assert set(caught.value.patients) == {ada, sister}
    message = caught.value.messages[0]
    assert f"record {ada.pk}: same name and date of birth, same e-mail" in message
    assert f"record {sister.pk}: same e-mail" in message


def test_staff_confirming_a_different_person_saves_it_and_the_history_says_so(ada):
    twin = patient_save(
        patient=newcomer(first_name="Ada", last_name="Lovelace", date_of_birth=BORN),
        confirmed_different_person=True,
    )

    assert Patient.objects.count() == 2
    assert twin.history.latest().history_change_reason == (
        f"Confirmed by staff to be a different person from record(s) {ada.pk}"
    )


def test_an_anonymised_patient_is_never_a_duplicate(ada):
    forgotten = PatientFactory(
        first_name="Grace",
        last_name="Hopper",
        date_of_birth=dt.date(1970, 12, 9),
        phone="",
        email="",
        anonymised_at=timezone.now(),
    )

    patient_save(patient=newcomer())

    assert Patient.objects.count() == 3
    assert not Patient.objects.likely_duplicates_of(forgotten).exists()


def test_a_patient_is_not_a_duplicate_of_itself(ada):
    ada.first_name = "ADA"

    patient_save(patient=ada)

    assert Patient.objects.get().first_name == "ADA"
    assert not Patient.objects.likely_duplicates_of(ada).exists()


def test_a_change_that_makes_a_patient_match_another_is_refused_and_saves_nothing(ada):
    grace = patient_save(patient=newcomer(reminders_consent=True))
    before = (Patient.objects.filter(pk=grace.pk).values().get(), grace.history.count())
    grace.email = "ADA@example.test"
    grace.reminders_consent = False

    with pytest.raises(LikelyDuplicates):
        patient_save(patient=grace)

    assert (Patient.objects.filter(pk=grace.pk).values().get(), grace.history.count()) == before
    assert ConsentChange.objects.filter(patient=grace).count() == 1


def test_a_confirmed_namesake_is_not_asked_about_again_when_other_details_change(ada):
    twin = patient_save(
        patient=newcomer(first_name="Ada", last_name="Lovelace", date_of_birth=BORN),
        confirmed_different_person=True,
    )
    twin.notes = "The other Ada."
    twin.preferred_channel = Patient.Channel.PHONE

    patient_save(patient=twin)

    assert Patient.objects.get(pk=twin.pk).notes == "The other Ada."


def test_the_check_is_one_query_however_many_records_match(ada, django_assert_num_queries):
    for n in range(5):
        PatientFactory(email="ada@example.test", phone=f"+44207946010{n}")
    patient = newcomer(first_name="Ada", last_name="Lovelace", date_of_birth=BORN, email=ada.email)

    with django_assert_num_queries(1):
        duplicates = list(Patient.objects.likely_duplicates_of(patient))

    assert len(duplicates) == 6


def test_registering_a_new_patient_costs_one_query_for_the_check(django_assert_num_queries):
    # Savepoint and release around the atomic block, the check, the insert and its history
    # row, the recorded consent and its history row.
    with django_assert_num_queries(7):
        patient_save(patient=newcomer(reminders_consent=True))


# --- the patient page ------------------------------------------------------------------


def test_the_patient_page_links_the_likely_duplicate_and_asks_for_confirmation(admin_client, ada):
    response = admin_client.post(reverse("admin:patients_patient_add"), patient_page_data())

    assert response.status_code == 200
    [error] = response.context["adminform"].form.non_field_errors()
    link = reverse("admin:patients_patient_change", args=[ada.pk])
    assert f'<a href="{link}">Ada Lovelace</a> (born 03/04/1964, record {ada.pk}' in error
    page = response.content.decode()
    assert 'name="confirmed_different_person"' in page
    assert Patient.objects.count() == 1


def test_the_patient_page_saves_once_staff_tick_this_is_a_different_person(admin_client, ada):
    response = admin_client.post(
        reverse("admin:patients_patient_add"),
        patient_page_data(confirmed_different_person="on"),
    )

    assert response.status_code == 302
    assert Patient.objects.filter(first_name="Ada").count() == 2


def test_the_confirmation_box_is_not_shown_when_there_is_nothing_to_confirm(admin_client, ada):
    page = admin_client.get(reverse("admin:patients_patient_add")).content.decode()

    assert 'name="confirmed_different_person"' not in page
