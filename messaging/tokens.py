"""Signed, expiring links for patients, who never log in.

A feedback link carries only a signed token: the message and its patient's ids. The salt
differs per purpose, so a feedback link cannot be used to unsubscribe and the other way
round. An unsubscribe link names the patient, not a message, so that it works whatever
becomes of the message; it carries the patient's random link key (``Patient.link_key``),
signed, and no id at all. Unsubscribe links sent before named the message and its
patient; they keep working, through the patient id they carry.

The payload is readable (base64, not encrypted), so it holds ids and nothing else: no
name, address or health detail. Changing an id breaks the signature; the patient's id is
checked against the message's as well, so even a correctly signed pair that does not
belong together reaches nothing. The signing time inside the token is what expires it.
"""

from django.conf import settings
from django.core import signing

from messaging.models import Message
from patients.models import Patient

FEEDBACK = "messaging.feedback"
UNSUBSCRIBE = "messaging.unsubscribe"
# Of the links that name the patient. A salt of their own: under the older links' salt, an
# older link would also pass for a plainly signed value.
UNSUBSCRIBE_PATIENT = "messaging.unsubscribe.patient"


class BadLink(Exception):
    """The token is altered, expired, for another purpose or no longer matches."""


def token_for(*, message: Message, purpose: str) -> str:
    return signing.dumps({"m": message.pk, "p": message.patient_id}, salt=purpose, compress=True)


def message_from_token(*, token: str, purpose: str) -> Message:
    try:
        payload = signing.loads(
            token, salt=purpose, max_age=settings.CLINIC_LINK_MAX_AGE_DAYS * 86400
        )
        message_id, patient_id = int(payload["m"]), int(payload["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadLink from None
    message = (
        Message.objects.select_related("patient", "course", "visit")
        .filter(pk=message_id, patient_id=patient_id)
        .first()
    )
    if message is None:
        raise BadLink
    return message


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
