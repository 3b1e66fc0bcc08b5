"""The migration that gives messages their link keys gives each existing message one of
its own, so that every message can be named in a link without its id."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("messaging", "0006_message_may_have_arrived")]
AFTER = [("messaging", "0007_message_link_key")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.fixture
def messages_sent_before(transactional_db, contraindication_catalogue):
    from tests.factories import MessageFactory

    ids = [MessageFactory().pk for _ in range(5)]
    # Undoing the migration drops the column and keeps the rows: messages as they were.
    _migrate(BEFORE)
    yield ids
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_every_existing_message_gets_a_random_key_of_its_own(messages_sent_before):
    _migrate(AFTER)

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, link_key FROM messaging_message")
        keys = dict(cursor.fetchall())
    assert sorted(keys) == sorted(messages_sent_before)
    assert len(set(keys.values())) == len(keys)
    assert all(key and len(key) >= 22 for key in keys.values())
