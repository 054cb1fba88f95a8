"""The outbox table: e-mail waiting to be sent, claimed by one sender at a time, retried with back-off."""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from . import clock
from .db import write


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    recipients: list[str]
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]
    attempts: int


NEVER = "9999-12-31T00:00:00.000000Z"  # sorts after every real time: never due


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def enqueue(db: Database, recipients: list[str], subject: str, text: str, html: str | None = None,
            headers: dict[str, str] | None = None, *, about: Iterable[int] | None = None,
            reader: str | None = None, only_if_reader: bool = False) -> int:
    """Store a message to send; returns its id. Call it inside the transaction of the change it reports.

    `about` (comment ids) and `reader` (an address) say whose data the message holds, for erasure;
    with `only_if_reader`, the message is dropped unsent unless `reader` has left a comment.
    """
    now = _iso(clock.now())
    with write(db):
        cursor = db.execute(
            """INSERT INTO outbox (recipients, subject, text, html, headers, created_at, next_attempt_at, reader,
                                   only_if_reader)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [json.dumps(recipients), subject, text, html, json.dumps(headers or {}, sort_keys=True), now, now,
             reader.lower() if reader else None, int(only_if_reader)])
        message_id = cursor.fetchone()[0]
        ids = sorted(set(about or ()))
        if ids:
            db.conn.executemany("INSERT INTO outbox_about (outbox_id, comment_id) VALUES (?, ?)",
                                [(message_id, comment_id) for comment_id in ids])
        return message_id


def _drop_unknown_readers(db: Database, now: str) -> None:
    # The lookup that tells a known address from an unknown one happens here, in the sender, so that the
    # request that queued the message did the same work either way.
    doomed = [r[0] for r in db.execute(
        """SELECT o.id FROM outbox o WHERE o.sent_at IS NULL AND o.only_if_reader = 1 AND o.next_attempt_at <= ?
           AND NOT EXISTS (SELECT 1 FROM comments c WHERE lower(c.email) = o.reader)""", [now]).fetchall()]
    if doomed:
        marks = ", ".join("?" for _ in doomed)
        db.execute(f"DELETE FROM reader_links WHERE email IN (SELECT reader FROM outbox WHERE id IN ({marks}))",
                   doomed)
        db.execute(f"DELETE FROM outbox WHERE id IN ({marks})", doomed)


def claim_due(db: Database, lease: dt.timedelta, limit: int = 20) -> list[OutboxMessage]:
    """Messages due now, claimed for `lease`: another sender skips them until they are sent or the lease ends."""
    now = clock.now()
    with write(db):
        _drop_unknown_readers(db, _iso(now))
        rows = db.execute(
            """SELECT id, recipients, subject, text, html, headers, attempts FROM outbox
               WHERE sent_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
               ORDER BY id LIMIT ?""", [_iso(now), _iso(now), limit]).fetchall()
        if rows:
            db.execute(f"UPDATE outbox SET claimed_until = ? WHERE id IN ({', '.join('?' for _ in rows)})",
                       [_iso(now + lease), *(r[0] for r in rows)])
    return [OutboxMessage(r[0], json.loads(r[1]), r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows]


def mark_sent(db: Database, message_id: int) -> None:
    with write(db):
        db.execute("UPDATE outbox SET sent_at = ?, claimed_until = NULL, last_error = NULL WHERE id = ?",
                   [_iso(clock.now()), message_id])


def mark_refused(db: Database, message_id: int, error: str) -> None:
    """A message that can never be sent as it is: kept for the operator to read, never tried again."""
    with write(db):
        db.execute("""UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL,
                      last_error = ? WHERE id = ?""", [NEVER, ("refusé : " + error)[:500], message_id])


def mark_failed(db: Database, message_id: int, error: str, retry_in: dt.timedelta) -> None:
    with write(db):
        db.execute("""UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL,
                      last_error = ? WHERE id = ?""", [_iso(clock.now() + retry_in), error[:500], message_id])


def next_attempt(db: Database) -> dt.datetime | None:
    """When the next unsent message is due (None when nothing waits)."""
    row = db.execute("SELECT min(next_attempt_at) FROM outbox WHERE sent_at IS NULL AND next_attempt_at < ?",
                     [NEVER]).fetchone()
    return clock.parse_iso(row[0]) if row and row[0] else None


def waiting(db: Database) -> list[dict]:
    """Unsent messages, oldest first, for operators: id, subject, attempts, next attempt, last error."""
    rows = db.execute("""SELECT id, subject, attempts, next_attempt_at, last_error FROM outbox
                         WHERE sent_at IS NULL ORDER BY id""")
    return [dict(zip(("id", "subject", "attempts", "next_attempt_at", "last_error"), r)) for r in rows]


def sent(db: Database) -> int:
    return db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL").fetchone()[0]
