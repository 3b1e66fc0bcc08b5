import pytest
from django.test import Client

from clinic.roles import MANAGER, RECEPTION, THERAPIST
from tests.factories import UserFactory, staff_with_role


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reception(db):
    return staff_with_role(RECEPTION, username="reception")


@pytest.fixture
def therapist_staff(db):
    return staff_with_role(THERAPIST, username="therapist-role")


@pytest.fixture
def manager(db):
    return staff_with_role(MANAGER, username="manager")


@pytest.fixture
def reception_client(reception) -> Client:
    return _client_for(reception)


@pytest.fixture
def therapist_client(therapist_staff) -> Client:
    return _client_for(therapist_staff)


@pytest.fixture
def manager_client(manager) -> Client:
    return _client_for(manager)


@pytest.fixture
def superuser_client(db) -> Client:
    return _client_for(UserFactory(username="root", is_superuser=True))
