"""The seeded contraindications named in the clinic's language.

A clinic made before the catalogue was translated has the English names; one whose
``LANGUAGE_CODE`` is another language gets them renamed here, except those staff have
changed (``patients.catalogue.contraindications_rename``). A clinic that changes its
language later runs ``manage.py rename_contraindications``.
"""

from django.db import migrations

from patients.catalogue import contraindications_rename


def rename(apps, schema_editor):
    contraindications_rename(model=apps.get_model("patients", "Contraindication"))


class Migration(migrations.Migration):
    dependencies = [("patients", "0007_name_search_trigram_indexes")]

    # Going back leaves the names: the older code reads them as well as any staff wrote.
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
