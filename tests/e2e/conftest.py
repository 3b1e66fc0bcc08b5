"""Headless Chromium against pytest-django's live server.

The browser is Debian's ``chromium`` driven by Debian's ``chromium-driver``; both paths
are given to Selenium so that Selenium Manager never looks for, or downloads, a browser
of its own. Without them the tests skip on a developer's machine and fail in CI, where a
skipped browser test would hide a broken journey.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from clinic.roles import RECEPTION, THERAPIST
from tests.e2e.pages import StaffBrowser
from tests.factories import staff_with_role

CHROMIUM = os.environ.get("CLINIC_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CLINIC_E2E_CHROMEDRIVER", "/usr/bin/chromedriver")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
    "--lang=en-GB",
    "--window-size=1440,900",
    "--hide-scrollbars",
]


PASSWORD = "correct-horse-battery"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def missing_browser() -> str | None:
    missing = [
        path
        for path in (CHROMIUM, CHROMEDRIVER)
        if not (shutil.which(path) or Path(path).exists())
    ]
    if not missing:
        return None
    return (
        f"Browser tests need Debian's chromium and chromium-driver; not found: "
        f"{', '.join(missing)}. Install them with `apt-get install chromium chromium-driver` "
        f"or point CLINIC_E2E_CHROMIUM and CLINIC_E2E_CHROMEDRIVER at them."
    )


def require_browser() -> None:
    """Skip without the browser on a developer's machine; fail in CI."""
    problem = missing_browser()
    if problem:
        if in_ci():
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


@pytest.fixture(scope="session")
def download_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def chromium(tmp_path_factory, live_server, download_dir) -> Iterator[webdriver.Chrome]:
    # Asking for the live server here makes it outlive the browser: the browser's open
    # connections close before the server hands the test database back.
    require_browser()
    # Selenium Manager must stay offline even if something asks it for a driver.
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(download_dir),
            "download.prompt_for_download": False,
        },
    )
    # The console log is where Chromium reports Content-Security-Policy violations.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    # Headless Chromium refuses downloads unless told where they may go.
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)}
    )
    try:
        yield driver
    finally:
        driver.quit()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(request, chromium, live_server, download_dir) -> Iterator[StaffBrowser]:
    """A logged-out browser on the live server, with an empty download folder; cookies
    are cleared after each test.

    Every page the browser loads is checked for Content-Security-Policy violations in
    Chromium's console. When a test fails, the page it was on is kept under
    var/e2e-failures/ (a screenshot and the HTML), so that a failure in CI can be read
    afterwards.
    """
    chromium.delete_all_cookies()
    for download in download_dir.iterdir():
        download.unlink()
    staff_browser = StaffBrowser(chromium, live_server.url, download_dir=download_dir)
    # What earlier tests left in the console is theirs.
    chromium.get_log("browser")
    yield staff_browser
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = Path(settings.VAR_DIR) / "e2e-failures"
        folder.mkdir(parents=True, exist_ok=True)
        chromium.save_screenshot(str(folder / f"{request.node.name}.png"))
        (folder / f"{request.node.name}.html").write_text(chromium.page_source)
    chromium.delete_all_cookies()


@pytest.fixture
def receptionist(transactional_db):
    return staff_with_role(
        RECEPTION, username="reception", first_name="Rosa", last_name="Mendes", password=PASSWORD
    )


@pytest.fixture
def therapist(transactional_db):
    return staff_with_role(
        THERAPIST, username="therapist", first_name="Tomas", last_name="Berg", password=PASSWORD
    )
