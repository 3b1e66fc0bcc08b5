"""Widgets drawn as Django draws them, each in one template.

Django draws a select's every option through a template of its own, and an input's
attributes through another: on a visit's page at a chain's scale, 46 ms of a 112 ms
profiled request went on its therapist select. The visit list draws a status, two pain
scores and a hidden id on each of its 50 rows (docs/benchmarks.md). The HTML is the
same, which the tests check against Django's own.
"""

from django import forms
from django.contrib.admin.widgets import AdminIntegerFieldWidget

INPUT_TEMPLATE = "clinic/widgets/input.html"


class OneTemplateSelect(forms.Select):
    template_name = "clinic/widgets/select.html"


class OneTemplateHiddenInput(forms.HiddenInput):
    template_name = INPUT_TEMPLATE


class OneTemplateIntegerInput(AdminIntegerFieldWidget):
    template_name = INPUT_TEMPLATE
