"""Moving a whole blog between databases (SQLite to PostgreSQL, or back): every row of every table, ids kept."""
from __future__ import annotations

from collections.abc import Sequence

from .db import is_postgres, write
from .errors import StoreError
from .sequences import handed_out, next_after

# The comment store's tables, parents before children; feedback/store.py lists its own.
TABLES = ("threads", "comments", "outbox", "outbox_about", "leases", "comment_edits", "proven_addresses", "store_keys",
          "reader_links", "reader_requests", "reply_subscriptions", "reply_notices")
_BATCH = 2000


class TransferError(StoreError):
    """The target cannot receive this database (it already holds comments, or lacks a table)."""

    code = "transfer_refused"


def columns(db, table: str) -> list[str]:
    if is_postgres(db):
        rows = db.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                          "AND table_name = ? ORDER BY ordinal_position", [table])
        return [r[0] for r in rows]
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def copy_all(source, target, tables: Sequence[str]) -> dict[str, int]:
    """Copy `tables` from `source` into the empty, migrated `target` in one transaction; rows per table."""
    for table in tables:
        if not columns(target, table):
            raise TransferError(f"la base cible n'a pas de table {table} (migrations non appliquées ?)")
        if target.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            raise TransferError(f"la base cible n'est pas vide (table {table}) : rien n'a été copié")
    counts = {}
    with write(target):
        for table in tables:
            names = [c for c in columns(source, table) if c in set(columns(target, table))]
            listed = ", ".join(names)
            insert = f"INSERT INTO {table} ({listed}) VALUES ({', '.join('?' for _ in names)})"
            order = "id" if "id" in names else names[0]
            cursor, counts[table] = source.execute(f"SELECT {listed} FROM {table} ORDER BY {order}"), 0
            while batch := cursor.fetchmany(_BATCH):
                target.conn.executemany(insert, [list(r) for r in batch])
                counts[table] += len(batch)
            if is_postgres(target) and "id" in names:
                target.after_explicit_ids(table)
            if table == "comments":  # numbers the source gave to comments deleted since stay given
                next_after(target, table, handed_out(source, table))
    return counts
