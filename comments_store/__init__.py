"""The comment store: the one owner of threads and comments (SQLite through sqlite-utils).

Imports neither Flask nor Pelican; the API, the build and the feedback module all go through here.
"""
from .comments import (
    MODERATION_MODES,
    add_comment,
    add_team_reply,
    approve_edit,
    pending_edit,
    pending_edits,
    reject_edit,
    comments_of,
    erase_person,
    unsubscribe,
    approved_by_thread,
    approved_of,
    latest_approved,
    visible_counts,
    count_approved,
    counts,
    delete_comment,
    delete_own,
    edit_own,
    get_comment,
    import_comments,
    iter_approved,
    list_approved,
    ping,
    published_state,
    search,
    set_status,
)
from . import admin_sessions, language, moderation, outbox, postgres, proven, subscriptions
from .db import open_db, write
from .errors import (
    CommentNotFound,
    DuplicateComment,
    EditChanged,
    EditNotAllowed,
    InvalidComment,
    StoreError,
    StoreUnavailable,
    ThreadNotFound,
)
from .records import STATUSES, Comment, EditOutcome, NewComment, PendingEdit, Thread
from .render import count_links, render
from .rules import MAX_ID, Limits
from .rules import check as check_comment
from .threads import get_thread, list_threads, register_threads, thread_changes

__all__ = [
    "MAX_ID",
    "admin_sessions", "language", "moderation", "outbox", "postgres", "subscriptions",
    "MODERATION_MODES", "STATUSES", "Comment", "add_team_reply", "comments_of", "erase_person", "unsubscribe", "CommentNotFound", "DuplicateComment", "EditNotAllowed",
    "InvalidComment", "Limits", "NewComment", "StoreError", "StoreUnavailable", "Thread", "ThreadNotFound", "add_comment",
    "approved_by_thread", "check_comment", "count_approved", "count_links", "counts", "ping", "delete_comment", "delete_own", "edit_own", "get_comment",
    "get_thread", "import_comments", "iter_approved", "list_approved", "list_threads", "open_db", "published_state", "register_threads", "render", "search",
    "set_status", "write",
    "approved_of", "latest_approved", "thread_changes", "visible_counts",
    "EditChanged", "EditOutcome", "PendingEdit", "approve_edit", "pending_edit", "pending_edits", "proven", "reject_edit",
]
