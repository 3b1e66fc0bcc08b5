from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def language_choices() -> list[tuple[str, str]]:
    """The languages offered, each named in itself, and blank for the clinic's."""
    # Named as LANGUAGES names it, like the other choices ("English", not Django's
    # "British English").
    clinic = dict(settings.LANGUAGES)[settings.LANGUAGE_CODE]
    following = pgettext_lazy("language", "The clinic's (%(language)s)") % {"language": clinic}
    return [("", following), *settings.LANGUAGES]


class StaffLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=language_choices, required=False)


class LanguageChoicesMixin:
    """An admin whose ``language`` field names its blank choice as the clinic's language
    (e.g. "The clinic's (English)") instead of Django's dashes, since blank is a choice
    here: it follows the clinic."""

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "language":
            kwargs["choices"] = language_choices()
        return super().formfield_for_choice_field(db_field, request, **kwargs)
