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

from .classify import LABELS, Result
from .migrations import migrations


class UnknownLabel(ValueError):
    """A label other than problem or suggestion."""


def prepare(db: Database) -> Database:
    """Create or migrate the feedback tables (open the database with comments_store.open_db first)."""
    migrations.apply(db)
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
                      json.dumps(result.kinds), model_version, now))
        tags.extend((comment_id, label, result.confidence[label], model_version, now) for label in result.labels)
    with write(db):
        db.conn.executemany("DELETE FROM feedback_tags WHERE comment_id = ? AND source = 'auto'", ids)
        db.conn.executemany(
            """INSERT INTO feedback_items (comment_id, source_edited_at, lang, sentiment, cues, kinds, model_version,
                                           tagged_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(comment_id) DO UPDATE SET source_edited_at = excluded.source_edited_at,
                 lang = excluded.lang, sentiment = excluded.sentiment, cues = excluded.cues, kinds = excluded.kinds,
                 model_version = excluded.model_version, tagged_at = excluded.tagged_at""",
            items,
        )
        db.conn.executemany(
            """INSERT INTO feedback_tags (comment_id, label, source, confidence, model_version, created_at)
               VALUES (?, ?, 'auto', ?, ?, ?)""",
            tags,
        )
    return len(items)


def set_human_labels(db: Database, comment_id: int, labels: Iterable[str], author: str) -> None:
    """A person's decision on a comment: it replaces the automatic tags, now and after any re-tagging."""
    labels = sorted(set(labels))
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise UnknownLabel(", ".join(sorted(unknown)))
    comments_store.get_comment(db, comment_id)  # CommentNotFound for a missing comment
    now = clock.now_iso()
    with write(db):
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
