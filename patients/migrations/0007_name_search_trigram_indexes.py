"""On PostgreSQL the staff's searches by name, phone and e-mail use trigram indexes.

The admin's search looks for each word anywhere in a field (``UPPER(field::text) LIKE
UPPER('%word%')``), which no B-tree index serves: without these indexes every search
reads every patient, and the patient, course, visit and contraindication lists grow with
the clinic. Each index is on the very expression Django's ``icontains`` writes, so the
planner can use it. SQLite has no trigram indexes; a small clinic's table is read whole
there in a few milliseconds.
"""

from django.db import migrations

FIELDS = ["first_name", "last_name", "patronymic", "phone", "email"]


def index_name(field: str) -> str:
    return f"patients_patient_{field}_trgm"


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for field in FIELDS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index_name(field)} ON patients_patient "
            f"USING gin (UPPER({field}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for field in FIELDS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(field)}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0006_patronymic_and_language")]

    operations = [migrations.RunPython(add_indexes, drop_indexes, elidable=False)]
