"""The widgets drawn in one template (clinic.widgets) draw what Django's draw, byte for
byte."""

import pytest
from django import forms
from django.contrib.admin.widgets import AdminIntegerFieldWidget

from clinic.widgets import OneTemplateHiddenInput, OneTemplateIntegerInput, OneTemplateSelect

CHOICES = [
    ("", "---------"),
    (1, "Anna Kowalska"),
    (2, 'Ben "Ben" <Okafor> & Sons'),
    ("Morning", [(3, "Chloe Martin"), (4, "Дмитрий Соколов")]),
]


class WithOptionAttrs(forms.Select):
    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"].update({"data-shift": f"a<{option['value']}>", "disabled": False})
        return option


class OneTemplateWithOptionAttrs(WithOptionAttrs):
    template_name = OneTemplateSelect.template_name


@pytest.mark.parametrize("value", [None, "", 2, 4, [1, 3]])
def test_it_draws_what_djangos_select_draws(value):
    attrs = {"id": "id_therapist", "required": True, "class": "wide"}

    drawn = OneTemplateSelect(choices=CHOICES).render("therapist", value, attrs)

    assert drawn == forms.Select(choices=CHOICES).render("therapist", value, attrs)
    assert "&lt;Okafor&gt; &amp; Sons" in drawn


def test_it_draws_the_attributes_of_each_option_as_django_does():
    drawn = OneTemplateWithOptionAttrs(choices=CHOICES).render("therapist", 3)

    assert drawn == WithOptionAttrs(choices=CHOICES).render("therapist", 3)
    assert 'selected data-shift="a&lt;3&gt;"' in drawn


def test_it_draws_a_multiple_select_as_django_does():
    class OneTemplateMultiple(forms.SelectMultiple):
        template_name = OneTemplateSelect.template_name

    drawn = OneTemplateMultiple(choices=CHOICES).render("therapists", [1, 4])

    assert drawn == forms.SelectMultiple(choices=CHOICES).render("therapists", [1, 4])
    assert drawn.count(" selected>") == 2


@pytest.mark.parametrize("value", [None, "", 0, 7, "<b>"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_form-3-pain_before", "required": True, "disabled": False, "min": 0}],
)
@pytest.mark.parametrize(
    ("ours", "djangos"),
    [
        (OneTemplateIntegerInput, AdminIntegerFieldWidget),
        (OneTemplateHiddenInput, forms.HiddenInput),
    ],
)
def test_its_inputs_draw_what_djangos_draw(ours, djangos, value, attrs):
    drawn = ours().render("form-3-pain_before", value, attrs)

    assert drawn == djangos().render("form-3-pain_before", value, attrs)
    assert "<b>" not in drawn
