"""The numbers a database has handed out for a table's ids: never handed out again, whatever was deleted since.

SQLite keeps them in `sqlite_sequence` (tables with AUTOINCREMENT, migration 0008), PostgreSQL in the
identity column's sequence; an import, a transfer and a restore carry them so that a permalink, a feed entry
or an e-mailed link never comes to name another reader's comment.
"""
from __future__ import annotations

from .db import is_postgres


def handed_out(db, table: str = "comments") -> int:
    """The largest id `table` has ever been given (rows deleted since included)."""
    top = db.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
    if is_postgres(db):
        sequence = db.execute("SELECT pg_get_serial_sequence(?, 'id')", [table]).fetchone()[0]
        last, called = db.execute(f"SELECT last_value, is_called FROM {sequence}").fetchone()
        return max(top, last if called else last - 1)
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        return top
    row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [table]).fetchone()
    return max(top, row[0] if row else 0)


def next_after(db, table: str, number: int) -> None:
    """Make `table`'s next id come after `number` (and after every id it handed out itself)."""
    if is_postgres(db):
        sequence = db.execute("SELECT pg_get_serial_sequence(?, 'id')", [table]).fetchone()[0]
        db.execute("SELECT setval(?, ?, false)", [sequence, max(number, handed_out(db, table)) + 1])
        return
    if not db.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", [number, table]).rowcount:
        db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, number])
