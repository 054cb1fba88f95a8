"""Comment queries: the only place that reads or writes the comments table."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable

from sqlite_utils import Database

from . import clock, proven, subscriptions
from .db import write
from .language import comment_lang
from .errors import CommentNotFound, DuplicateComment, EditChanged, EditNotAllowed, InvalidComment
from .records import STATUSES, Comment, EditOutcome, NewComment, PendingEdit, Thread
from .render import render
from .rules import MAX_ID, Limits, check, clean_text, fingerprint, storable
from .errors import ThreadNotFound
from .threads import get_thread
from .threads import list_threads as list_threads_rows

MODERATION_MODES = ("all", "first", "none")

_COLUMNS = (
    "c.id, c.thread_id, c.parent_id, c.author, c.email, c.website, c.body, c.html, c.status, c.created_at, "
    "c.edited_at, c.lang, c.client_hash, c.notify, c.deleted, t.slug, c.is_team"
)
_SELECT = f"SELECT {_COLUMNS} FROM comments c JOIN threads t ON t.id = c.thread_id"


def _record(row) -> Comment:
    values = list(row)
    values[13] = bool(values[13])
    values[14] = bool(values[14])
    values[16] = bool(values[16])
    return Comment(*values)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _initial_status(db: Database, new: NewComment, moderation: str, spam: bool, proof: str | None) -> str:
    if spam:
        return "spam"
    if moderation == "none":
        return "approved"
    if moderation == "first" and new.email:
        # Trusted only when the owner proved the address (confirmation link) AND this request carries the proof
        # that browser received: typing a known address, in any letter case, proves nothing. The same work is
        # done whether or not the address is known, and the answer is the same "pending" when not trusted.
        key = proven.address_hash(db, new.email)
        vouched = hmac.compare_digest(key, proof or "")
        return "approved" if proven.is_proven(db, key) and vouched else "pending"
    return "pending"


def _depth(db: Database, comment_id: int) -> int:
    """1 for a top-level comment, 2 for a reply to it, and so on."""
    row = db.execute(
        """
        WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 1 FROM comments WHERE id = ?
            UNION ALL
            SELECT c.id, c.parent_id, up.depth + 1 FROM comments c JOIN up ON c.id = up.parent_id
        )
        SELECT max(depth) FROM up
        """,
        [comment_id],
    ).fetchone()
    return row[0] or 0


def add_comment(
    db: Database,
    slug: str,
    new: NewComment,
    *,
    moderation: str = "all",
    limits: Limits = Limits(),
    client_hash: str | None = None,
    spam: bool | str | None = False,
    duplicate_window: dt.timedelta = dt.timedelta(hours=24),
    proof: str | None = None,
    on_pending: Callable[[Comment], object] | None = None,
) -> tuple[Comment, str]:
    """Check and store a reader's comment; return it with its edit secret (shown once, stored hashed).

    `proof` is the address hash the request's signed confirmation cookie vouches for (`first` moderation).
    `spam` may be the filter's reason ("honeypot", "links"), kept for the moderators.
    `on_pending` is called with a comment that waits for moderation inside the transaction that stores it (the
    moderators' notice in the outbox): one commit for both, and never one without the other.
    """
    if moderation not in MODERATION_MODES:
        raise ValueError(f"moderation must be one of {MODERATION_MODES}")
    new = check(new, limits)
    token = secrets.token_urlsafe(24)
    print_ = fingerprint(new.body)
    # Rendered before the write lock is taken: every other writer waits while it is held, and SQLite's busy
    # handler makes a waiter sleep 1 ms, then 2, 5, 10 ms... so each millisecond held costs more than itself.
    html = render(new.body)
    with write(db):
        thread = get_thread(db, slug)
        if new.parent_id is not None:
            parent = db.execute(
                "SELECT status, deleted FROM comments WHERE id = ? AND thread_id = ?", [new.parent_id, thread.id]
            ).fetchone()
            if parent is None or parent[0] != "approved":
                raise InvalidComment(code="parent_not_found", field="parent_id")
            if _depth(db, new.parent_id) >= limits.max_depth:
                raise InvalidComment(code="reply_too_deep", field="parent_id", limit=limits.max_depth)
        since = clock.to_iso(clock.now() - duplicate_window)
        if db.execute(
            "SELECT 1 FROM comments WHERE thread_id = ? AND fingerprint = ? AND created_at >= ? AND deleted = 0",
            [thread.id, print_, since],
        ).fetchone():
            raise DuplicateComment(field="body")
        status = _initial_status(db, new, moderation, spam, proof)
        cursor = db.execute(
            """
            INSERT INTO comments (thread_id, parent_id, author, email, website, body, html, status, created_at,
                                  lang, client_hash, edit_token_hash, fingerprint, notify)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [thread.id, new.parent_id, new.author, new.email, new.website, new.body, html,
             status, clock.now_iso(), comment_lang(new.body, new.lang or thread.lang), client_hash,
             _hash_token(token), print_, int(new.notify)],
        )
        comment_id = cursor.fetchone()[0]
        if isinstance(spam, str) and spam:
            db.execute("UPDATE comments SET spam_reason = ? WHERE id = ?", [spam[:40], comment_id])
        comment = get_comment(db, comment_id)
        if new.notify_replies and new.email and status != "spam":
            subscriptions.subscribe(db, new.email, thread.id)
        if status == "approved" and new.parent_id is not None:  # only a reply has someone to tell
            subscriptions.note_published(db, comment.id)
        if status == "pending" and on_pending is not None:
            on_pending(comment)
    return comment, token


