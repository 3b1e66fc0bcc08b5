import os

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

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
    catalogue. Seeding it as the migration does keeps one source for the list.
    """
    from patients.catalogue import contraindications_seed
    from patients.models import Contraindication

    contraindications_seed(model=Contraindication)


# --- Hypothesis profiles --------------------------------------------------------------
# CI runs the same cases every time (derandomize), so a red build is the code's doing and
# reproduces at once. HYPOTHESIS_PROFILE=thorough hunts: many more cases, new ones each run.
hypothesis_settings.register_profile(
    "clinic",
    max_examples=60,
    derandomize=True,
    # Database-backed examples vary in time with the machine's load; a deadline would
    # make them flaky without catching anything.
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "thorough",
    parent=hypothesis_settings.get_profile("clinic"),
    max_examples=500,
    derandomize=False,
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "clinic"))
