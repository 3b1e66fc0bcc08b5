"""Whether the browser tests skip or fail when Chromium is missing."""

import pytest

from tests.e2e import conftest


@pytest.fixture
def no_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "CHROMIUM", str(tmp_path / "no-chromium"))


def test_browser_tests_skip_with_the_reason_when_chromium_is_missing_outside_ci(
    no_chromium, monkeypatch
):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium chromium-driver"):
        conftest.require_browser()


def test_browser_tests_fail_when_chromium_is_missing_in_ci(no_chromium, monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="no-chromium"):
        conftest.require_browser()


def test_browser_tests_run_when_chromium_and_its_driver_are_there(monkeypatch, tmp_path):
    for name in ("chromium", "chromedriver"):
        (tmp_path / name).touch()
    monkeypatch.setattr(conftest, "CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setattr(conftest, "CHROMEDRIVER", str(tmp_path / "chromedriver"))
    monkeypatch.setenv("CI", "true")

    conftest.require_browser()
