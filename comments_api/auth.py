"""Moderator authentication: a bearer token for the API, a session cookie and CSRF token for /admin/."""
from __future__ import annotations

import functools
import hmac
import secrets

from flask import current_app, request, session

from .errors import APIError


def token_matches(candidate: str | None) -> bool:
    expected = current_app.config["ADMIN_TOKEN"]
    return bool(candidate) and hmac.compare_digest(candidate.encode(), expected.encode())


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
