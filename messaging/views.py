"""Pages for patients, reached only through signed links in their messages.

Every response, error pages included, is marked ``Cache-Control: no-store, private``
(``never_cache``): a shared computer's browser, or a proxy between the patient and the
clinic, keeps no copy of a page about someone's treatment.

A page is in its patient's language, and offers the others: choosing one there makes it
the patient's language for their later pages and e-mails too. A page that knows no
patient (a bad link) is in the clinic's language. The services run in the language the
request came in, so what they store for staff (reasons, history) stays in the clinic's.
"""

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from messaging import services, tokens
from messaging.forms import FeedbackForm, PatientLanguageForm, UnsubscribeForm
from messaging.models import Message
from patients.models import ConsentChange, Patient
from patients.services import (
    patient_language_set,
    patient_set_reminders_consent,
    patient_stop_repeat_reminders,
)


def _patient_page(
    request: HttpRequest,
    patient: Patient,
    template: str,
    context: dict | None = None,
    *,
    link: tuple[str, str],
    status: int = 200,
) -> HttpResponse:
    """``template`` in the patient's language, with the switch to another. ``link`` is
    the page's URL name and token, where the switch comes back to."""
    page, token = link
    with translation.override(patient.effective_language):
        return render(
            request,
            template,
            {
                **(context or {}),
                "language_switch_url": reverse(f"messaging:{page}_language", args=[token]),
                # Each named in itself, untranslated: whoever cannot read this page must
                # still find their own language.
                "languages": settings.LANGUAGES,
            },
            status=status,
        )


def _bad_link(request: HttpRequest) -> HttpResponse:
    # Says nothing about whose link it was or why it failed: no patient data, and so
    # not the patient's language either.
    with translation.override(settings.LANGUAGE_CODE):
        return render(request, "messaging/bad_link.html", status=400)


def _too_many_attempts(request: HttpRequest, until: dt.datetime) -> HttpResponse:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    with translation.override(settings.LANGUAGE_CODE):
        response = render(
            request,
            "messaging/too_many_attempts.html",
            {"minutes": math.ceil(seconds / 60)},
            status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


def _already_answered(request: HttpRequest, patient: Patient, token: str) -> HttpResponse:
    return _patient_page(
        request,
        patient,
        "messaging/feedback_thanks.html",
        {"already": True},
        link=("feedback", token),
    )


def _language_switch(
    request: HttpRequest, patient: Patient, link: tuple[str, str]
) -> HttpResponse:
    """Make the chosen language the patient's, then show their page again in it."""
    form = PatientLanguageForm(request.POST)
    if not form.is_valid():
        return _patient_page(
            request,
            patient,
            "messaging/language_refused.html",
            {"form": form, "page_url": reverse(f"messaging:{link[0]}", args=[link[1]])},
            link=link,
            status=400,
        )
    patient_language_set(patient=patient, language=form.cleaned_data["language"])
    page, token = link
    return redirect(f"messaging:{page}", token)


def _answering_message(token: str) -> Message:
    """The message a feedback link names, while it may still be answered."""
    message = tokens.message_from_feedback_token(token=token)
    # A patient who asked to be forgotten has no answers to give through old links.
    if not message.asks_for_feedback or message.patient.anonymised_at is not None:
        raise tokens.BadLink
    return message


@never_cache
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    try:
        message = _answering_message(token)
    except tokens.BadLink:
        return _bad_link(request)
    if request.method == "POST":
        # Counted before anything else, so that neither bad input nor replays of an
        # answered form can be posted without limit.
        until = services.answer_attempt_register(message=message)
        if until is not None:
            return _too_many_attempts(request, until)
    if hasattr(message, "answer"):
        return _already_answered(request, message.patient, token)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(
                message=message,
                pain=form.cleaned_data["pain"],
                comment=form.cleaned_data["comment"],
            )
        except services.AlreadyAnswered:
            # A double click: the first request stored the answer while this one waited.
            return _already_answered(request, message.patient, token)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _patient_page(
                request,
                message.patient,
                "messaging/feedback_thanks.html",
                {"already": False},
                link=("feedback", token),
            )
    return _patient_page(
        request,
        message.patient,
        "messaging/feedback.html",
        {"form": form, "first_name": message.patient.salutation},
        link=("feedback", token),
    )


@never_cache
@require_POST
def feedback_language(request: HttpRequest, token: str) -> HttpResponse:
    try:
        message = _answering_message(token)
    except tokens.BadLink:
        return _bad_link(request)
    return _language_switch(request, message.patient, ("feedback", token))


# One-click unsubscribe (RFC 8058) posts from the mail client without a CSRF token; the
# signed token is the proof. A GET only shows the choice, so link scanners change nothing.
@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        patient = tokens.patient_from_unsubscribe_token(token=token)
    except tokens.BadLink:
        return _bad_link(request)
    if not patient.reminders_consent:
        return _patient_page(
            request,
            patient,
            "messaging/unsubscribed.html",
            {"scope": ConsentChange.Scope.ALL, "already": True},
            link=("unsubscribe", token),
        )
    # Bound on every POST: a one-click request carries no choice and means everything.
    form = UnsubscribeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        if scope == ConsentChange.Scope.REPEAT_COURSE_REMINDERS:
            changed = patient_stop_repeat_reminders(
                patient=patient, source=ConsentChange.Source.PATIENT_LINK
            )
        else:
            changed = patient_set_reminders_consent(
                patient=patient, given=False, source=ConsentChange.Source.PATIENT_LINK
            )
        return _patient_page(
            request,
            patient,
            "messaging/unsubscribed.html",
            {"scope": scope, "already": not changed},
            link=("unsubscribe", token),
        )
    return _patient_page(
        request,
        patient,
        "messaging/unsubscribe.html",
        {"form": form, "repeat_stopped": not patient.repeat_reminders_consent},
        link=("unsubscribe", token),
    )


# Unlike the one-click unsubscribe, only a page posts here, with its CSRF token.
@never_cache
@require_POST
def unsubscribe_language(request: HttpRequest, token: str) -> HttpResponse:
    try:
        patient = tokens.patient_from_unsubscribe_token(token=token)
    except tokens.BadLink:
        return _bad_link(request)
    return _language_switch(request, patient, ("unsubscribe", token))
