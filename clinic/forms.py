from django import forms
from django.conf import settings
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _


def language_choices() -> list[tuple[str, str]]:
    """The languages offered, each named in itself, and blank for the clinic's."""
    clinic = get_language_info(settings.LANGUAGE_CODE)["name_local"]
    following = pgettext_lazy("language", "The clinic's (%(language)s)") % {"language": clinic}
    return [("", following), *settings.LANGUAGES]


class StaffLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=language_choices, required=False)
