"""The catalogue of contraindications (docs/clinic-rules.md, "Contraindications").

Kept in a migration so every database, including the test one, has the whole list, named
in the clinic's language (``patients/catalogue.py``). Staff may add to it in the admin;
re-running only fills in what is missing.
"""

from django.db import migrations

from patients.catalogue import CODES, contraindications_seed


def seed(apps, schema_editor):
    contraindications_seed(model=apps.get_model("patients", "Contraindication"))


def unseed(apps, schema_editor):
    Contraindication = apps.get_model("patients", "Contraindication")
    Contraindication.objects.filter(code__in=CODES, records__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
