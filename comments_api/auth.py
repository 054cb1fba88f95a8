"""Moderator authentication: a bearer token for the API, a server-side session and CSRF token for /admin/.

Wrong credentials, whatever the way in (the log-in form or a bearer token), count against one limit per
client network; a right token never counts. That limit holds even with BOUCLE_RATE_LIMIT=off, which only
concerns readers' comments.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import current_app, request, session
from limits import parse_many

import comments_store

from . import network_limits
from .db import get_db
from .errors import APIError
from .secrets_file import token_hash
from .sessions import LIFETIME

# About one guess every six seconds at most, and a hundred a day, per network: nothing for a moderator who
# mistypes, hopeless against a 256-bit token.
CREDENTIAL_LIMITS = parse_many("10/minute;100/day")
CREDENTIAL_SCOPE = "admin-credentials"


def token_fingerprint(admin_token_hash: str) -> str:
    """What a session remembers of the token it was opened with: a digest of its hash, not the hash itself."""
    return hashlib.sha256(f"boucle-admin-session:{admin_token_hash}".encode()).hexdigest()[:32]


def token_matches(candidate: str | None) -> bool:
    """Compare hashes, in constant time: neither the token nor its length leaks through timing."""
    expected = current_app.config["ADMIN_TOKEN_HASH"]
    return bool(candidate) and hmac.compare_digest(token_hash(candidate), expected)


def seconds_blocked() -> int:
    """How long this client's network must wait before trying credentials again (0: it may try now)."""
    return network_limits.seconds_blocked(CREDENTIAL_SCOPE, CREDENTIAL_LIMITS)


def count_failure() -> None:
    """One more wrong credential from this client's network."""
    network_limits.count(CREDENTIAL_SCOPE, CREDENTIAL_LIMITS)


def refuse_if_blocked() -> None:
    network_limits.refuse_when_blocked(CREDENTIAL_SCOPE, CREDENTIAL_LIMITS, "too_many_attempts")


def require_token(view):
    """Admin API: `Authorization: Bearer <token>` on every request."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        sent = request.headers.get("Authorization", "")
        scheme, _, value = sent.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            if sent:  # a credential of another shape is still a guess
                refuse_if_blocked()
                count_failure()
            raise APIError(401, "unauthorized")
        # Checked before the token: while blocked, even a right guess learns nothing.
        refuse_if_blocked()
        if not token_matches(value.strip()):
            count_failure()
            raise APIError(401, "unauthorized")
        return view(*args, **kwargs)

    return wrapped


def start_admin_session(who: str) -> None:
    """Log the moderator in: a new session on the server, its id (only) in the cookie."""
    sid, opened = comments_store.admin_sessions.open_session(
        get_db(), current_app.config["ADMIN_TOKEN_FINGERPRINT"], who, lifetime=LIFETIME)
    session.clear()
    session.update(sid=sid, admin=True, who=who, csrf=opened.csrf)
    session.permanent = True


def end_admin_session() -> None:
    """Log out: the session ends on the server, so a copy of the cookie opens nothing either."""
    if session.get("sid"):
        comments_store.admin_sessions.close(get_db(), session["sid"])
    session.clear()


def safe_return(target: object) -> str | None:
    """`target` if it is a path of this site's admin pages (where log-in leads back), else None.

    Only a relative path starting with /admin/ is accepted: never `//host`, `/\\host` (browsers read a backslash
    as a slash), a scheme, or a control character (a browser drops tabs and newlines, which can turn `/<tab>/host`
    into `//host`). Anything else is an open redirect waiting to happen.
    """
    if not isinstance(target, str) or len(target) > 2000 or not target.startswith("/admin/"):
        return None
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin/") or "//" in parts.path:
        return None
    return target


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.form.get("csrf", "")
    return bool(sent) and "csrf" in session and hmac.compare_digest(sent, session["csrf"])
