"""The migration to E.164 rewrites the phones it can read and keeps the others as typed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("patients", "0003_audit_trail_and_data_rights")]
AFTER = [("patients", "0004_phone_numbers_in_e164")]


@pytest.fixture
def old_patients(transactional_db, contraindication_catalogue):
    """Patients as the clinic stored them before: phones exactly as staff typed them."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    Patient = executor.loader.project_state(BEFORE).apps.get_model("patients", "Patient")
    phones = {
        "london": "020 7946 0035",
        "international": "+44 (0)20 7946 0036",
        "abroad": "+1 202-555-0143",
        "already": "+442079460037",
        "too short": "0207 946",
        "not a number": "ring the daughter",
        "none": "",
    }
    ids = {
        label: Patient.objects.create(
            first_name=label, last_name="Old", date_of_birth="1960-01-01", phone=phone
        ).pk
        for label, phone in phones.items()
    }
    yield ids
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def migrate_to_e164() -> dict[int, str]:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, phone FROM patients_patient")
        return dict(cursor.fetchall())


def test_every_phone_that_reads_as_a_valid_number_is_rewritten_in_e164(old_patients):
    stored = migrate_to_e164()

    assert [stored[old_patients[label]] for label in ("london", "international", "abroad")] == [
        "+442079460035",
        "+442079460036",
        "+12025550143",
    ]
    assert stored[old_patients["already"]] == "+442079460037"
    assert stored[old_patients["none"]] == ""


def test_a_phone_that_is_not_a_valid_number_is_kept_as_typed_and_listed(old_patients, capsys):
    stored = migrate_to_e164()

    assert stored[old_patients["too short"]] == "0207 946"
    assert stored[old_patients["not a number"]] == "ring the daughter"
    listed = capsys.readouterr().out
    assert "2 phone number(s) are not valid numbers and were kept as typed" in listed
    assert f"{old_patients['too short']}, {old_patients['not a number']}" in listed
