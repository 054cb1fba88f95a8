"""The feedback tables: automatic analyses, tags (auto or human) and human corrections.

Only this module writes them. Comments themselves are read through comments_store.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

import comments_store
from comments_store import clock, write
from comments_store.db import is_postgres

from .classify import LABELS, Result
from . import pg_migrations
from .migrations import migrations


class UnknownLabel(ValueError):
    """A label other than problem or suggestion."""


class BadTransition(ValueError):
    """This status cannot follow the current one."""


STATUSES = ("new", "triaged", "planned", "done", "wontfix")
# The usual path is new → triaged → planned → done | wontfix; an item can also be reopened.
TRANSITIONS = {
    "new": {"triaged", "planned", "done", "wontfix"},
    "triaged": {"new", "planned", "done", "wontfix"},
    "planned": {"triaged", "done", "wontfix"},
    "done": {"planned", "triaged"},
    "wontfix": {"triaged", "planned"},
}


# The feedback tables, parents before children (for moving a blog between databases).
TABLES = ("feedback_items", "feedback_tags", "feedback_human", "feedback_status", "feedback_history",
          "feedback_notifications", "feedback_digests", "feedback_themes", "feedback_theme_items",
          "feedback_duplicates")


def prepare(db: Database) -> Database:
    """Create or migrate the feedback tables (open the database with comments_store.open_db first)."""
    (pg_migrations.migrations if is_postgres(db) else migrations).apply(db)
    return db


def open_db(path: str) -> Database:
    return prepare(comments_store.open_db(path))


@dataclass(frozen=True)
class Tagged:
    comment_id: int
    labels: list[str]
    source: str  # "auto" or "human": which decision counts
    auto_labels: list[str]
    confidence: dict[str, float]
    lang: str
    sentiment: float | None
    cues: list[str]
    kinds: list[str]
    model_version: str


def tagged_versions(db: Database) -> dict[int, str]:
    """comment id → the edit time of the text that was tagged."""
    return dict(db.execute("SELECT comment_id, source_edited_at FROM feedback_items").fetchall())


def save_auto(db: Database, rows: Iterable[tuple[int, str, Result]], model_version: str) -> int:
    """Store automatic analyses (comment id, edited_at of the text, result); human tags are never touched."""
    now = clock.now_iso()
    items, tags, ids = [], [], []
    for comment_id, edited_at, result in rows:
        ids.append((comment_id,))
        items.append((comment_id, edited_at or "", result.lang, result.sentiment, json.dumps(result.cues, ensure_ascii=False),
                      json.dumps(result.kinds), json.dumps(result.evidence, ensure_ascii=False, sort_keys=True),
                      model_version, now))
        tags.extend((comment_id, label, result.confidence[label], model_version, now) for label in result.labels)
    with write(db):
        db.conn.executemany("DELETE FROM feedback_tags WHERE comment_id = ? AND source = 'auto'", ids)
        db.conn.executemany(
            """INSERT INTO feedback_items (comment_id, source_edited_at, lang, sentiment, cues, kinds, evidence,
                                           model_version, tagged_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(comment_id) DO UPDATE SET source_edited_at = excluded.source_edited_at,
                 lang = excluded.lang, sentiment = excluded.sentiment, cues = excluded.cues, kinds = excluded.kinds,
                 evidence = excluded.evidence, model_version = excluded.model_version, tagged_at = excluded.tagged_at""",
            items,
        )
        db.conn.executemany(
            """INSERT INTO feedback_tags (comment_id, label, source, confidence, model_version, created_at)
               VALUES (?, ?, 'auto', ?, ?, ?)""",
            tags,
        )
    return len(items)


def forget_evidence(db: Database, comment_ids: Iterable[int]) -> None:
    """Blank the evidence of these comments: it quotes their text, which erasing a reader removes."""
    ids = [(comment_id,) for comment_id in comment_ids]
    if ids:
        with write(db):
            db.conn.executemany("UPDATE feedback_items SET evidence = '{}' WHERE comment_id = ?", ids)


def set_human_labels(db: Database, comment_id: int, labels: Iterable[str], author: str) -> None:
    """A person's decision on a comment: it replaces the automatic tags, now and after any re-tagging."""
    labels = sorted(set(labels))
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise UnknownLabel(", ".join(sorted(unknown)))
    comments_store.get_comment(db, comment_id)  # CommentNotFound for a missing comment
    now = clock.now_iso()
    before = get(db, comment_id)
    with write(db):
        db.execute(
            "INSERT INTO feedback_history (comment_id, change, old, new, author, at) VALUES (?, 'tags', ?, ?, ?, ?)",
            [comment_id, ",".join(before.labels) if before else "", ",".join(labels), author, now],
        )
        db.execute("DELETE FROM feedback_tags WHERE comment_id = ? AND source = 'human'", [comment_id])
        for label in labels:
            db.execute(
                """INSERT INTO feedback_tags (comment_id, label, source, author, created_at)
                   VALUES (?, ?, 'human', ?, ?)""",
                [comment_id, label, author, now],
            )
        db.execute(
            """INSERT INTO feedback_human (comment_id, author, corrected_at) VALUES (?, ?, ?)
               ON CONFLICT(comment_id) DO UPDATE SET author = excluded.author, corrected_at = excluded.corrected_at""",
            [comment_id, author, now],
        )


def get(db: Database, comment_id: int) -> Tagged | None:
    row = db.execute(
        """SELECT i.comment_id, i.lang, i.sentiment, i.cues, i.kinds, i.model_version,
                  (SELECT 1 FROM feedback_human h WHERE h.comment_id = i.comment_id)
           FROM feedback_items i WHERE i.comment_id = ?""",
        [comment_id],
    ).fetchone()
    if row is None:
        return None
    tags = db.execute("SELECT label, source, confidence FROM feedback_tags WHERE comment_id = ? ORDER BY label",
                      [comment_id]).fetchall()
    auto = [label for label, source, _ in tags if source == "auto"]
    human = [label for label, source, _ in tags if source == "human"]
    confidence = {label: conf for label, source, conf in tags if source == "auto"}
    is_human = bool(row[6])
    return Tagged(comment_id=row[0], labels=human if is_human else auto, source="human" if is_human else "auto",
                  auto_labels=auto, confidence=confidence, lang=row[1], sentiment=row[2], cues=json.loads(row[3]),
                  kinds=json.loads(row[4]), model_version=row[5])


def human_corrections(db: Database) -> list[tuple[int, list[str]]]:
    """Every human decision (comment id, labels), for training."""
    rows = db.execute(
        """SELECT h.comment_id, group_concat(t.label) FROM feedback_human h
           LEFT JOIN feedback_tags t ON t.comment_id = h.comment_id AND t.source = 'human'
           GROUP BY h.comment_id ORDER BY h.comment_id"""
    ).fetchall()
    return [(cid, sorted(labels.split(",")) if labels else []) for cid, labels in rows]


def status_of(db: Database, comment_id: int) -> tuple[str, str]:
    """(status, internal note); an item nobody has looked at yet is 'new'."""
    row = db.execute("SELECT status, note FROM feedback_status WHERE comment_id = ?", [comment_id]).fetchone()
    return (row[0], row[1]) if row else ("new", "")


def set_status(db: Database, comment_id: int, status: str, author: str, note: str = "") -> None:
    """Move an item along new → triaged → planned → done | wontfix, with an optional internal note."""
    if status not in STATUSES:
        raise BadTransition(f"unknown status {status!r}")
    comments_store.get_comment(db, comment_id)
    now = clock.now_iso()
    with write(db):
        current, _ = status_of(db, comment_id)
        if status != current and status not in TRANSITIONS[current]:
            raise BadTransition(f"{current} → {status}")
        db.execute(
            """INSERT INTO feedback_status (comment_id, status, note, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(comment_id) DO UPDATE SET status = excluded.status, note = excluded.note,
                 updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
            [comment_id, status, note, author, now],
        )
        db.execute(
            """INSERT INTO feedback_history (comment_id, change, old, new, note, author, at)
               VALUES (?, 'status', ?, ?, ?, ?, ?)""",
            [comment_id, current, status, note, author, now],
        )


def history(db: Database, comment_id: int) -> list[dict]:
    rows = db.execute(
        "SELECT change, old, new, note, author, at FROM feedback_history WHERE comment_id = ? ORDER BY at, id",
        [comment_id],
    )
    return [dict(zip(("change", "old", "new", "note", "author", "at"), r, strict=True)) for r in rows]


def mark_notified(db: Database, comment_id: int) -> bool:
    """Record that the reader was told; False if they already were (so nobody gets two e-mails)."""
    with write(db):
        cursor = db.execute(
            "INSERT INTO feedback_notifications (comment_id, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [comment_id, clock.now_iso()],
        )
        return cursor.rowcount == 1


@dataclass(frozen=True)
class Item:
    """A tagged comment as the review page and the digest show it."""

    comment_id: int
    created_at: str
    author: str
    body: str
    html: str
    email: str | None
    notify: bool
    deleted: bool
    thread_slug: str
    thread_title: str
    thread_url: str
    category: str
    lang: str
    sentiment: float | None
    cues: list[str]
    labels: list[str]
    source: str
    status: str
    note: str
    status_at: str | None

    @property
    def first_name(self) -> str:
        """Exports show first names only."""
        parts = self.author.split()
        return parts[0] if parts else ""


_ITEM_SQL = """
    SELECT c.id, c.created_at, c.author, c.body, c.html, c.email, c.notify, c.deleted, t.slug, t.title, t.url,
           t.category, i.lang, i.sentiment, i.cues,
           CASE WHEN h.comment_id IS NULL
                THEN (SELECT group_concat(label) FROM feedback_tags WHERE comment_id = c.id AND source = 'auto')
                ELSE (SELECT group_concat(label) FROM feedback_tags WHERE comment_id = c.id AND source = 'human')
           END,
           CASE WHEN h.comment_id IS NULL THEN 'auto' ELSE 'human' END,
           coalesce(s.status, 'new'), coalesce(s.note, ''), s.updated_at
    FROM feedback_items i
    JOIN comments c ON c.id = i.comment_id
    JOIN threads t ON t.id = c.thread_id
    LEFT JOIN feedback_human h ON h.comment_id = c.id
    LEFT JOIN feedback_status s ON s.comment_id = c.id
"""


def _item(row) -> Item:
    values = list(row)
    values[6], values[7] = bool(values[6]), bool(values[7])
    values[14] = json.loads(values[14])
    values[15] = sorted(values[15].split(",")) if values[15] else []
    return Item(*values)


def items(db: Database, *, start: str | None = None, end: str | None = None, label: str | None = None,
          status: str | None = None, lang: str | None = None, thread: str | None = None,
          comment_id: int | None = None, limit: int | None = None) -> list[Item]:
    """Tagged comments, oldest first, filtered by creation time [start, end), label, status, language, article."""
    filters = [("c.created_at >= ?", start), ("c.created_at < ?", end), ("i.lang = ?", lang),
               ("t.slug = ?", thread), ("c.id = ?", comment_id), ("coalesce(s.status, 'new') = ?", status)]
    chosen = [(condition, value) for condition, value in filters if value]
    where = ["c.status = 'approved'", "c.is_team = 0"] + [condition for condition, _ in chosen]
    params = [value for _, value in chosen]
    sql = _ITEM_SQL + " WHERE " + " AND ".join(where) + " ORDER BY c.created_at, c.id"
    found = [_item(r) for r in db.execute(sql, params)]
    if label == "none":
        found = [i for i in found if not i.labels]
    elif label:
        found = [i for i in found if label in i.labels]
    return found[:limit] if limit else found


def resolved_between(db: Database, start: str, end: str) -> list[Item]:
    """Items whose status became done or wontfix in [start, end)."""
    ids = [r[0] for r in db.execute(
        "SELECT comment_id FROM feedback_status WHERE status IN ('done', 'wontfix') AND updated_at >= ? "
        "AND updated_at < ? ORDER BY updated_at, comment_id", [start, end])]
    found = []
    for comment_id in ids:
        found.extend(items(db, comment_id=comment_id))
    return found


def queue_digest_once(db: Database, week: str, recipients: list[str], queue) -> bool:
    """Call `queue()` (which puts the week's digest in the outbox) unless this week's digest was queued before;
    both in one transaction, so that the machines of a shared database send it once between them."""
    with write(db):
        first = db.execute(
            """INSERT INTO feedback_digests (week, recipients, queued_at) VALUES (?, ?, ?)
               ON CONFLICT DO NOTHING RETURNING week""", [week, ", ".join(recipients), clock.now_iso()]).fetchall()
        if first:
            queue()
    return bool(first)


def forget_digest(db: Database, week: str) -> None:
    """Allow the week's digest to be sent again (`digest --email --resend`)."""
    with write(db):
        db.execute("DELETE FROM feedback_digests WHERE week = ?", [week])
