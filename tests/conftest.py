import pytest

from tests.factories import UserFactory


@pytest.fixture
def therapist(db):
    return UserFactory(username="therapist")


# --- Fast password hashing ------------------------------------------------------------
@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every factory user gets a hashed password; PBKDF2 would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
