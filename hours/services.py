"""Writes of the hours app: the staff's calendar feed addresses."""

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.staff import staff_name
from hours.models import CalendarFeed


def calendar_feed_renew(*, user: AbstractBaseUser) -> str:
    """Give ``user`` a new secret feed address, replacing any earlier one; returns the
    token, which is stored only as a hash and so can be shown this once."""
    if not (user.is_active and user.is_staff):
        raise ValidationError(
            _("%(name)s is not active staff: only staff have a calendar feed.")
            % {"name": staff_name(user)}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.update_or_create(
            user=user,
            defaults={"token_hash": CalendarFeed.hash_token(token), "created_at": timezone.now()},
        )
    return token


def calendar_feed_revoke(*, user: AbstractBaseUser) -> bool:
    """Stop ``user``'s feed address working; False if they had none."""
    with transaction.atomic():
        feed = CalendarFeed.objects.filter(user=user).first()
        if feed is None:
            return False
        # One by one, so the audit trail records who revoked it.
        feed.delete()
    return True
