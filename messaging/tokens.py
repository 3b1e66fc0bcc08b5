"""Signed, expiring links for patients, who never log in.

A link carries only a signed token: the message and its patient's ids. The salt differs
per purpose, so a feedback link cannot be used to unsubscribe and the other way round.

The payload is readable (base64, not encrypted), so it holds ids and nothing else: no
name, address or health detail. Changing an id breaks the signature; the patient's id is
checked against the message's as well, so even a correctly signed pair that does not
belong together reaches nothing. The signing time inside the token is what expires it.
"""

from django.conf import settings
from django.core import signing

from messaging.models import Message

FEEDBACK = "messaging.feedback"
UNSUBSCRIBE = "messaging.unsubscribe"


class BadLink(Exception):
    """The token is altered, expired, for another purpose or no longer matches."""


def token_for(*, message: Message, purpose: str) -> str:
    return signing.dumps({"m": message.pk, "p": message.patient_id}, salt=purpose, compress=True)


def message_from_token(*, token: str, purpose: str) -> Message:
    # An unsubscribe link keeps working: stopping messages must always be possible,
    # and all it can do is withdraw consent.
    max_age = None if purpose == UNSUBSCRIBE else settings.CLINIC_LINK_MAX_AGE_DAYS * 86400
    try:
        payload = signing.loads(token, salt=purpose, max_age=max_age)
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
