"""Moderation over HTTP for scripts and tools: /api/admin/…, bearer token required."""
from __future__ import annotations

from flask import Blueprint, request

import comments_store

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
    return comments_store.get_comment(get_db(), comment_id).private()


@bp.post("/comments/<id:comment_id>/<any(approve, reject, spam, pending):action>")
@require_token
def moderate(comment_id: int, action: str):
    return comments_store.set_status(get_db(), comment_id, ACTIONS[action]).private()


@bp.delete("/comments/<id:comment_id>")
@require_token
def delete(comment_id: int):
    comments_store.delete_comment(get_db(), comment_id)
    return "", 204
