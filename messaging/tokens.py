"""Signed, expiring links for patients, who never log in.

A link carries only a signed random key, never an id: the message's ``Message.link_key``
in a feedback link, the patient's ``Patient.link_key`` in an unsubscribe link. Links end
up in access logs, browser histories and mail scanners, and a key tells none of them
which message or patient it names, or how many there are. The salt differs per purpose,
so a feedback link cannot be used to unsubscribe and the other way round. The signing
time inside a feedback link is what expires it; an unsubscribe link never expires.

Links sent before carried the message's and its patient's ids, signed (readable base64,
not encrypted). They keep working: a feedback link while it is young enough and its
message exists, an unsubscribe link through the patient id alone, so whatever becomes of
the message. The patient's id is checked against the message's as well, so even a
correctly signed pair that does not belong together reaches nothing.
"""

from django.conf import settings
from django.core import signing

from messaging.models import Message
from patients.models import Patient

# Of the feedback links that carried ids (sent before the links carried keys).
FEEDBACK = "messaging.feedback"
FEEDBACK_KEY = "messaging.feedback.key"
UNSUBSCRIBE = "messaging.unsubscribe"
# Of the links that name the patient. A salt of their own: under the older links' salt, an
# older link would also pass for a plainly signed value.
UNSUBSCRIBE_PATIENT = "messaging.unsubscribe.patient"


class BadLink(Exception):
    """The token is altered, expired, for another purpose or no longer matches."""


def _link_max_age() -> int:
    return settings.CLINIC_LINK_MAX_AGE_DAYS * 86400


def feedback_token(*, message: Message) -> str:
    return signing.TimestampSigner(salt=FEEDBACK_KEY).sign(message.link_key)


def message_from_feedback_token(*, token: str) -> Message:
    """The message a feedback link names; BadLink if the link is altered, expired, for
    another purpose or its message is gone."""
    messages = Message.objects.select_related("patient", "course", "visit")
    try:
        key = signing.TimestampSigner(salt=FEEDBACK_KEY).unsign(token, max_age=_link_max_age())
    except (signing.SignatureExpired, ValueError):
        # Expired, or signed under this salt without a time: refused, never tried as the
        # older form.
        raise BadLink from None
    except signing.BadSignature:
        message = _message_from_ids_token(token, messages)
    else:
        message = messages.filter(link_key=key).first()
    if message is None:
        raise BadLink
    return message


def _message_from_ids_token(token: str, messages) -> Message | None:
    """A feedback link sent before links carried keys: the message's and patient's ids."""
    try:
        payload = signing.loads(token, salt=FEEDBACK, max_age=_link_max_age())
        message_id, patient_id = int(payload["m"]), int(payload["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise BadLink from None
    return messages.filter(pk=message_id, patient_id=patient_id).first()


def unsubscribe_token(*, patient: Patient) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_PATIENT).sign(patient.link_key)


def patient_from_unsubscribe_token(*, token: str) -> Patient:
    """The patient an unsubscribe link names; BadLink if none (or one anonymised)."""
    patients = Patient.objects.filter(anonymised_at__isnull=True)
    try:
        key = signing.Signer(salt=UNSUBSCRIBE_PATIENT).unsign(token)
    except signing.BadSignature:
        # A link sent before links named the patient: signed message and patient ids.
        # Only the patient's id is needed, so it works after the message is deleted. It
        # never expires: stopping messages must always be possible, and all it can do
        # is withdraw consent.
        try:
            patient_id = int(signing.loads(token, salt=UNSUBSCRIBE)["p"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise BadLink from None
        patient = patients.filter(pk=patient_id).first()
    else:
        patient = patients.filter(link_key=key).first()
    if patient is None:
        raise BadLink
    return patient
