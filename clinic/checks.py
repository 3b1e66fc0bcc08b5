"""System checks of the clinic's own settings (Django's checks framework)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url_is_https(app_configs, **kwargs) -> list[Warning]:
    """Links in e-mails carry the patient's signed token: over plain HTTP anyone on the
    way could read it and answer or unsubscribe in the patient's name."""
    if settings.DEBUG or urlsplit(settings.CLINIC_SITE_URL).scheme == "https":
        return []
    return [
        Warning(
            f"CLINIC_SITE_URL is {settings.CLINIC_SITE_URL!r}: the links in patients' "
            "e-mails would not use HTTPS.",
            hint="Set CLINIC_SITE_URL to the site's public https:// address.",
            id="clinic.W001",
        )
    ]