def import_comments(db: Database, rows: Iterable[dict], batch: int = 5000) -> int:
    """Bulk-load comments from another system (or a benchmark): dicts with slug, author, body, and optionally
    email, status, created_at. Rules are checked; rate limits and moderation are not. Returns the count."""
    threads = {t.slug: t.id for t in list_threads_rows(db)}
    count, pending = 0, []

    def flush():
        with write(db):
            db.conn.executemany(
                """INSERT INTO comments (thread_id, author, email, body, html, status, created_at, lang, fingerprint)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                pending,
            )

    for row in rows:
        if row["slug"] not in threads:
            raise ThreadNotFound(slug=row["slug"])
        new = check(NewComment(author=row["author"], body=row["body"], email=row.get("email")))
        if not all(storable(row.get(key) or "") for key in ("created_at", "lang")):
            raise InvalidComment(code="invalid_text", field="created_at")
        status = row.get("status", "approved")
        if status not in STATUSES:
            raise InvalidComment(code="status_invalid", field="status")
        pending.append((threads[row["slug"]], new.author, new.email, new.body, render(new.body), status,
                        row.get("created_at") or clock.now_iso(), row.get("lang"), fingerprint(new.body)))
        count += 1
        if len(pending) >= batch:
            flush()
            pending = []
    if pending:
        flush()
    return count


def add_team_reply(db: Database, parent_id: int, body: str, author: str = "Équipe",
                   limits: Limits = Limits(), announce: bool = True) -> Comment:
    """A published answer of the product team under a reader's comment (no depth limit: it closes a loop).

    With `announce=False` the parent's author gets no reply notice for it: another mail tells them (the answer to
    their feedback), and the notice must not exist even for a moment, or a sender's round could mail it."""
    new = check(NewComment(author=author, body=body), Limits(body_max=limits.body_max))
    with write(db):
        parent = get_comment(db, parent_id)
        cursor = db.execute(
            """INSERT INTO comments (thread_id, parent_id, author, body, html, status, created_at, lang, fingerprint,
                                     is_team, status_changed_at)
               VALUES (?, ?, ?, ?, ?, 'approved', ?, ?, ?, 1, ?) RETURNING id""",
            [parent.thread_id, parent.id, new.author, new.body, render(new.body), clock.now_iso(),
             comment_lang(new.body, parent.lang), fingerprint(new.body), clock.now_iso()],
        )
        reply = get_comment(db, cursor.fetchone()[0])
        if announce:
            subscriptions.note_published(db, reply.id)
        return reply


