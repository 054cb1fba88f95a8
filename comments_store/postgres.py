"""PostgreSQL behind the same surface as sqlite-utils' Database, for blogs served by several API machines.

The stores write one SQL for both databases (placeholders `?` and `:name`, RETURNING, ON CONFLICT,
lower() for case-insensitive matches); what differs stays here: the driver (psycopg 3), placeholders,
the write lock, the schema (migrations_pg.py) and the errors that mean "cannot answer now".
"""
from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .errors import StoreUnavailable

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql://", "postgres://")
# Every write takes this transaction-scoped lock: the stores' rules ("no duplicate within 24 hours",
# "an e-mail's first comment waits", outbox claims) were written for SQLite's one writer at a time.
WRITE_LOCK = 0x626F75636C65  # "boucle"


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(SCHEMES)


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """SQLite-style placeholders to psycopg's: '?' -> %s, ':name' -> %(name)s, and a literal % doubled."""
    sql = sql.replace("%", "%%").replace("?", "%s")
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql)


@contextlib.contextmanager
def unavailable_as_store_error() -> Iterator[None]:
    """A server that is down, restarting or refusing connections is a state of the machine, not of the request."""
    import psycopg  # only SQLite users never pay for it

    try:
        yield
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(str(exc).strip().splitlines()[0] if str(exc).strip() else "PostgreSQL unavailable") \
            from exc


class _Connection:
    """The part of sqlite3.Connection the stores use: transactions and executemany."""

    def __init__(self, raw: "psycopg.Connection"):
        self.raw = raw

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        if self.in_transaction:
            self.raw.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.raw.execute("ROLLBACK")

    def executemany(self, sql: str, rows: Iterable) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(translate(sql), list(rows))


def _execute(raw: "psycopg.Connection", sql: str, params):
    with unavailable_as_store_error():
        if params is None:  # psycopg reads no placeholders then
            return raw.execute(sql)
        return raw.execute(translate(sql), params if isinstance(params, dict) else list(params))


class PostgresDatabase:
    """One connection to PostgreSQL, in autocommit mode: reads see the latest commit, writes go through `write`."""

    dialect = "postgresql"

    def __init__(self, url: str):
        import psycopg

        with unavailable_as_store_error():
            self.raw = psycopg.connect(url, autocommit=True, connect_timeout=10)
        self.url = url
        self.conn = _Connection(self.raw)

    def execute(self, sql: str, params: Iterable | dict | None = None):
        return _execute(self.raw, sql, params)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PostgresDatabase]:
        """A transaction holding the write lock (a savepoint when one is already open)."""
        nested = self.conn.in_transaction
        with unavailable_as_store_error(), self.raw.transaction():
            if not nested:
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
            yield self

    @property
    def broken(self) -> bool:
        """The server closed the connection (restart, failover): it must not be used again."""
        return self.raw.closed or self.raw.broken

    def after_explicit_ids(self, table: str) -> None:
        """Move the table's id sequence past rows inserted with their own ids (an import keeping numbers).

        Never back: numbers handed out before (comments since deleted) stay handed out.
        """
        sequence = self.raw.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()[0]
        last, called = self.raw.execute(f"SELECT last_value, is_called FROM {sequence}").fetchone()
        top = self.raw.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
        self.raw.execute("SELECT setval(%s, %s, false)", [sequence, max(top, last if called else last - 1) + 1])

    def close(self) -> None:
        self.raw.close()
