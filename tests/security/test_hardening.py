"""Production settings pass Django's deployment checks; the pages carry a strict CSP."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.factories import VisitFactory

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CLINIC_ALLOW_INSECURE_KEY", "DEBUG"} and not key.startswith("SECURE_")
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clinic.example",
        CLINIC_SITE_URL="https://clinic.example",
        CLINIC_VAR_DIR=str(ROOT / "var" / "check-deploy"),
    )
    env.update(extra)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks_with_no_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "check_id"),
    [
        ("SECURE_SSL_REDIRECT", "0", "security.W008"),
        # The address in patients' links, which carry their signed tokens.
        ("CLINIC_SITE_URL", "http://clinic.example", "clinic.W001"),
    ],
)
def test_turning_https_off_in_production_is_reported_by_the_deployment_checks(
    variable, value, check_id
):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(**{variable: value})
    )
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_the_site_address_check_stays_quiet_in_debug_and_on_https(settings):
    from clinic.checks import site_url_is_https

    settings.DEBUG, settings.CLINIC_SITE_URL = False, "http://clinic.example"
    assert [w.id for w in site_url_is_https(None)] == ["clinic.W001"]
    settings.CLINIC_SITE_URL = "https://clinic.example"
    assert site_url_is_https(None) == []
    settings.DEBUG, settings.CLINIC_SITE_URL = True, "http://localhost:8000"
    assert site_url_is_https(None) == []


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_security_settings_are_read_from_the_environment():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_AGE, s.AXES_FAILURE_LIMIT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE)"
    )
    env = _production_env(
        SESSION_COOKIE_AGE="600",
        CLINIC_LOGIN_FAILURE_LIMIT="7",
        SECURE_HSTS_SECONDS="3600",
        DJANGO_SETTINGS_MODULE="clinic.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["600", "7", "3600", "True"], result.stderr


def test_a_bad_security_value_stops_the_process():
    result = _manage("check", env=_production_env(SESSION_COOKIE_AGE="half an hour"))
    assert result.returncode != 0
    assert "SESSION_COOKIE_AGE must be a whole number" in result.stderr


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


@pytest.mark.django_db
def test_admin_pages_carry_a_csp_they_work_under(manager_client):
    visit = VisitFactory(done=True)
    urls = [
        reverse("admin:index"),
        reverse("admin:patients_patient_changelist"),
        reverse("admin:patients_patient_change", args=[visit.course.patient_id]),
        reverse("admin:courses_course_change", args=[visit.course_id]),
        reverse("admin:courses_visit_changelist"),
        reverse("admin:courses_visit_change", args=[visit.pk]),
        reverse("admin:courses_visit_add"),
    ]
    for url in urls:
        response = manager_client.get(url)
        html = response.content.decode()
        policy = response["Content-Security-Policy"]
        assert response.status_code == 200, url
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        # Anything inline would be blocked by the policy and break the page.
        assert not INLINE_SCRIPT.findall(html), url
        assert not EVENT_HANDLER.findall(html), url
        assert not INLINE_STYLE.findall(html), url


@pytest.mark.django_db
def test_the_login_page_carries_the_csp_and_no_inline_script():
    response = Client().get(reverse("admin:login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert not INLINE_SCRIPT.findall(response.content.decode())


@pytest.mark.django_db
def test_a_page_that_uses_the_nonce_gets_it_in_its_policy(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    request = rf.get("/")
    response = CSPMiddleware(view)(request)

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("code", ["400", "403", "404", "500"])
def test_error_pages_say_what_happened_and_nothing_else(code):
    html = render_to_string(f"{code}.html")
    assert "<h1>" in html
    for leak in (
        "Traceback",
        "Django",
        "settings",
        "SECRET",
        "DEBUG",
        str(django_settings.BASE_DIR),
    ):
        assert leak not in html


@pytest.mark.django_db
def test_a_form_refused_by_csrf_gets_a_plain_page_the_csp_allows():
    response = Client(enforce_csrf_checks=True).post(reverse("admin:login"), {"username": "x"})

    html = response.content.decode()
    assert response.status_code == 403
    assert "Form not accepted" in html
    assert "<style" not in html
    assert not INLINE_STYLE.findall(html)


@pytest.mark.django_db
def test_an_unknown_address_gets_the_plain_404_page():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "urlpatterns" not in response.content.decode()


def test_no_secret_is_committed_in_the_repository():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    pattern = re.compile(
        r"(SECRET_KEY|PASSWORD|API_KEY)\s*=\s*['\"][^'\"]{12,}['\"]|BEGIN [A-Z ]*PRIVATE KEY"
    )
    offenders = []
    for name in tracked:
        path = ROOT / name
        # Test users' passwords in tests/ guard nothing.
        if name.startswith("tests/"):
            continue
        if path.suffix in {".py", ".toml", ".cfg", ".ini", ".env", ".yml", ".yaml", ".json"}:
            text = path.read_text(errors="ignore")
            offenders += [
                f"{name}: {m.group(0)[:40]}"
                for m in pattern.finditer(text)
                # The local-run key says what it is and production refuses it.
                if "insecure" not in m.group(0)
            ]
    assert offenders == []
