"""The e-mail a message becomes: rendered in its reader's language, with no health details."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clinic import ics
from clinic.language import staff_language
from messaging import tokens
from messaging.models import Message

# What a lock screen or a shared inbox shows: the clinic's name and neutral words, never
# what the patient is treated for or how they feel (the body says no more either).
SUBJECTS = {
    Message.Kind.REPEAT_COURSE_REMINDER: lambda: _("Time to book your next course"),
    Message.Kind.VISIT_REMINDER: lambda: _("Reminder of your visit"),
    Message.Kind.POST_VISIT_CHECK_IN: lambda: _("A quick question"),
    Message.Kind.END_OF_COURSE_FOLLOW_UP: lambda: _("A quick question"),
    Message.Kind.STAFF_ALERT: lambda: _("A patient's answer needs your attention"),
}


def _absolute(path: str) -> str:
    return settings.CLINIC_SITE_URL + path


def email_for(message: Message) -> EmailMultiAlternatives:
    """The e-mail for a message: first name, clinic, dates and links only, never health
    details (e-mail is not a safe place for them). In the patient's language, or for a
    staff alert its therapist's: subject, text, HTML, dates and the calendar file."""
    with translation.override(reader_language(message)):
        context = {
            "message": message,
            # The templates' "first_name" is how they greet the patient.
            "first_name": message.patient.salutation,
            "clinic_name": settings.CLINIC_NAME,
            "clinic_address": settings.CLINIC_ADDRESS,
        }
        headers = {"Message-ID": message.mail_id, "X-Clinic-Message": str(message.pk)}
        if message.kind == Message.Kind.STAFF_ALERT:
            to = [message.course.therapist.email]
            context["course_url"] = _absolute(
                reverse("admin:courses_course_change", args=[message.course_id])
            )
        else:
            to = [message.patient.email]
            unsubscribe = _absolute(
                reverse(
                    "messaging:unsubscribe",
                    args=[tokens.unsubscribe_token(patient=message.patient)],
                )
            )
            context["unsubscribe_url"] = unsubscribe
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            if message.asks_for_feedback:
                context["feedback_url"] = _absolute(
                    reverse(
                        "messaging:feedback",
                        args=[tokens.feedback_token(message=message)],
                    )
                )
            if message.visit_id:
                context["visit_at"] = timezone.localtime(message.visit.scheduled_at)
        template = f"emails/{message.kind}"
        email = EmailMultiAlternatives(
            subject=f"{SUBJECTS[message.kind]()} — {settings.CLINIC_NAME}",
            body=render_to_string(f"{template}.txt", context),
            to=to,
            headers=headers,
        )
        email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
        if message.kind == Message.Kind.VISIT_REMINDER:
            email.attach("visit.ics", visit_ics(message.visit), "text/calendar")
    return email


def reader_language(message: Message) -> str:
    if message.kind == Message.Kind.STAFF_ALERT:
        return staff_language(user=message.course.therapist)
    return message.patient.effective_language


def visit_ics(visit) -> str:
    """The visit as a calendar event for the patient: the clinic, the place and the
    time, no health details. Published with the same UID for the visit every time, so
    the reminder of a visit that moved updates the event the patient already added."""
    calendar = ics.calendar_new(method="PUBLISH")
    calendar.add_component(
        ics.event_new(
            uid=ics.event_uid("visit", visit.pk),
            starts_at=visit.scheduled_at,
            ends_at=visit.ends_at,
            summary=_("Massage session at %(clinic)s") % {"clinic": settings.CLINIC_NAME},
            location=settings.CLINIC_ADDRESS,
            stamp=timezone.now(),
        )
    )
    return calendar.to_ical().decode()
