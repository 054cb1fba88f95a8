"""One store connection per request, on `g`, closed when the request ends."""
from __future__ import annotations

import click
from flask import Flask, current_app, g
from sqlite_utils import Database

import comments_store


def get_db() -> Database:
    if "db" not in g:
        g.db = comments_store.open_db(current_app.config["DB_PATH"], migrate=False)
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


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
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
