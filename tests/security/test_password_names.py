"""Django's password validators compare a new password with the user's own names."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password", ["Anna Kowalska", "annakowalska", "KOWALSKA anna", "a.kowalska@clinic.test"]
)
def test_the_admin_refuses_a_password_made_of_the_users_names(superuser_client, password):
    user = UserFactory(
        username="akowalska",
        first_name="Anna",
        last_name="Kowalska",
        email="a.kowalska@clinic.test",
    )
    url = reverse("admin:auth_user_password_change", args=[user.pk])

    response = superuser_client.post(url, {"password1": password, "password2": password})

    assert response.status_code == 200
    assert "too similar" in str(response.context["form"].errors)
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")


def test_the_admin_accepts_a_password_unlike_the_users_names(superuser_client):
    user = UserFactory(username="akowalska", first_name="Anna", last_name="Kowalska")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    password = "tidal-quartz-lantern-91"

    response = superuser_client.post(url, {"password1": password, "password2": password})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(password)


def test_a_new_account_cannot_start_with_a_password_like_its_names(superuser_client):
    password = "Kowalska Anna"
    response = superuser_client.post(
        reverse("admin:auth_user_add"),
        {
            # A user name unlike the password: only the names can catch it.
            "username": "frontdesk2",
            "first_name": "Anna",
            "last_name": "Kowalska",
            "email": "",
            "usable_password": "true",
            "password1": password,
            "password2": password,
        },
    )

    assert response.status_code == 200
    assert "too similar" in str(response.context["adminform"].form.errors)
    assert not get_user_model().objects.filter(username="frontdesk2").exists()
