"""The public API under /api/: read comments, post one (JSON or HTML form), edit or delete one's own."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time

from flask import Blueprint, current_app, jsonify, redirect, request
from limits import parse_many

import comments_store
from comments_store import Limits, NewComment, site_state

from . import forms, network_limits, notify, proven_web, replies, safe_json
from .db import get_db
from .errors import APIError, is_form_post
from .ids import MAX_ID, parse_id
from .thread_cache import etag
from .messages import message
from .openapi import spec
from .privacy import anonymise
from .spam import HONEYPOT_FIELD, spam_reason

bp = Blueprint("public", __name__, url_prefix="/api")

PREVIEW_LIMITS = parse_many("60/minute;1000/hour")
JSON_FIELDS = {"author", "email", "website", "body", "parent_id", "lang", "notify", "notify_replies", "ts", "back",
               HONEYPOT_FIELD}


def limits() -> Limits:
    return Limits(max_depth=current_app.config["MAX_DEPTH"])


def edit_window() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["EDIT_WINDOW"])


def json_body() -> dict:
    """The JSON object of a write request; anything else is refused before it reaches the store."""
    if request.mimetype != "application/json":
        raise APIError(415, "unsupported_media_type")
    data = safe_json.loads(request.get_data(cache=True))
    if not isinstance(data, dict):
        raise APIError(400, "invalid_json")
    return data


def _parent_id(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise APIError(422, "parent_invalid", field="parent_id")
    if isinstance(value, int):
        return value
    number = parse_id(value)
    if number is not None:
        return number
    raise APIError(422, "parent_invalid", field="parent_id")


@bp.get("/health")
def health():
    comments_store.ping(get_db())
    return {"status": "ok"}


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.get("/form-token")
def form_token():
    """A fresh fill-time token for the comment form (the script fetches it when the page loads)."""
    response = jsonify(token=forms.issue_token())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/threads/<slug>/comments")
def list_comments(slug: str):
    raw = request.args.get("after", "0")
    if not (raw.isascii() and raw.isdigit()):
        raise APIError(400, "parameter_invalid", field="after")
    after = parse_id(raw) if len(raw) <= 19 else None
    after = MAX_ID if after is None else after  # beyond any id: nothing newer
    db = get_db()
    thread = comments_store.get_thread(db, slug)
    tag = etag(thread.id, thread.changes)
    if after == 0 and request.if_none_match.contains(tag):
        return _thread_response(b"", tag, 304)
    cache = current_app.extensions["boucle_thread_cache"]
    body = cache.get(slug, thread.id, thread.changes) if after == 0 else None
    if body is None:
        comments = comments_store.list_approved(db, slug, after_id=after, thread=thread)
        answer = {"thread": slug, "count": sum(1 for c in comments if not c.deleted),
                  "comments": [c.public() for c in comments]}
        if after:
            return answer
        body = cache.put(slug, thread.id, thread.changes, answer)
    return _thread_response(body, tag, 200)


def _thread_response(body: bytes, tag: str, status: int):
    # Kept by browsers and CDNs, but checked every time: a comment approved a second ago shows at once.
    return current_app.response_class(body, status=status, mimetype="application/json",
                                      headers=[("ETag", f'"{tag}"'), ("Cache-Control", "no-cache")])


@bp.post("/threads/<slug>/comments")
def post_comment(slug: str):
    form = is_form_post()
    if form:
        forms.check_origin()
        data = request.form.to_dict()
        if not data.get("ts"):
            # The static page cannot carry a fresh token: without JavaScript, the reader
            # first sees a preview with one, then confirms. Bots rarely take the second step.
            return confirm_form(slug, data)
        forms.check_token(data["ts"])
    else:
        data = json_body()
        # The script sends the form's token (GET /api/form-token): the same fill-time rule as the form, and
        # no token is no exception.
        forms.check_token(data.get("ts"))
    unknown = set(data) - JSON_FIELDS
    if unknown and not form:
        raise APIError(422, "parameter_invalid", field=sorted(unknown)[0])
    new = NewComment(
        author=data.get("author"), body=data.get("body"), email=data.get("email"), website=data.get("website"),
        parent_id=_parent_id(data.get("parent_id")), lang=data.get("lang"),
        notify=data.get("notify") in (True, "1", "on", "true"),
        notify_replies=data.get("notify_replies") in (True, "1", "on", "true"),
    )
    spam = spam_reason(data.get("body") if isinstance(data.get("body"), str) else "",
                           data.get(HONEYPOT_FIELD) if isinstance(data.get(HONEYPOT_FIELD), str) else None,
                           current_app.config["MAX_LINKS"])
    notices: list[int | None] = []
    comment, token = comments_store.add_comment(
        get_db(), slug, new, moderation=current_app.config["MODERATION"], limits=limits(),
        client_hash=anonymise(request.remote_addr, current_app.config["SECRET_KEY"]), spam=spam,
        duplicate_window=dt.timedelta(seconds=current_app.config["DUPLICATE_WINDOW"]),
        proof=proven_web.proof(),
        # The moderators' notice is queued in the comment's own transaction: one write, not two, per post.
        on_pending=lambda pending: notices.append(notify.new_pending(pending, wake=False)),
    )
    stored_at = time.time()
    if any(notice is not None for notice in notices):
        notify.sender().kick()  # now that both are committed
    if comment.status == "approved" and comment.parent_id:
        replies.send_now(get_db())  # a published reply: its parent's author may be waiting for it
    # Spam is reported as pending: the sender learns nothing about the filters.
    shown_status = "pending" if comment.status == "spam" else comment.status
    if form:
        thread = comments_store.get_thread(get_db(), slug)
        fragment = f"comment-{comment.id}" if shown_status == "approved" else "merci"
        wait = current_app.config["WAIT_FOR_REBUILD"]
        if shown_status == "approved" and wait:
            # Without JavaScript the reader only sees the static page: let a rebuild that includes it finish.
            site_state.wait_until_built_after(os.path.join(current_app.instance_path, site_state.FILE_NAME),
                                              stored_at, timeout=wait)
        return redirect(forms.back_to_article(thread.url, fragment), code=303)
    body = {**comment.public(), "status": shown_status}
    if comment.status != "spam":
        body["edit_token"] = token
        body["edit_until"] = (dt.datetime.fromisoformat(comment.created_at.replace("Z", "+00:00"))
                              + edit_window()).isoformat().replace("+00:00", "Z")
    return body, 201


def confirm_form(slug: str, data: dict):
    comments_store.get_thread(get_db(), slug)
    checked = comments_store.check_comment(NewComment(
        author=data.get("author"), body=data.get("body"), email=data.get("email"), website=data.get("website"),
        parent_id=_parent_id(data.get("parent_id"))), limits())
    return forms.retry_page(message("confirm"), 200, preview=comments_store.render(checked.body))


@bp.get("/threads/<slug>/comments/<id:comment_id>/reply")
def reply_form(slug: str, comment_id: int):
    """The reply form as a page of its own, for readers without JavaScript."""
    parent = comments_store.get_comment(get_db(), comment_id, slug)
    if parent.status != "approved" or parent.deleted:
        raise APIError(404, "comment_not_found")
    return forms.reply_page(parent, comments_store.get_thread(get_db(), slug).lang)


@bp.get("/counts")
def counts():
    raw = request.args.get("threads", "")
    slugs = [s for s in (part.strip() for part in raw.split(",")) if s][:200]
    return comments_store.counts(get_db(), slugs)


@bp.post("/preview")
def preview():
    """The HTML a Markdown text will have once published (for the live preview)."""
    # Anonymous, and asked for at every pause in the reader's typing (the script waits 0.4 s): one a second is
    # ample for a person, a ceiling for a script rendering Markdown at our expense. Whatever BOUCLE_RATE_LIMIT says;
    # past it the live preview only pauses, and the comment itself can still be sent.
    network_limits.refuse_when_blocked("preview", PREVIEW_LIMITS, "previews_limited")
    network_limits.count("preview", PREVIEW_LIMITS)
    data = json_body()
    body = data.get("body")
    if not isinstance(body, str):
        raise APIError(422, "wrong_type", field="body")
    if len(body) > 5000:
        raise APIError(422, "body_too_long", field="body", limit=5000)
    return {"html": comments_store.render(body)}


def _edit_token(data: dict | None = None) -> str:
    return request.headers.get("X-Edit-Token") or (data or {}).get("edit_token") or ""


@bp.patch("/threads/<slug>/comments/<id:comment_id>")
def edit_comment(slug: str, comment_id: int):
    data = json_body()
    outcome = comments_store.edit_own(
        get_db(), slug, comment_id, _edit_token(data), data.get("body"), window=edit_window(),
        moderation=current_app.config["MODERATION"], limits=limits(),
    )
    comment, waiting = outcome.comment, outcome.waiting
    # The published version stays what `html` shows; an edit waiting for moderation comes apart, for its author.
    answer = {**comment.public(), "status": comment.status, "edit_status": "pending" if waiting else "applied"}
    if waiting:
        notify.new_pending(dataclasses.replace(comment, body=waiting.body))
        answer["pending_html"] = waiting.html
    elif comment.status == "pending":
        notify.new_pending(comment)
    return answer


@bp.delete("/threads/<slug>/comments/<id:comment_id>")
def delete_comment(slug: str, comment_id: int):
    comments_store.delete_own(get_db(), slug, comment_id, _edit_token(), window=edit_window())
    return "", 204
