"""The select of many options (clinic.staff.LongSelect) draws Django's select, option for
option, from one template."""

import pytest
from django import forms

from clinic.staff import LongSelect

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


class LongWithOptionAttrs(WithOptionAttrs):
    template_name = LongSelect.template_name


@pytest.mark.parametrize("value", [None, "", 2, 4, [1, 3]])
def test_it_draws_what_djangos_select_draws(value):
    attrs = {"id": "id_therapist", "required": True, "class": "wide"}

    drawn = LongSelect(choices=CHOICES).render("therapist", value, attrs)

    assert drawn == forms.Select(choices=CHOICES).render("therapist", value, attrs)
    assert "&lt;Okafor&gt; &amp; Sons" in drawn


def test_it_draws_the_attributes_of_each_option_as_django_does():
    drawn = LongWithOptionAttrs(choices=CHOICES).render("therapist", 3)

    assert drawn == WithOptionAttrs(choices=CHOICES).render("therapist", 3)
    assert 'selected data-shift="a&lt;3&gt;"' in drawn


def test_it_draws_a_multiple_select_as_django_does():
    class LongMultiple(forms.SelectMultiple):
        template_name = LongSelect.template_name

    drawn = LongMultiple(choices=CHOICES).render("therapists", [1, 4])

    assert drawn == forms.SelectMultiple(choices=CHOICES).render("therapists", [1, 4])
    assert drawn.count(" selected>") == 2
