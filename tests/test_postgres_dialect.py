"""What differs on PostgreSQL stays in a few places: placeholders, the schema, the errors."""
from __future__ import annotations

import pytest

from comments_store import StoreUnavailable, migrations, open_db, pg_migrations
from comments_store.postgres import is_url, translate
from feedback import migrations as feedback_migrations
from feedback import pg_migrations as feedback_pg_migrations


def test_both_databases_have_the_same_named_migrations_in_the_same_order():
    assert pg_migrations.migrations.names() == migrations.names()
    assert feedback_pg_migrations.migrations.names() == feedback_migrations.names()


@pytest.mark.parametrize("sql, expected", [
    ("SELECT 1 FROM t WHERE a = ? AND b = ?", "SELECT 1 FROM t WHERE a = %s AND b = %s"),
    ("INSERT INTO t (a) VALUES (:slug)", "INSERT INTO t (a) VALUES (%(slug)s)"),
    ("SELECT x::text FROM t WHERE y LIKE ?", "SELECT x::text FROM t WHERE y LIKE %s"),
    ("SELECT '50%' || ?", "SELECT '50%%' || %s"),
    ("WHERE created_at >= '2026-01-01T00:00:00Z'", "WHERE created_at >= '2026-01-01T00:00:00Z'"),
])
def test_placeholders_are_translated_for_psycopg(sql, expected):
    assert translate(sql) == expected


@pytest.mark.parametrize("location, expected", [("postgresql://u@h/db", True), ("postgres://h/db", True),
                                                ("instance/boucle.db", False), ("/srv/postgresql.db", False)])
def test_a_url_chooses_postgresql(location, expected):
    assert is_url(location) is expected


def test_a_server_that_does_not_answer_is_store_unavailable():
    """The API turns this into 503 with Retry-After, as for a full disk on SQLite."""
    with pytest.raises(StoreUnavailable):
        open_db("postgresql://nobody@127.0.0.1:1/boucle")
