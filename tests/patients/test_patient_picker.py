import pytest
from django.urls import reverse

from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_patient_picker_lists_patients_by_name_page_after_page(admin_client):
    for last_name in ["Young", "Abbott", "Moss", "Clarke", "Baker"] * 5:
        PatientFactory(last_name=last_name)

    names = []
    for page in (1, 2):
        response = admin_client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "courses",
                "model_name": "course",
                "field_name": "patient",
                "page": page,
            },
        )
        names += [result["text"].split()[-1] for result in response.json()["results"]]

    assert names == sorted(names)
    assert len(names) == 25
