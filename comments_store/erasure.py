"""Erasing a reader: their comments' personal data, every e-mail to or about them, their links and request counts.

The comment rows stay as anonymous placeholders (comments.erase_person); the outbox rows go whole, sent or
not, since each one quotes a name, an address or a text. On SQLite, freed space is zeroed (secure_delete),
the file rewritten (VACUUM) and the write-ahead log emptied, so the erased bytes are not left in the file.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass

from sqlite_utils import Database

from . import subscriptions
from .comments import erase_person
from .db import is_postgres, write
from .rules import storable

__all__ = ["Erased", "erase_reader"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erased:
    """What an erasure removed: comments anonymised, e-mails deleted, and the ids of those comments."""

    comments: int
    mails: int
    comment_ids: list[int]


def _needle(body: str) -> str | None:
    """The longest line of a comment, if long enough to be told from ordinary words in another message."""
    line = max((part.strip() for part in body.splitlines()), key=len, default="")
    return line if len(line) >= 12 else None


def _mails_of(db: Database, email: str, comments: list[tuple[int, str, str]]) -> list[int]:
    """Outbox rows to this address, about it, or quoting one of its comments (id, author, body)."""
    address = email.lower()
    comment_ids = [cid for cid, _, _ in comments]
    found = {r[0] for r in db.execute("SELECT id FROM outbox WHERE reader = ?", [address])}
    for start in range(0, len(comment_ids), 500):
        chunk = comment_ids[start:start + 500]
        found |= {r[0] for r in db.execute(
            f"SELECT outbox_id FROM outbox_about WHERE comment_id IN ({', '.join('?' for _ in chunk)})", chunk)}
    # Older rows, queued before messages recorded whom they are about, are found by their recipients, or by
    # quoting the address, a comment's longest line (moderator notices and digests quote the text as is) or
    # the notice's opening "<name> a écrit sur" (the notice of a version edited since).
    needles = [n for n in (_needle(body) for _, _, body in comments) if n]
    needles += sorted({f"{author} a écrit sur " for _, author, _ in comments if author})
    for message_id, recipients, text in db.execute(
            """SELECT id, recipients, text FROM outbox o WHERE reader IS NULL
               AND NOT EXISTS (SELECT 1 FROM outbox_about a WHERE a.outbox_id = o.id)"""):
        if any(isinstance(r, str) and r.lower() == address for r in json.loads(recipients)) \
                or address in text.lower() or any(n in text for n in needles):
            found.add(message_id)
    return sorted(found)


def _rewrite_file(db: Database) -> None:
    # Earlier versions of a row (a message before it was marked sent, a comment before an edit) may still lie
    # in the file's free space, written when secure_delete was off: VACUUM rewrites the file without them,
    # then the write-ahead log, which held the old page images too, is folded back and emptied.
    try:
        db.execute("VACUUM")
    except sqlite3.OperationalError as exc:  # another connection's long write: the erasure itself is done
        log.warning("VACUUM after an erasure postponed: %s", exc)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def erase_reader(db: Database, email: str, address_hash: str | None = None) -> Erased:
    """Erase everything the store holds on the reader of `email`; `address_hash` is their request counter's key."""
    if not storable(email) or not email:
        return Erased(0, 0, [])
    if not is_postgres(db):
        db.execute("PRAGMA secure_delete = ON")  # for this connection: pages freed from now on are zeroed
    with write(db):
        comments = [(r[0], r[1], r[2]) for r in db.execute(
            "SELECT id, author, body FROM comments WHERE lower(email) = lower(?) ORDER BY id", [email])]
        ids = [cid for cid, _, _ in comments]
        mails = _mails_of(db, email, comments)
        count = erase_person(db, email)
        for start in range(0, len(mails), 500):
            chunk = mails[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            db.execute(f"DELETE FROM outbox_about WHERE outbox_id IN ({marks})", chunk)
            db.execute(f"DELETE FROM outbox WHERE id IN ({marks})", chunk)
        db.execute("DELETE FROM reader_links WHERE email = ?", [email.lower()])
        subscriptions.end_all(db, email)  # and the notices of replies waiting for them
        if address_hash:
            db.execute("DELETE FROM reader_requests WHERE address_hash = ?", [address_hash])
    if not is_postgres(db):
        _rewrite_file(db)
    return Erased(count, len(mails), ids)
