from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def language_field(*, help_text: str) -> models.CharField:
    """A language someone reads, one of LANGUAGES; blank follows the clinic's
    LANGUAGE_CODE, so that a clinic that changes its language takes along everyone who
    never chose one."""
    return models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=help_text,
    )


class StaffPreferences(models.Model):
    """What a member of staff chose for themselves: for now, the language of their pages
    and of the alerts e-mailed to them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    language = language_field(
        help_text=_("The language of this person's pages and alerts; blank: the clinic's.")
    )

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return str(_("Preferences of %(user)s") % {"user": self.user.get_username()})
