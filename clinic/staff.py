"""How the clinic names its staff, on every page, export and message."""

from django import forms
from django.contrib.auth.models import AbstractBaseUser

from clinic.widgets import OneTemplateSelect


def staff_name(user: AbstractBaseUser | None) -> str:
    """The staff member's full name, or their login when no name was entered."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member picked by name, as every page names them."""

    widget = OneTemplateSelect

    def label_from_instance(self, user) -> str:
        return staff_name(user)
