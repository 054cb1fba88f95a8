"""The one-article unsubscribe link of reply notifications: a GET asks, a POST (RFC 8058 one-click) acts."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from comments_store import subscriptions

from . import replies
from .db import get_db
from .messages import message
from .privacy_web import ONE_CLICK, page

bp = Blueprint("replies", __name__, url_prefix="/api")


def _subscription(token):
    return replies.subscription_from(get_db(), current_app.config["SECRET_KEY"], token)


def _bad_link():
    return page(message("unsub_invalid_title"), message("replies_invalid"), 400)


@bp.get("/replies/unsubscribe")
def confirm():
    # A GET changes nothing: mail scanners and link previews open every link they see.
    token = request.args.get("token", "")
    if not _subscription(token):
        return _bad_link()
    return page(message("unsub_title"), message("replies_ask"),
                form={"action": request.path, "token": token, "one_click": ONE_CLICK,
                      "button": message("unsub_button")})


@bp.post("/replies/unsubscribe")
def unsubscribe():
    # RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the link itself, without cookies or Origin;
    # our confirmation page sends the same fields. The signed token is the authority.
    token = request.args.get("token") or request.form.get("token", "")
    found = _subscription(token)
    if not found or request.form.get("List-Unsubscribe") != ONE_CLICK:
        return _bad_link()
    subscriptions.end(get_db(), found.id)
    return page(message("unsub_title"), message("replies_done"))
