"""Moderation over HTTP for scripts and tools: /api/admin/…, bearer token required."""
from __future__ import annotations

from flask import Blueprint, request

import comments_store

from . import proven_web, replies, safe_json
from .auth import require_token
from .db import get_db
from .errors import APIError
from .ids import parse_id

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")

ACTIONS = {"approve": "approved", "reject": "rejected", "spam": "spam", "pending": "pending"}


def _page_args() -> tuple[int, int]:
    limit, offset = parse_id(request.args.get("limit", "50")), parse_id(request.args.get("offset", "0"))
    if limit is None or not 1 <= limit <= 500:
        raise APIError(400, "parameter_invalid", field="limit")
    if offset is None:
        raise APIError(400, "parameter_invalid", field="offset")
    return limit, offset


@bp.get("/comments")
@require_token
def list_comments():
    status = request.args.get("status") or None
    status = None if status == "all" else status  # as the /admin/ page's "all" tab
    if status and status not in comments_store.STATUSES:
        raise APIError(400, "status_invalid", field="status")
    limit, offset = _page_args()
    found, total = comments_store.search(
        get_db(), status=status, text=request.args.get("q") or None, author=request.args.get("author") or None,
        thread=request.args.get("thread") or None, limit=limit, offset=offset,
    )
    return {"total": total, "limit": limit, "offset": offset, "comments": [c.private() for c in found]}


@bp.get("/comments/<id:comment_id>")
@require_token
def show_comment(comment_id: int):
    db = get_db()
    comment = comments_store.get_comment(db, comment_id)
    waiting = comments_store.pending_edit(db, comment_id)
    return {**comment.private(), "pending_edit": waiting.private() if waiting else None}


@bp.post("/comments/<id:comment_id>/<any(approve, reject, spam, pending):action>")
@require_token
def moderate(comment_id: int, action: str):
    comment = comments_store.set_status(get_db(), comment_id, ACTIONS[action])
    proven_web.invite(comment)
    if comment.status == "approved":
        replies.send_now(get_db())
    return comment.private()


@bp.get("/edits")
@require_token
def list_edits():
    """Edits of published comments waiting for a moderator, each with the difference from the published text."""
    limit, offset = _page_args()
    found, total = comments_store.pending_edits(get_db(), limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "edits": [e.private() for e in found]}


@bp.post("/comments/<id:comment_id>/edit/<any(approve, reject):action>")
@require_token
def moderate_edit(comment_id: int, action: str):
    """Publish or drop the waiting edit named by `edit_id`: the version the moderator read, and no other."""
    data = safe_json.loads(request.get_data(cache=True)) if request.mimetype == "application/json" else None
    edit_id = data.get("edit_id") if isinstance(data, dict) else None
    if isinstance(edit_id, bool) or not isinstance(edit_id, int) or not 0 < edit_id <= comments_store.MAX_ID:
        raise APIError(422, "parameter_invalid", field="edit_id")
    act = comments_store.approve_edit if action == "approve" else comments_store.reject_edit
    try:
        return act(get_db(), comment_id, edit_id).private()
    except comments_store.EditChanged:
        raise APIError(409, "edit_changed") from None


@bp.delete("/comments/<id:comment_id>")
@require_token
def delete(comment_id: int):
    comments_store.delete_comment(get_db(), comment_id)
    return "", 204
