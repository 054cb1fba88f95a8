"""Proving an e-mail address for `first` moderation: the link sent when a reader's comment is approved, the page
it opens, and the signed cookie that lets that browser publish at once afterwards.

The link only shows a button (GET); confirming is a POST, so link scanners that open every link in a mail
prove nothing. Neither the link nor the cookie carries the address: only its keyed hash, signed.
"""
from __future__ import annotations

from flask import Blueprint, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

import comments_store
from comments_store import Comment

from . import notify
from .db import get_db
from .forms import check_origin
from .messages import message
from .privacy_web import page

bp = Blueprint("proven", __name__, url_prefix="/api")

COOKIE = "boucle_proven"
COOKIE_AGE = 365 * 24 * 3600
LINK_AGE = 30 * 24 * 3600
# Sent only with comment posts: the one request that needs it.
COOKIE_PATH = "/api/threads/"


def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"boucle-proven-{purpose}")


def _loads(purpose: str, token: object, max_age: int) -> str | None:
    if not isinstance(token, str) or not token or len(token) > 500 or not token.isascii():
        return None
    try:
        value = _signer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # forged, altered or expired (SignatureExpired is a BadSignature)
        return None
    return value if isinstance(value, str) else None


def proof() -> str | None:
    """The address hash this browser proved, from its signed cookie (None without a valid one)."""
    return _loads("cookie", request.cookies.get(COOKIE), COOKIE_AGE)


def link_token(key: str) -> str:
    return _signer("link").dumps(key)


def invite(comment: Comment) -> int | None:
    """After a moderator approves `comment` in `first` moderation, mail its author a confirmation link when one
    is due; returns the outbox id."""
    config = current_app.config
    if config["MODERATION"] != "first" or comment.status != "approved" or not comment.email or not config["SMTP_HOST"]:
        return None
    key = comments_store.proven.invite(get_db(), comment.email)
    if key is None:
        return None
    return notify.prove_address(comment.email, f"{config['SITEURL']}/api/prove?token={link_token(key)}")


def _page(title: str, text: str, status: int = 200, token: str | None = None):
    form = {"action": request.path, "token": token, "button": message("prove_button")} if token else None
    return page(title, text, status, form)


def _invalid():
    return _page(message("prove_title"), message("prove_invalid"), 400)


@bp.get("/prove")
def prove_page():
    token = request.args.get("token", "")
    if _loads("link", token, LINK_AGE) is None:
        return _invalid()
    return _page(message("prove_title"), message("prove_intro"), token=token)


@bp.post("/prove")
def prove():
    check_origin()
    key = _loads("link", request.form.get("token"), LINK_AGE)
    if key is None or not comments_store.proven.prove(get_db(), key):
        return _invalid()
    response = _page(message("prove_title"), message("prove_done"))
    response.set_cookie(COOKIE, _signer("cookie").dumps(key), max_age=COOKIE_AGE, path=COOKIE_PATH, httponly=True,
                        secure=current_app.config["SITEURL"].startswith("https://"), samesite="Strict")
    return response
