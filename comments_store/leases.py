"""Leases: a job that one machine at a time may run (the site rebuild), held in the shared database.

A lease has a holder and an end; another holder gets it only once it has ended or been given back, so a
machine that dies while holding one blocks the job for at most its duration.
"""
from __future__ import annotations

import datetime as dt
import os
import socket

from . import clock
from .db import write


def holder_name() -> str:
    """This process, as other machines see it in the leases table."""
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(db, name: str, holder: str, duration: dt.timedelta) -> bool:
    """Take (or renew) the lease `name` for `duration`; False while someone else holds it."""
    now = clock.now()
    with write(db):
        taken = db.execute(
            """INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
               ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, until = excluded.until
               WHERE leases.until <= ? OR leases.holder = excluded.holder
               RETURNING holder""",
            [name, holder, clock.to_iso(now + duration), clock.to_iso(now)],
        ).fetchall()
    return bool(taken)


def release(db, name: str, holder: str) -> None:
    """Give the lease back early (only its holder can)."""
    with write(db):
        db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])


def holder(db, name: str) -> str | None:
    """Who holds the lease now (None when free or ended)."""
    row = db.execute("SELECT holder FROM leases WHERE name = ? AND until > ?", [name, clock.now_iso()]).fetchone()
    return row[0] if row else None
