"""Opening the database: WAL, a busy timeout, foreign keys, migrations applied."""
from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from . import pg_migrations, postgres
from .errors import StoreUnavailable
from .migrations import migrations

# SQLite's words for "cannot write now" (full disk, read-only file or folder, I/O error, lock held too long):
# each is a state of the machine, not of the request, and clears by itself or by an operator.
_UNAVAILABLE = ("readonly", "read-only", "disk is full", "disk i/o error", "database is locked",
                "unable to open database", "no space left")


@contextlib.contextmanager
def unavailable_as_store_error() -> Iterator[None]:
    """Turn SQLite's "cannot write now" errors into StoreUnavailable; anything else propagates."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if any(words in str(exc).lower() for words in _UNAVAILABLE):
            raise StoreUnavailable(str(exc)) from exc
        raise

BUSY_TIMEOUT_MS = 10_000
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_path() -> str:
    """$BOUCLE_DATABASE_URL (PostgreSQL), else $BOUCLE_DB, else boucle.db in $BOUCLE_INSTANCE (default: instance/)."""
    if os.environ.get("BOUCLE_DATABASE_URL"):
        return os.environ["BOUCLE_DATABASE_URL"]
    instance = os.environ.get("BOUCLE_INSTANCE") or os.path.join(_ROOT, "instance")
    return os.environ.get("BOUCLE_DB") or os.path.join(instance, "boucle.db")


def read_only(path: str | os.PathLike) -> sqlite3.Connection:
    """A connection that cannot change the file at `path` (a backup to check, another system's database)."""
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def is_postgres(db) -> bool:
    return isinstance(db, postgres.PostgresDatabase)


def has_table(db, name: str) -> bool:
    """Whether the database holds the table `name` (another module's tables exist once that module prepared them)."""
    sql = ("SELECT to_regclass(?) IS NOT NULL" if is_postgres(db) else
           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")
    return bool(db.execute(sql, [name]).fetchone()[0])


def open_db(path: str | os.PathLike, *, migrate: bool = True) -> Database:
    """Open (and create) the database at `path` (or a postgresql:// URL), ready for several threads and processes."""
    if postgres.is_url(path):
        db = postgres.PostgresDatabase(path)
        if migrate:
            pg_migrations.migrations.apply(db)
        return db
    path = os.fspath(path)
    if path != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with unavailable_as_store_error():
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db = Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if path != ":memory:" and db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            # Only when not yet set: switching writes to the file, and a full disk must not stop reads.
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            migrations.apply(db)
    return db


@contextlib.contextmanager
def write(db: Database) -> Iterator[Database]:
    """One write transaction, taking the write lock up front.

    BEGIN IMMEDIATE waits (up to the busy timeout) for other writers instead of
    failing half-way with "database is locked" when a read turns into a write.
    """
    if is_postgres(db):
        with db.transaction():
            yield db
        return
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    with unavailable_as_store_error():
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        else:
            db.conn.commit()
