"""The journeys' check for Content-Security-Policy violations catches a real one."""

import pytest
from django.urls import reverse

from tests.e2e.pages import ContentSecurityPolicyViolation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_resource_the_policy_refuses_fails_the_page_check(browser):
    browser.open(reverse("admin:login"))
    browser.check_content_security_policy()

    # An image from another origin: img-src allows only the site itself and data: URIs.
    browser.driver.execute_script(
        "const image = document.createElement('img');"
        "image.src = 'http://192.0.2.1/tracker.png';"
        "document.body.appendChild(image);"
    )

    def violation_reported(_driver) -> str | None:
        try:
            browser.check_content_security_policy()
        except ContentSecurityPolicyViolation as violation:
            return str(violation)
        return None

    # Chromium logs the refusal as it happens; give it the page's usual wait.
    assert "img-src" in browser.wait(violation_reported)
