"""Readers' own data, without an account: one-click unsubscribe, and export or erasure through an e-mailed link."""
from __future__ import annotations

import dataclasses
import json
import logging

from flask import Blueprint, current_app, render_template, request

import comments_store
from comments_store import erasure
from comments_store.rules import check_email

from . import loop
from .db import get_db
from .forms import check_origin
from .messages import language, message

bp = Blueprint("privacy", __name__, url_prefix="/api")
log = logging.getLogger(__name__)
ONE_CLICK = "One-Click"  # RFC 8058: the body of the POST a mail client sends is List-Unsubscribe=One-Click


def page(title: str, text: str, status: int = 200, form: dict | None = None):
    """A reader's page (unsubscribe, their data, address proof), in their language, never cached nor indexed."""
    words = {code: message(code) for code in ("page_email", "page_send_link", "page_back")}
    html = render_template("reader_page.html", title=title, message=text, form=form, lang=language(), words=words,
                           site_url=current_app.config["SITEURL"])
    response = current_app.response_class(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token in the address must not leave in a Referer
    return response


def _bad_unsubscribe_link():
    return page(message("unsub_invalid_title"), message("unsub_invalid"), 400)


@bp.get("/unsubscribe")
def unsubscribe_confirm():
    # A GET changes nothing: mail scanners and link previews open every link they see.
    token = request.args.get("token", "")
    if not loop.email_from_unsubscribe(token):
        return _bad_unsubscribe_link()
    return page(message("unsub_title"), message("unsub_ask"),
                form={"action": request.path, "token": token, "one_click": ONE_CLICK,
                      "button": message("unsub_button")})


@bp.post("/unsubscribe")
def unsubscribe():
    # RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the link itself (token in the query),
    # without cookies or Origin; our own confirmation page sends the same fields. The token is the authority.
    token = request.args.get("token") or request.form.get("token", "")
    email = loop.email_from_unsubscribe(token)
    if not email or request.form.get("List-Unsubscribe") != ONE_CLICK:
        return _bad_unsubscribe_link()
    comments_store.unsubscribe(get_db(), email)
    return page(message("unsub_title"), message("unsub_done"))


def _privacy_form(text: str, status: int = 200):
    return page(message("privacy_title"), text, status, form={"action": request.path, "field": "email"})


@bp.get("/privacy")
def privacy_form():
    return _privacy_form(message("privacy_intro"))


@bp.post("/privacy")
def privacy_request():
    check_origin()
    email = (request.form.get("email") or "").strip()
    try:
        if len(email) > 254:
            raise comments_store.InvalidComment(code="email_too_long", field="email")
        check_email(email)  # one mailbox: `a@b.c,root` would have the links sent to two people
    except comments_store.InvalidComment:
        return _privacy_form(message("privacy_bad_email"), 422)
    if not loop.mail_configured():
        return page(message("privacy_title"), message("privacy_no_mail"), 503)
    # The same work and the same answer whether or not the address is known, and whether or not the limit
    # applied: nobody learns who commented, or who asked.
    loop.request_privacy_links(email)
    return page(message("privacy_title"), message("privacy_sent"))


def _bad_privacy_link():
    return page(message("privacy_expired_title"), message("privacy_expired"), 400)


@bp.get("/privacy/export")
def privacy_export():
    email = loop.email_from_privacy(request.args.get("token", ""), "export")
    if not email:
        return _bad_privacy_link()
    data = [{k: v for k, v in c.private().items() if k not in ("client_hash",)}
            for c in comments_store.comments_of(get_db(), email)]
    mine = {"email": email, "comments": data,
            "reply_notifications": comments_store.subscriptions.of(get_db(), email)}
    response = current_app.response_class(json.dumps(mine, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="mes-commentaires.json"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/privacy/erase")
def privacy_erase_confirm():
    token = request.args.get("token", "")
    if not loop.email_from_privacy(token, "erase"):
        return _bad_privacy_link()
    return page(message("erase_title"), message("erase_ask"),
                form={"action": request.path, "token": token, "button": message("erase_button")})


def _scrub_digests(comment_ids: list[int]) -> None:
    from feedback import digest  # only when something was erased: the API otherwise never loads it

    folder = current_app.config.get("DIGEST_DIR") or digest.default_folder()
    try:
        settings = dataclasses.replace(digest.settings_from_environ(), site_url=current_app.config["SITEURL"])
        digest.scrub(get_db(), folder, comment_ids, settings)
    except OSError as exc:  # the erasure itself is done; the operator must rewrite the files (README)
        log.error("digests in %s not rewritten after an erasure: %s", folder, exc)


def _forget_evidence(email: str) -> None:
    # The tagger's evidence quotes each tagged comment's text: it is blanked before the erasure, whose rewrite
    # of the database file then leaves none of it behind.
    from feedback import store as feedback_store

    db = feedback_store.prepare(get_db())
    feedback_store.forget_evidence(db, [c.id for c in comments_store.comments_of(db, email)])


@bp.post("/privacy/erase")
def privacy_erase():
    check_origin()
    email = loop.email_from_privacy(request.form.get("token", ""), "erase")
    if not email:
        return _bad_privacy_link()
    _forget_evidence(email)
    # Comments, e-mails to or about the reader, their links and request counts: one transaction.
    erased = erasure.erase_reader(get_db(), email, loop.address_key(email))
    _scrub_digests(erased.comment_ids)
    return page(message("erased_title"), message("erased", comments=erased.comments))
