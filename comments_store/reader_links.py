"""Links e-mailed to readers (unsubscribe, export, erasure) and how often a reader may ask for them.

A link carries a random token and nothing else: the address it acts on stays in the database, next to the
token's hash, its purpose and its expiry, so a link shows no address and can be withdrawn (erasure does).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlite_utils import Database

from . import clock
from .db import write

__all__ = ["PURPOSES", "allow_request", "create", "resolve", "withdraw"]

PURPOSES = ("unsubscribe", "export", "erase")


def _hash(token: str) -> str:
    # A random 256-bit token needs no salt or slow hash: nobody can guess one to test against the hashes.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create(db: Database, email: str, purpose: str, lasts: dt.timedelta) -> str:
    """A new token for `purpose` on `email`, valid for `lasts`; only its hash is stored."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with write(db):
        db.execute("DELETE FROM reader_links WHERE expires_at < ?", [clock.to_iso(now)])
        db.execute("INSERT INTO reader_links (token_hash, purpose, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                   [_hash(token), purpose, email.lower(), clock.to_iso(now), clock.to_iso(now + lasts)])
    return token


def resolve(db: Database, token: object, purpose: str) -> str | None:
    """The address a live token of this purpose acts on; None for a forged, expired or withdrawn one."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100 or not token.isascii():
        return None
    row = db.execute("SELECT email FROM reader_links WHERE token_hash = ? AND purpose = ? AND expires_at > ?",
                     [_hash(token), purpose, clock.now_iso()]).fetchone()
    return row[0] if row else None


def withdraw(db: Database, token: str) -> None:
    """Make a token unusable (an erasure link once used)."""
    with write(db):
        db.execute("DELETE FROM reader_links WHERE token_hash = ?", [_hash(token)])


def allow_request(db: Database, address_hash: str, limits: tuple[tuple[dt.timedelta, int], ...]) -> bool:
    """Count a request for this (hashed) address unless one of `limits` (window, most allowed) is reached.

    Counted in the database, so several API machines share the count; rows older than the longest
    window are dropped as they go.
    """
    now = clock.now()
    longest = max(window for window, _ in limits)
    with write(db):
        db.execute("DELETE FROM reader_requests WHERE at < ?", [clock.to_iso(now - longest)])
        for window, most in limits:
            seen = db.execute("SELECT count(*) FROM reader_requests WHERE address_hash = ? AND at >= ?",
                              [address_hash, clock.to_iso(now - window)]).fetchone()[0]
            if seen >= most:
                return False
        db.execute("INSERT INTO reader_requests (address_hash, at) VALUES (?, ?)", [address_hash, clock.to_iso(now)])
    return True
