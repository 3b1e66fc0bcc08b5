import pytest

from tests.factories import UserFactory


@pytest.fixture
def therapist(db):
    return UserFactory(username="therapist")
