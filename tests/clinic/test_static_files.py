"""Static files with DEBUG off: collected under hashed names, compressed, served by the
app with a long cache lifetime."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

WHITENOISE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_the_settings_serve_static_files_through_whitenoise_when_debug_is_off():
    from clinic import settings

    assert not settings.DEBUG
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert settings.STORAGES["staticfiles"] == WHITENOISE["staticfiles"]


@pytest.mark.django_db
def test_collectstatic_writes_hashed_compressed_files_that_the_app_serves_cached(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=WHITENOISE):
        call_command("collectstatic", interactive=False, verbosity=0)
        url = static("admin/css/base.css")
        assert url != "/static/admin/css/base.css"  # a hashed name
        assert (tmp_path / url.removeprefix("/static/")).with_suffix(".css.gz").exists()

    # Whitenoise reads STATIC_ROOT when its middleware starts: a new client's handler.
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=WHITENOISE):
        response = Client().get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in response["Cache-Control"]
