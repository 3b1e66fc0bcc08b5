"""How the clinic names its staff, on every page, export and message."""

from django import forms
from django.contrib.auth.models import AbstractBaseUser


def staff_name(user: AbstractBaseUser | None) -> str:
    """The staff member's full name, or their login when no name was entered."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


class LongSelect(forms.Select):
    """A select of many options, drawn as Django's is but in one template: Django draws
    each option through a template of its own, and a chain's 160 therapists took a
    visit's page from 40 to 70 ms (docs/benchmarks.md)."""

    template_name = "clinic/widgets/select.html"


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member picked by name, as every page names them."""

    widget = LongSelect

    def label_from_instance(self, user) -> str:
        return staff_name(user)