def unsubscribe(db: Database, email: str) -> int:
    """Stop every notification to this address (reply mails included); returns how many comments it covered."""
    if not storable(email):
        return 0
    with write(db):
        subscriptions.end_all(db, email)
        return db.execute("UPDATE comments SET notify = 0 WHERE lower(email) = lower(?) AND notify = 1",
                          [email]).rowcount


def comments_of(db: Database, email: str) -> list[Comment]:
    """Every comment left with this e-mail address (for a reader's data export)."""
    if not storable(email):
        return []
    rows = db.execute(f"{_SELECT} WHERE lower(c.email) = lower(?) ORDER BY c.id", [email])
    return [_record(r) for r in rows]


def erase_person(db: Database, email: str) -> int:
    """Remove a reader's personal data: name, e-mail, website, text and address hash of all their comments.

    The rows stay (as deleted placeholders) so that counts built on them, such as
    feedback tallies, keep their numbers.
    """
    if not storable(email):
        return 0
    with write(db):
        # Edits waiting for a moderator hold the reader's text too; the proof of the address goes with them.
        db.execute("DELETE FROM comment_edits WHERE comment_id IN "
                   "(SELECT id FROM comments WHERE lower(email) = lower(?))", [email])
        proven.forget(db, email)
        return db.execute(
            """UPDATE comments SET author = '', email = NULL, website = NULL, body = '', html = '', client_hash = NULL,
                                   edit_token_hash = NULL, notify = 0, deleted = 1, fingerprint = ''
               WHERE lower(email) = lower(?)""",
            [email],
        ).rowcount


def get_comment(db: Database, comment_id: int, slug: str | None = None) -> Comment:
    if not 0 < comment_id <= MAX_ID:
        raise CommentNotFound(id=comment_id)
    row = db.execute(f"{_SELECT} WHERE c.id = ?", [comment_id]).fetchone()
    if row is None or (slug is not None and row[15] != slug):
        raise CommentNotFound(id=comment_id)
    return _record(row)


def list_approved(db: Database, slug: str, after_id: int = 0, thread: Thread | None = None) -> list[Comment]:
    """Approved comments of an article, oldest first; `after_id` returns only newer ones."""
    thread = thread or get_thread(db, slug)
    rows = db.execute(
        f"{_SELECT} WHERE c.thread_id = ? AND c.status = 'approved' AND c.id > ? ORDER BY c.created_at, c.id",
        [thread.id, min(after_id, MAX_ID)],
    )
    return [_record(r) for r in rows]


def approved_by_thread(db: Database) -> dict[str, list[Comment]]:
    """Every approved comment grouped by article slug, oldest first (for the static build)."""
    grouped: dict[str, list[Comment]] = {}
    for row in db.execute(f"{_SELECT} WHERE c.status = 'approved' ORDER BY c.created_at, c.id"):
        comment = _record(row)
        grouped.setdefault(comment.thread_slug, []).append(comment)
    return grouped


def approved_of(db: Database, slugs: Iterable[str]) -> dict[str, list[Comment]]:
    """Approved comments of these articles only, grouped by slug, oldest first (a selective bake)."""
    slugs = [s for s in dict.fromkeys(slugs) if storable(s)]
    grouped: dict[str, list[Comment]] = {}
    for start in range(0, len(slugs), 500):  # well under both databases' limits on bound parameters
        part = slugs[start:start + 500]
        rows = db.execute(
            f"{_SELECT} WHERE c.status = 'approved' AND t.slug IN ({', '.join('?' for _ in part)}) "
            "ORDER BY c.created_at, c.id",
            part,
        )
        for row in rows:
            comment = _record(row)
            grouped.setdefault(comment.thread_slug, []).append(comment)
    return grouped


