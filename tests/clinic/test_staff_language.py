"""Staff read the clinic's language unless they chose another for themselves; the
browser's Accept-Language never chooses. Django's own admin catalogue has Russian, so
its words ("Изменить пароль") prove the language without the clinic's catalogue."""

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import StaffPreferences
from clinic.services import staff_language_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")


def signed_in(user, **headers) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


@pytest.fixture
def russian_member(settings):
    settings.LANGUAGE_CODE = "en-gb"
    member = UserFactory(username="olga")
    staff_language_set(user=member, language="ru")
    return member


@pytest.fixture
def english_member(settings):
    settings.LANGUAGE_CODE = "en-gb"
    return UserFactory(username="ben")


def test_a_member_who_chose_russian_sees_the_admin_in_russian_in_an_english_clinic(
    russian_member,
):
    page = signed_in(russian_member).get(HOME).content.decode()

    assert '<html lang="ru"' in page
    assert "Изменить пароль" in page
    assert "Change password" not in page


def test_a_member_who_chose_nothing_sees_the_clinics_language(english_member, russian_member):
    page = signed_in(english_member).get(HOME).content.decode()

    assert '<html lang="en-gb"' in page
    assert "Change password" in page
    assert "Изменить пароль" not in page


def test_a_member_who_chose_nothing_follows_a_russian_clinic(english_member, settings):
    settings.LANGUAGE_CODE = "ru"

    page = signed_in(english_member).get(HOME).content.decode()

    assert '<html lang="ru"' in page
    assert "Изменить пароль" in page


def test_a_member_who_chose_english_sees_english_in_a_russian_clinic(english_member, settings):
    staff_language_set(user=english_member, language="en-gb")
    settings.LANGUAGE_CODE = "ru"

    page = signed_in(english_member).get(HOME).content.decode()

    assert '<html lang="en-gb"' in page
    assert "Change password" in page


def test_the_browsers_language_changes_nothing_for_staff(english_member, russian_member):
    english = signed_in(english_member, accept_language="ru-RU,ru;q=0.9").get(HOME)
    russian = signed_in(russian_member, accept_language="en-US,en;q=0.9").get(HOME)

    assert "Change password" in english.content.decode()
    assert "Изменить пароль" in russian.content.decode()


def test_the_browsers_language_changes_nothing_on_the_sign_in_page(settings):
    settings.LANGUAGE_CODE = "en-gb"

    page = Client(headers={"accept-language": "ru"}).get(reverse("admin:login"))

    assert '<html lang="en-gb"' in page.content.decode()
    assert "Log in" in page.content.decode()


def test_a_chosen_language_is_not_read_from_the_database_on_each_page(russian_member):
    client = signed_in(russian_member)
    client.get(HOME)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(HOME)

    assert "Изменить пароль" in page.content.decode()
    assert not [q for q in queries.captured_queries if "staffpreferences" in q["sql"]]


def test_a_member_chooses_their_language_on_their_own_page_and_it_applies_at_once(
    english_member,
):
    client = signed_in(english_member)
    home = client.get(HOME).content.decode()
    assert reverse("my_language") in home

    response = client.post(reverse("my_language"), {"language": "ru"})

    assert response.status_code == 302
    assert StaffPreferences.objects.get(user=english_member).language == "ru"
    assert "Изменить пароль" in client.get(HOME).content.decode()


def test_a_member_goes_back_to_the_clinics_language(russian_member):
    client = signed_in(russian_member)

    client.post(reverse("my_language"), {"language": ""})

    assert StaffPreferences.objects.get(user=russian_member).language == ""
    assert "Change password" in client.get(HOME).content.decode()


@pytest.mark.parametrize("value", ["de", "en", "EN-GB", "ru\x00", "x" * 100])
def test_a_language_the_clinic_does_not_offer_is_refused_and_nothing_changes(
    russian_member, value
):
    client = signed_in(russian_member)

    response = client.post(reverse("my_language"), {"language": value})

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert StaffPreferences.objects.get(user=russian_member).language == "ru"
    assert "Изменить пароль" in client.get(HOME).content.decode()


def test_the_service_refuses_a_language_the_clinic_does_not_offer(english_member):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        staff_language_set(user=english_member, language="de")

    assert "language" in refused.value.message_dict
    assert not StaffPreferences.objects.filter(user=english_member).exists()


def _user_page_data(page) -> dict[str, list[str]]:
    """The user's page as the browser would post it back."""
    [form] = lxml.html.fromstring(page.content).xpath('//form[@id="user_form"]')
    return {name: value for name, value in form.form_values()} | {
        name: [option for option in element.value]
        for name, element in form.inputs.items()
        if getattr(element, "multiple", False)
    }


def test_a_change_made_for_a_member_in_the_user_admin_counts_from_their_next_sign_in(
    english_member,
):
    member_session = signed_in(english_member)
    member_session.get(HOME)
    admin_client = signed_in(UserFactory(username="root", is_superuser=True))
    url = reverse("admin:auth_user_change", args=[english_member.pk])
    data = _user_page_data(admin_client.get(url))
    data["preferences-0-language"] = "ru"

    saved = admin_client.post(url, data)

    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert StaffPreferences.objects.get(user=english_member).language == "ru"
    # The session already open keeps its language; the next sign-in reads the new one.
    assert "Change password" in member_session.get(HOME).content.decode()
    assert "Изменить пароль" in signed_in(english_member).get(HOME).content.decode()


def test_the_user_admin_refuses_a_language_the_clinic_does_not_offer(english_member):
    admin_client = signed_in(UserFactory(username="root", is_superuser=True))
    url = reverse("admin:auth_user_change", args=[english_member.pk])
    data = _user_page_data(admin_client.get(url))
    data["preferences-0-language"] = "de"

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()
    assert not StaffPreferences.objects.filter(user=english_member).exists()
