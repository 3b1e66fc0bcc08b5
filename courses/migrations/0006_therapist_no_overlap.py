"""On PostgreSQL the database itself refuses two overlapping bookings of one therapist,
so two staff booking the same slot at the same moment cannot both win. Deferrable, so
that one save may swap two sessions' slots (``courses.services.writes.visits_save``
checks it once its rows are in place). SQLite has no exclusion constraints: there the
booking service checks under the database's write lock (docs/clinic-rules.md, "The
diary")."""

from django.db import migrations

CONSTRAINT = "visit_therapist_no_overlap"
BOOKED = "('scheduled', 'done')"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, b.id, a.therapist_id, a.scheduled_at, b.scheduled_at
            FROM courses_visit a JOIN courses_visit b
              ON a.therapist_id = b.therapist_id AND a.id < b.id
             AND a.scheduled_at < b.ends_at AND b.scheduled_at < a.ends_at
            WHERE a.status IN {BOOKED} AND b.status IN {BOOKED}
            ORDER BY a.scheduled_at LIMIT 50
            """
        )
        clashes = cursor.fetchall()
    if clashes:
        lines = "\n".join(
            f"  visits {a} and {b}: therapist {t}, {start_a:%Y-%m-%d %H:%M} and "
            f"{start_b:%Y-%m-%d %H:%M}"
            for a, b, t, start_a, start_b in clashes
        )
        raise RuntimeError(
            "These visits book one therapist twice at the same time (up to 50 shown). "
            "Move or cancel one of each pair, then run the migrations again:\n" + lines
        )
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE courses_visit ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        f"(therapist_id WITH =, tstzrange(scheduled_at, ends_at) WITH &&) "
        f"WHERE (status IN {BOOKED}) DEFERRABLE INITIALLY IMMEDIATE"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE courses_visit DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_diary_bookings_required")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
