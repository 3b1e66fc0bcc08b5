from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clinic.forms import StaffLanguageForm
from clinic.language import SESSION_KEY, session_language_keep
from clinic.services import staff_language_set


@never_cache
def my_language(request: HttpRequest) -> HttpResponse:
    """A member of staff's own language: the clinic's, or one they choose."""
    form = StaffLanguageForm(
        request.POST or None, initial={"language": request.session.get(SESSION_KEY, "")}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            staff_language_set(user=request.user, language=language)
        except ValidationError as error:
            form.add_error("language", error.message_dict.get("language", error.messages))
        else:
            session_language_keep(request=request, language=language)
            # The confirmation is read on the next page, in the language just chosen.
            with translation.override(language or settings.LANGUAGE_CODE):
                messages.success(request, _("Your pages are now in this language."))
            return HttpResponseRedirect(reverse("my_language"))
    context = {**admin.site.each_context(request), "title": _("My language"), "form": form}
    return render(request, "admin/clinic/my_language.html", context)
