"""Widgets the clinic's pages draw often enough for their cost to show."""

from django import forms


class OneTemplateSelect(forms.Select):
    """A select drawn as Django draws it, but in one template: Django draws each option
    through a template of its own. A chain's 160 therapists took a visit's page from 40
    to 60 ms; the visit list draws 50 rows of four statuses (docs/benchmarks.md)."""

    template_name = "clinic/widgets/select.html"
