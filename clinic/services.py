"""Writes of the clinic app: what a member of staff chose for themselves."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from clinic.models import StaffPreferences


@transaction.atomic
def staff_language_set(*, user: AbstractBaseUser, language: str) -> StaffPreferences:
    """Set the language ``user`` reads (blank: the clinic's); an unsupported code is
    refused with a ValidationError and nothing is saved."""
    preferences = StaffPreferences.objects.select_for_update().filter(
        user=user
    ).first() or StaffPreferences(user=user)
    preferences.language = language
    preferences.full_clean()
    preferences.save()
    # Whoever holds ``user`` reads the new language, not one cached before.
    user.preferences = preferences
    return preferences
