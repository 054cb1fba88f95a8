"""Moderators' sessions on /admin/, kept in the shared database so that every API machine ends them alike.

The browser holds only a random session id; the table holds its hash, so a copy of the database (a backup)
opens no session. A session also records a fingerprint of the admin token it was opened with: once the
token changes, sessions opened with the old one are refused.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from . import clock
from .db import write

__all__ = ["AdminSession", "close", "open_session", "resume"]

# Moving last_seen_at on every page would write to the database on every click; a minute is precise enough.
TOUCH_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class AdminSession:
    who: str
    csrf: str
    created_at: str
    last_seen_at: str


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(db, token_fingerprint: str, who: str, *, lifetime: dt.timedelta,
                 now: dt.datetime | None = None) -> tuple[str, AdminSession]:
    """Open a session for a moderator who just gave the right token; returns (session id, session).

    Sessions older than `lifetime` are cleared out on the way, so the table only holds live ones.
    """
    now = now or clock.now()
    session_id = secrets.token_urlsafe(32)
    opened = AdminSession(who=who, csrf=secrets.token_urlsafe(24), created_at=clock.to_iso(now),
                          last_seen_at=clock.to_iso(now))
    with write(db):
        db.execute("DELETE FROM admin_sessions WHERE created_at < ?", [clock.to_iso(now - lifetime)])
        db.execute(
            """INSERT INTO admin_sessions (key, token_fingerprint, who, csrf, created_at, last_seen_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            [_key(session_id), token_fingerprint, who, opened.csrf, opened.created_at, opened.last_seen_at])
    return session_id, opened


def resume(db, session_id: str, token_fingerprint: str, *, idle: dt.timedelta, lifetime: dt.timedelta,
           now: dt.datetime | None = None) -> AdminSession | None:
    """The live session with this id, or None: unknown, ended, idle too long, too old, or made with another token.

    A session refused for any of these reasons is deleted, so it can never come back.
    """
    if not isinstance(session_id, str) or not session_id:
        return None
    now = now or clock.now()
    key = _key(session_id)
    row = db.execute("SELECT token_fingerprint, who, csrf, created_at, last_seen_at FROM admin_sessions "
                     "WHERE key = ?", [key]).fetchone()
    if row is None:
        return None
    fingerprint, who, csrf, created_at, last_seen_at = row
    last_seen = clock.parse_iso(last_seen_at)
    if (not hmac.compare_digest(fingerprint, token_fingerprint) or now - last_seen > idle
            or now - clock.parse_iso(created_at) > lifetime):
        close(db, session_id)
        return None
    if now - last_seen >= TOUCH_EVERY:
        last_seen_at = clock.to_iso(now)
        with write(db):
            db.execute("UPDATE admin_sessions SET last_seen_at = ? WHERE key = ?", [last_seen_at, key])
    return AdminSession(who=who, csrf=csrf, created_at=created_at, last_seen_at=last_seen_at)


def close(db, session_id: str) -> None:
    """End a session (log-out): its id opens nothing any more, on any machine."""
    with write(db):
        db.execute("DELETE FROM admin_sessions WHERE key = ?", [_key(session_id)])