def visible_counts(db: Database) -> dict[str, int]:
    """Visible approved comments of every article that has any, by slug (one query for the whole site)."""
    return dict(db.execute(
        """SELECT t.slug, count(*) FROM comments c JOIN threads t ON t.id = c.thread_id
           WHERE c.status = 'approved' AND c.deleted = 0 GROUP BY t.slug"""
    ).fetchall())


def latest_approved(db: Database, batch: int = 200):
    """Visible approved comments, newest first (created_at, then id), read in batches (the site's comment feed)."""
    offset = 0
    while True:
        rows = db.execute(
            f"{_SELECT} WHERE c.status = 'approved' AND c.deleted = 0 ORDER BY c.created_at DESC, c.id DESC "
            "LIMIT ? OFFSET ?",
            [batch, offset],
        ).fetchall()
        for row in rows:
            yield _record(row)
        if len(rows) < batch:
            return
        offset += batch


def iter_approved(db: Database, batch: int = 2000):
    """Every visible approved comment, by id, in batches (for the feedback tagger)."""
    last = 0
    while True:
        rows = db.execute(
            f"{_SELECT} WHERE c.status = 'approved' AND c.deleted = 0 AND c.id > ? ORDER BY c.id LIMIT ?",
            [last, batch],
        ).fetchall()
        if not rows:
            return
        for row in rows:
            yield _record(row)
        last = rows[-1][0]


def count_approved(db: Database) -> int:
    """Visible approved comments (the feedback tagger's progress bar needs the total)."""
    return db.execute("SELECT count(*) FROM comments WHERE status = 'approved' AND deleted = 0").fetchone()[0]


def ping(db: Database) -> None:
    """Raise if the database cannot answer (health checks)."""
    db.execute("SELECT 1 FROM comments LIMIT 1").fetchall()


def published_state(db: Database) -> tuple:
    """A cheap fingerprint of everything the static site shows; it changes whenever a rebuild is due."""
    return tuple(db.execute(
        """SELECT count(*), coalesce(max(id), 0), coalesce(max(status_changed_at), ''),
                  coalesce(max(edited_at), ''), CAST(coalesce(sum(deleted), 0) AS INTEGER)
           FROM comments WHERE status = 'approved'"""
    ).fetchone())


def counts(db: Database, slugs: Iterable[str]) -> dict[str, int]:
    """Number of visible comments per article slug (0 for unknown slugs)."""
    slugs = list(dict.fromkeys(slugs))
    result = dict.fromkeys(slugs, 0)
    slugs = [s for s in slugs if storable(s)]
    if not slugs:
        return result
    rows = db.execute(
        f"""
        SELECT t.slug, count(c.id) FROM threads t
        JOIN comments c ON c.thread_id = t.id AND c.status = 'approved' AND c.deleted = 0
        WHERE t.slug IN ({", ".join("?" for _ in slugs)})
        GROUP BY t.slug
        """,
        slugs,
    )
    result.update(dict(rows.fetchall()))
    return result


# Compared against when no comment has the id: the same work is done whether or not it exists.
_NO_SECRET = "0" * 64


def _check_owner(db: Database, slug: str, comment_id: int, token: str, window: dt.timedelta) -> Comment:
    # One answer for every refusal: a wrong secret tells nothing of whether the id exists, is published,
    # pending, deleted or in another thread.
    row = None
    if 0 < comment_id <= MAX_ID:
        row = db.execute(
            "SELECT c.edit_token_hash, c.deleted, t.slug FROM comments c JOIN threads t ON t.id = c.thread_id "
            "WHERE c.id = ?", [comment_id]).fetchone()
    token = token if isinstance(token, str) and storable(token) else ""
    matches = hmac.compare_digest((row[0] if row and row[0] else None) or _NO_SECRET, _hash_token(token))
    if not (row and row[0] and token and matches and not row[1] and row[2] == slug):
        raise EditNotAllowed(code="edit_token_invalid")
    comment = get_comment(db, comment_id, slug)
    if clock.now() - clock.parse_iso(comment.created_at) > window:
        raise EditNotAllowed(code="edit_window_closed")
    return comment


