"""Whose language a page or an e-mail is in.

Staff read the clinic's ``LANGUAGE_CODE`` unless they chose another for themselves
(``StaffPreferences.language``); a patient reads their own (``Patient.language``, blank
for the clinic's). A browser's Accept-Language never chooses: it would also choose the
date formats staff type in (see the settings).

A member of staff's choice is read once, when they sign in, and kept in their session,
so that no page pays a query for it; changing it on their own preferences page updates
the session at once, a change made by someone else counts from their next sign-in.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from clinic.models import StaffPreferences

SESSION_KEY = "clinic_language"


def supported(code: str) -> bool:
    return code in {known for known, _name in settings.LANGUAGES}


def staff_language_chosen(*, user: AbstractBaseUser) -> str:
    """The language ``user`` chose; blank when they follow the clinic's. No query when
    ``user`` was read with ``select_related("preferences")``."""
    try:
        return user.preferences.language
    except StaffPreferences.DoesNotExist:
        return ""


def staff_language(*, user: AbstractBaseUser) -> str:
    """The language ``user`` reads: the one they chose, or the clinic's."""
    chosen = staff_language_chosen(user=user)
    return chosen if supported(chosen) else settings.LANGUAGE_CODE


def session_language_keep(*, request: HttpRequest, language: str) -> None:
    """Remember ``language`` (blank: the clinic's) for the rest of this sign-in."""
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


def session_language_at_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    # Read afresh, not through a user object that may have cached an older choice.
    chosen = StaffPreferences.objects.filter(user=user).values_list("language", flat=True).first()
    session_language_keep(request=request, language=chosen or "")


class StaffLanguageMiddleware:
    """Activates the session's language, or the clinic's, for each request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # A request without a session cookie (a patient, the sign-in page) reads nothing.
        chosen = session.get(SESSION_KEY, "") if session is not None else ""
        language = chosen if supported(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # A streamed export goes on rendering after this returns, in this language;
        # anything else leaves the thread as it found it.
        if not response.streaming:
            translation.deactivate()
        return response
