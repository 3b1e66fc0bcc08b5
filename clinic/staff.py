"""How the clinic names its staff, on every page, export and message."""

from django.contrib.auth.models import AbstractBaseUser


def staff_name(user: AbstractBaseUser | None) -> str:
    """The staff member's full name, or their login when no name was entered."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
