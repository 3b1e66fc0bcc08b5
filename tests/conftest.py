import importlib

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


# --- Data the migrations seed ---------------------------------------------------------
@pytest.fixture
def contraindication_catalogue(transactional_db) -> None:
    """Put back the catalogue the data migration seeds.

    A transactional test empties every table when it ends, so the tests after it find no
    catalogue. Re-running the migration's own seeding keeps one source for the list.
    """
    from django.apps import apps

    seeding = importlib.import_module("patients.migrations.0002_seed_contraindications")
    seeding.seed(apps, schema_editor=None)
