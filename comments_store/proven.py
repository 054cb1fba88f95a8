"""Addresses whose owner has proven them (by opening a confirmation link): the only ones `first` moderation trusts.

Only keyed hashes of the addresses are stored. The key is the database's own (made by the migration), so the
row can be found again from an address alone, by erasure for instance, and it travels with the backups.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlite_utils import Database

from . import clock
from .db import write
from .rules import storable

# A reader who lost the first confirmation e-mail gets another one at their next approved comment, not sooner.
REINVITE_AFTER = dt.timedelta(days=7)


def _key(db: Database) -> bytes:
    row = db.execute("SELECT value FROM store_keys WHERE name = 'proven_addresses'").fetchone()
    if row is None:
        # Made on first use, not by the migration: a new database stays empty, so a transfer can fill it.
        with write(db):
            db.execute("INSERT INTO store_keys (name, value) VALUES ('proven_addresses', ?) ON CONFLICT (name) "
                       "DO NOTHING", [secrets.token_hex(32)])
        row = db.execute("SELECT value FROM store_keys WHERE name = 'proven_addresses'").fetchone()
    return row[0].encode()


def address_hash(db: Database, email: str) -> str:
    """The keyed hash an address is known by, the same for every letter case of it."""
    text = email.strip().lower() if storable(email) else ""
    return hmac.new(_key(db), text.encode(), hashlib.sha256).hexdigest()


def invite(db: Database, email: str) -> str | None:
    """Note that a confirmation link goes to `email`, and return the hash it carries; None when none is due
    (the address is proven already, or a link went out recently)."""
    if not email or not storable(email):
        return None
    key = address_hash(db, email)
    now = clock.now()
    with write(db):
        row = db.execute("SELECT invited_at, proven_at FROM proven_addresses WHERE address_hash = ?", [key]).fetchone()
        if row is not None and (row[1] or (row[0] and now - clock.parse_iso(row[0]) < REINVITE_AFTER)):
            return None
        if row is None:
            db.execute("INSERT INTO proven_addresses (address_hash, invited_at) VALUES (?, ?)",
                       [key, clock.to_iso(now)])
        else:
            db.execute("UPDATE proven_addresses SET invited_at = ? WHERE address_hash = ?", [clock.to_iso(now), key])
    return key


def prove(db: Database, key: str) -> bool:
    """The owner opened the link carrying `key`: trust the address from now on. False when no link was sent to it
    (or the address was erased since)."""
    if not storable(key):
        return False
    with write(db):
        return db.execute("UPDATE proven_addresses SET proven_at = coalesce(proven_at, ?) WHERE address_hash = ?",
                          [clock.now_iso(), key]).rowcount > 0


def is_proven(db: Database, key: str) -> bool:
    if not storable(key):
        return False
    row = db.execute("SELECT proven_at FROM proven_addresses WHERE address_hash = ?", [key]).fetchone()
    return bool(row and row[0])


def forget(db: Database, email: str) -> int:
    """Erase the address's row (inside the caller's transaction)."""
    return db.execute("DELETE FROM proven_addresses WHERE address_hash = ?", [address_hash(db, email)]).rowcount