def edit_own(db: Database, slug: str, comment_id: int, token: str, body: str, *, window: dt.timedelta,
             moderation: str = "all", limits: Limits = Limits()) -> EditOutcome:
    """Change the text of one's own comment within the edit window.

    A published comment keeps its published text, on the page and in the API, until a moderator approves the
    edit (unless moderation is off): the edit waits apart, and a newer edit replaces the waiting one. A comment
    not published yet simply changes.
    """
    text = clean_text(body, "body", multiline=True)
    if len(text) < limits.body_min:
        raise InvalidComment(code="body_too_short", field="body", limit=limits.body_min)
    if len(text) > limits.body_max:
        raise InvalidComment(code="body_too_long", field="body", limit=limits.body_max)
    with write(db):
        comment = _check_owner(db, slug, comment_id, token, window)
        db.execute("DELETE FROM comment_edits WHERE comment_id = ?", [comment_id])
        if comment.status == "approved" and moderation != "none":
            if text == comment.body:
                return EditOutcome(comment)  # back to the published text: nothing left to review
            db.execute(
                "INSERT INTO comment_edits (comment_id, body, html, fingerprint, created_at) VALUES (?, ?, ?, ?, ?)",
                [comment_id, text, render(text), fingerprint(text), clock.now_iso()],
            )
            return EditOutcome(comment, pending_edit(db, comment_id))
        db.execute(
            "UPDATE comments SET body = ?, html = ?, fingerprint = ?, edited_at = ?, lang = ? WHERE id = ?",
            [text, render(text), fingerprint(text), clock.now_iso(), comment_lang(text, comment.lang), comment_id],
        )
        return EditOutcome(get_comment(db, comment_id))


_EDIT_SELECT = """SELECT e.id, e.comment_id, e.body, e.html, e.created_at, c.body, c.author, t.slug
                  FROM comment_edits e JOIN comments c ON c.id = e.comment_id JOIN threads t ON t.id = c.thread_id"""


def pending_edit(db: Database, comment_id: int) -> PendingEdit | None:
    """The edit of this comment waiting for a moderator, if any."""
    if not 0 < comment_id <= MAX_ID:
        return None
    row = db.execute(f"{_EDIT_SELECT} WHERE e.comment_id = ?", [comment_id]).fetchone()
    return PendingEdit(*row) if row else None


def pending_edits(db: Database, limit: int = 50, offset: int = 0) -> tuple[list[PendingEdit], int]:
    """Edits of published comments waiting for a moderator, oldest first; one page and the total."""
    total = db.execute("SELECT count(*) FROM comment_edits").fetchone()[0]
    rows = db.execute(f"{_EDIT_SELECT} ORDER BY e.created_at, e.id LIMIT ? OFFSET ?", [limit, offset])
    return [PendingEdit(*r) for r in rows], total


def _waiting(db: Database, comment_id: int, edit_id: int) -> tuple:
    get_comment(db, comment_id)
    row = db.execute("SELECT id, body, html, fingerprint FROM comment_edits WHERE comment_id = ?",
                     [comment_id]).fetchone()
    if row is None or row[0] != edit_id:
        raise EditChanged(id=comment_id)
    return row


def approve_edit(db: Database, comment_id: int, edit_id: int) -> Comment:
    """Publish the waiting edit `edit_id`, exactly that version; EditChanged if it no longer waits."""
    with write(db):
        _, body, html, print_ = _waiting(db, comment_id, edit_id)
        db.execute("UPDATE comments SET body = ?, html = ?, fingerprint = ?, edited_at = ?, lang = ? WHERE id = ?",
                   [body, html, print_, clock.now_iso(), comment_lang(body, get_comment(db, comment_id).lang),
                    comment_id])
        db.execute("DELETE FROM comment_edits WHERE id = ?", [edit_id])
        return get_comment(db, comment_id)


