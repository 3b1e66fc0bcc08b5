"""Pages for patients, reached only through signed links in their messages.

Every response, error pages included, is marked ``Cache-Control: no-store, private``
(``never_cache``): a shared computer's browser, or a proxy between the patient and the
clinic, keeps no copy of a page about someone's treatment.
"""

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from messaging import services, tokens
from messaging.forms import FeedbackForm, UnsubscribeForm
from patients.models import ConsentChange
from patients.services import patient_set_reminders_consent, patient_stop_repeat_reminders


def _bad_link(request: HttpRequest) -> HttpResponse:
    # Says nothing about whose link it was or why it failed: no patient data.
    return render(request, "messaging/bad_link.html", status=400)


def _too_many_attempts(request: HttpRequest, until: dt.datetime) -> HttpResponse:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    response = render(
        request,
        "messaging/too_many_attempts.html",
        {"minutes": math.ceil(seconds / 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _already_answered(request: HttpRequest) -> HttpResponse:
    return render(request, "messaging/feedback_thanks.html", {"already": True})


@never_cache
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, token: str) -> HttpResponse:
    try:
        message = tokens.message_from_feedback_token(token=token)
    except tokens.BadLink:
        return _bad_link(request)
    # A patient who asked to be forgotten has no answers to give through old links.
    if not message.asks_for_feedback or message.patient.anonymised_at is not None:
        return _bad_link(request)
    if request.method == "POST":
        # Counted before anything else, so that neither bad input nor replays of an
        # answered form can be posted without limit.
        until = services.answer_attempt_register(message=message)
        if until is not None:
            return _too_many_attempts(request, until)
    if hasattr(message, "answer"):
        return _already_answered(request)
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
            return _already_answered(request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "messaging/feedback_thanks.html", {"already": False})
    return render(
        request,
        "messaging/feedback.html",
        {"form": form, "first_name": message.patient.salutation},
    )


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
        return render(
            request,
            "messaging/unsubscribed.html",
            {"scope": ConsentChange.Scope.ALL, "already": True},
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
        return render(
            request, "messaging/unsubscribed.html", {"scope": scope, "already": not changed}
        )
    return render(
        request,
        "messaging/unsubscribe.html",
        {"form": form, "repeat_stopped": not patient.repeat_reminders_consent},
    )
