"""One store connection per request, on `g`, taken from a small per-process pool and given back at the end.

Opening a SQLite connection (and setting its pragmas) costs more than a thread
read itself, so connections are reused; a request never sees another's
transaction, since every write commits or rolls back before it returns.
"""
from __future__ import annotations

import queue

import click
from flask import Flask, current_app, g
from sqlite_utils import Database

import comments_store

POOL_SIZE = 16  # idle connections kept per process; more are opened when needed, and closed after


def borrow(app: Flask) -> Database:
    """A connection from the pool, or a new one when none is idle (also for code outside a request)."""
    try:
        return app.extensions["boucle_db_pool"].get_nowait()
    except queue.Empty:
        return comments_store.open_db(app.config["DB_PATH"], migrate=False)


def give_back(app: Flask, db: Database) -> None:
    if getattr(db, "broken", False):  # PostgreSQL restarted under it: the next request opens a new one
        db.close()
        return
    if db.conn.in_transaction:  # never hand on a transaction left open by an error
        db.conn.rollback()
    try:
        app.extensions["boucle_db_pool"].put_nowait(db)
    except queue.Full:
        db.close()


def get_db() -> Database:
    if "db" not in g:
        g.db = borrow(current_app)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        give_back(current_app, db)


@click.command("init-db")
def init_db_command() -> None:
    """Create or migrate the comment database."""
    comments_store.open_db(current_app.config["DB_PATH"]).close()
    click.echo(f"Base prête : {current_app.config['DB_PATH']}")


def init_app(app: Flask) -> None:
    # Migrate once at start-up, not on every request. That connection then stays open, idle, for the life of
    # the process: SQLite deletes the WAL index (-shm) when the last connection closes, and a request that had
    # to create it again on a full or read-only disk could not even read.
    app.extensions["boucle_db_keeper"] = comments_store.open_db(app.config["DB_PATH"])
    app.extensions["boucle_db_pool"] = queue.LifoQueue(maxsize=POOL_SIZE)
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)


def close_all(app: Flask) -> None:
    """Close the process's idle connections and the keeper (at shutdown; tests do it for every app)."""
    pool = app.extensions["boucle_db_pool"]
    while True:
        try:
            pool.get_nowait().close()
        except queue.Empty:
            break
    app.extensions["boucle_db_keeper"].close()