def reject_edit(db: Database, comment_id: int, edit_id: int) -> Comment:
    """Drop the waiting edit `edit_id`; the published text stays. EditChanged if it no longer waits."""
    with write(db):
        _waiting(db, comment_id, edit_id)
        db.execute("DELETE FROM comment_edits WHERE id = ?", [edit_id])
        return get_comment(db, comment_id)


def delete_own(db: Database, slug: str, comment_id: int, token: str, *, window: dt.timedelta) -> None:
    """Delete one's own comment within the edit window."""
    with write(db):
        _check_owner(db, slug, comment_id, token, window)
        _delete(db, comment_id)


def _delete(db: Database, comment_id: int) -> None:
    db.execute("DELETE FROM comment_edits WHERE comment_id = ?", [comment_id])
    # A comment with replies leaves an anonymous placeholder so the replies keep their place.
    if db.execute("SELECT 1 FROM comments WHERE parent_id = ? LIMIT 1", [comment_id]).fetchone():
        db.execute(
            """UPDATE comments SET author = '', email = NULL, website = NULL, body = '', html = '',
               client_hash = NULL, edit_token_hash = NULL, notify = 0, deleted = 1 WHERE id = ?""",
            [comment_id],
        )
    else:
        db.execute("DELETE FROM comments WHERE id = ?", [comment_id])


def delete_comment(db: Database, comment_id: int) -> None:
    """Delete a comment (moderators); raises CommentNotFound."""
    with write(db):
        get_comment(db, comment_id)
        _delete(db, comment_id)


def set_status(db: Database, comment_id: int, status: str) -> Comment:
    """Moderate: move a comment to `status` (approved, rejected, spam or back to pending)."""
    if status not in STATUSES:
        raise InvalidComment(code="status_invalid", field="status")
    with write(db):
        before = get_comment(db, comment_id)
        # Filed as spam by a moderator says so; a filter's reason stays while the comment stays spam.
        if status == "spam":
            db.execute("""UPDATE comments SET status = ?, status_changed_at = ?,
                              spam_reason = CASE WHEN status = 'spam' THEN spam_reason ELSE 'moderator' END
                          WHERE id = ?""", [status, clock.now_iso(), comment_id])
        else:
            db.execute("UPDATE comments SET status = ?, status_changed_at = ?, spam_reason = NULL WHERE id = ?",
                       [status, clock.now_iso(), comment_id])
        if status == "approved" and before.status != "approved" and before.parent_id is not None:
            subscriptions.note_published(db, comment_id)  # the reply its parent's author may hear of
        return get_comment(db, comment_id)


def search(db: Database, *, status: str | None = None, text: str | None = None, author: str | None = None,
           thread: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Comment], int]:
    """Comments for moderators, newest first, filtered; returns one page and the total."""
    where, params = ["1 = 1"], []
    if not all(storable(v) for v in (text, author, thread) if v):
        return [], 0  # no stored comment can hold such text
    if status:
        if status not in STATUSES:
            raise InvalidComment(code="status_invalid", field="status")
        where.append("c.status = ?")
        params.append(status)
    if text:
        where.append("lower(c.body) LIKE lower(?) ESCAPE '\\'")
        params.append("%" + _like(text) + "%")
    if author:
        where.append("lower(c.author) LIKE lower(?) ESCAPE '\\'")
        params.append("%" + _like(author) + "%")
    if thread:
        where.append("t.slug = ?")
        params.append(thread)
    clause = " AND ".join(where)
    total = db.execute(f"SELECT count(*) FROM comments c JOIN threads t ON t.id = c.thread_id WHERE {clause}",
                       params).fetchone()[0]
    rows = db.execute(f"{_SELECT} WHERE {clause} ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?",
                      [*params, limit, offset])
    return [_record(r) for r in rows], total


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
