"""Moderator authentication: a bearer token for the API, a session cookie and CSRF token for /admin/."""
from __future__ import annotations

import functools
import hmac
import secrets

from flask import current_app, request, session

from .errors import APIError
from .secrets_file import token_hash


def token_matches(candidate: str | None) -> bool:
    """Compare hashes, in constant time: neither the token nor its length leaks through timing."""
    expected = current_app.config["ADMIN_TOKEN_HASH"]
    return bool(candidate) and hmac.compare_digest(token_hash(candidate), expected)


def require_token(view):
    """Admin API: `Authorization: Bearer <token>` on every request."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token_matches(value.strip()):
            raise APIError(401, "unauthorized")
        return view(*args, **kwargs)

    return wrapped


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.form.get("csrf", "")
    return bool(sent) and "csrf" in session and hmac.compare_digest(sent, session["csrf"])
