import os

# Tests run without a production secret; settings refuse to start without one otherwise.
os.environ.setdefault("CLINIC_ALLOW_INSECURE_KEY", "1")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """With DEBUG off the settings serve static files under hashed names, which only
    collectstatic makes; tests render pages without running it (its own test does)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
