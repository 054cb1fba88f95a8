"""The feedback tables: automatic analyses, tags (auto or human) and human corrections.

Only this module writes them. Comments themselves are read through comments_store.
"""
from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=4096)
def _cues(text: str) -> tuple[str, ...]:
    # A few hundred cue lists make up a long week's thousands of items: each is parsed once.
    return tuple(json.loads(text))


def _item(row) -> Item:
    values = list(row)
    values[6], values[7] = bool(values[6]), bool(values[7])
    values[14] = list(_cues(values[14]))
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


# --- The review page and the public "we did it" page -----------------------------------------------------------
# Read in batches: a long week's ids would otherwise exceed SQLite's limit of bound parameters.
_BATCH = 500


def _batches(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), _BATCH):
        yield ids[start:start + _BATCH]


def theme_list(db: Database) -> list[dict]:
    """Every theme (id, name, named_by, count), by name: the review page's filter and bulk action offer them."""
    return sorted(themes(db), key=lambda t: (t["name"], t["id"]))


def evidence_for(db: Database, ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """comment id → {label: the sentence that decided it}, for the items whose tagger kept one."""
    found: dict[int, dict[str, str]] = {}
    for batch in _batches(ids):
        marks = ", ".join("?" for _ in batch)
        for cid, text in db.execute(
                f"SELECT comment_id, evidence FROM feedback_items WHERE comment_id IN ({marks})", batch):
            try:
                evidence = json.loads(text or "{}")
            except ValueError:
                continue  # a damaged value hides the highlight, never the item
            if isinstance(evidence, dict):
                kept = {k: v for k, v in evidence.items() if k in LABELS and isinstance(v, str) and v.strip()}
                if kept:
                    found[cid] = kept
    return found


def _check_comments(db: Database, ids: list[int]) -> None:
    for comment_id in ids:
        comments_store.get_comment(db, comment_id)  # CommentNotFound before anything is written


def set_status_many(db: Database, ids: Iterable[int], status: str, author: str) -> None:
    """Move several items to `status` at once; if one of them cannot move, none does (BadTransition)."""
    ids = list(dict.fromkeys(ids))
    if status not in STATUSES:
        raise BadTransition(f"unknown status {status!r}")
    _check_comments(db, ids)
    now = clock.now_iso()
    with write(db):
        current = {cid: status_of(db, cid) for cid in ids}
        refused = [f"n°{cid} {old} → {status}" for cid, (old, _) in current.items()
                   if old != status and status not in TRANSITIONS[old]]
        if refused:
            raise BadTransition(", ".join(refused))
        for cid, (old, note) in current.items():
            db.execute(
                """INSERT INTO feedback_status (comment_id, status, note, updated_by, updated_at)
                   VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(comment_id) DO UPDATE SET status = excluded.status,
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
                [cid, status, note, author, now],
            )
            db.execute(
                """INSERT INTO feedback_history (comment_id, change, old, new, note, author, at)
                   VALUES (?, 'status', ?, ?, '', ?, ?)""",
                [cid, old, status, author, now],
            )


def change_label_many(db: Database, ids: Iterable[int], label: str, present: bool, author: str) -> None:
    """Add (present=True) or remove one label on several items, as a person's decision (it wins over the model)."""
    if label not in LABELS:
        raise UnknownLabel(label)
    ids = list(dict.fromkeys(ids))
    _check_comments(db, ids)
    with write(db):
        for cid in ids:
            before = get(db, cid)
            labels = set(before.labels if before else [])
            labels = labels | {label} if present else labels - {label}
            set_human_labels(db, cid, labels, author)


class UnknownTheme(ValueError):
    """No theme has this id."""


def set_theme_many(db: Database, ids: Iterable[int], theme_id: int | None, author: str) -> None:
    """Place several items in a theme by hand (None: take them out of their theme); a human placement stays."""
    ids = list(dict.fromkeys(ids))
    _check_comments(db, ids)
    now = clock.now_iso()
    with write(db):
        if theme_id is not None and db.execute("SELECT 1 FROM feedback_themes WHERE id = ?",
                                               [theme_id]).fetchone() is None:
            raise UnknownTheme(str(theme_id))
        for cid in ids:
            if theme_id is None:
                db.execute("DELETE FROM feedback_theme_items WHERE comment_id = ?", [cid])
                continue
            db.execute(
                """INSERT INTO feedback_theme_items (comment_id, theme_id, source, placed_at) VALUES (?, ?, 'human', ?)
                   ON CONFLICT(comment_id) DO UPDATE SET theme_id = excluded.theme_id, source = 'human',
                     placed_at = excluded.placed_at""",
                [cid, theme_id, now],
            )
            db.execute(
                """INSERT INTO feedback_history (comment_id, change, old, new, note, author, at)
                   VALUES (?, 'theme', '', ?, '', ?, ?)""", [cid, str(theme_id or ""), author, now])


@dataclass(frozen=True)
class DoneItem:
    """A problem or suggestion the team marked done, as the public page shows it."""

    comment_id: int
    first_name: str
    html: str
    labels: list[str]
    thread_title: str
    thread_url: str
    created_at: str
    done_at: str
    answer_id: int | None
    answer_html: str | None


def done_items(db: Database) -> list[DoneItem]:
    """Published problems and suggestions marked done, the most recently closed first, with the team's answer.

    Never an item in any other status, nor a comment that is not published (pending, refused, deleted).
    """
    found = [i for i in items(db, status="done") if i.labels and not i.deleted]
    answers: dict[int, tuple[int, str]] = {}
    thread_of = {i.comment_id: i.thread_url for i in found}
    group_of: dict[int, list[int]] = {}
    for canonical, dups in duplicate_groups(db).items():
        for cid in (canonical, *dups):
            group_of[cid] = [canonical, *dups]
    wanted = [i.comment_id for i in found]
    wanted += [cid for i in found for cid in group_of.get(i.comment_id, [])]
    for batch in _batches(wanted):
        marks = ", ".join("?" for _ in batch)
        rows = db.execute(
            f"""SELECT parent_id, id, html FROM comments WHERE parent_id IN ({marks}) AND is_team = 1
                AND status = 'approved' AND deleted = 0 ORDER BY created_at, id""", batch)
        answers.update({parent: (rid, html) for parent, rid, html in rows})  # the latest answer wins
    # A group of duplicates closed together has one reply per article, under one of its items: every other item
    # of the group shows that reply (the one on its own article first, so that the link to it lands there).
    direct = dict(answers)
    for item in found:
        if item.comment_id in direct:
            continue
        answered = [cid for cid in group_of.get(item.comment_id, []) if cid in direct]
        answered.sort(key=lambda cid: thread_of.get(cid) != item.thread_url)  # stable: canonical order otherwise
        if answered:
            answers[item.comment_id] = direct[answered[0]]
    done = [DoneItem(comment_id=i.comment_id, first_name=i.first_name, html=i.html, labels=i.labels,
                     thread_title=i.thread_title, thread_url=i.thread_url, created_at=i.created_at,
                     done_at=i.status_at or i.created_at, answer_id=answers.get(i.comment_id, (None, None))[0],
                     answer_html=answers.get(i.comment_id, (None, None))[1]) for i in found]
    done.sort(key=lambda d: (d.done_at, d.comment_id), reverse=True)
    return done


def public_state(db: Database) -> tuple:
    """A fingerprint of what the public page shows: it changes when an item enters or leaves "done"
    or a theme is renamed, so the site watcher rebuilds as it does for a published comment.

    The same as for empty tables while they do not exist yet (a blog whose review page was never opened), so
    that the first build, which creates them, is not taken for a change.
    """
    exists = ("SELECT to_regclass('feedback_themes') IS NOT NULL" if is_postgres(db) else
              "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'feedback_themes'")
    if not db.execute(exists).fetchone()[0]:
        return (0, "", "", 0, "")
    return tuple(db.execute(
        """SELECT (SELECT count(*) FROM feedback_history WHERE change = 'status' AND (old = 'done' OR new = 'done')),
                  (SELECT coalesce(max(at), '') FROM feedback_history
                   WHERE change = 'status' AND (old = 'done' OR new = 'done')),
                  (SELECT coalesce(max(updated_at), '') FROM feedback_themes),
                  (SELECT count(*) FROM feedback_theme_items),
                  (SELECT coalesce(max(placed_at), '') FROM feedback_theme_items)"""
    ).fetchone())


# --- Themes and duplicates (feedback.themes decides; this module writes) --------------------------------------

class BadThemeName(ValueError):
    """A theme's name must be 1 to 80 characters of text."""


class BadThemeChange(ValueError):
    """A merge, split or move that cannot be done (same theme twice, items not in the theme, nothing chosen)."""


class BadDuplicate(ValueError):
    """An item cannot be a duplicate of itself, and only problems and suggestions are grouped."""


THEME_NAME_MAX = 80
# An item is feedback when its deciding tags (a person's if any, else the model's) name a label.
_IS_FEEDBACK = """c.status = 'approved' AND c.is_team = 0 AND c.deleted = 0 AND EXISTS (
    SELECT 1 FROM feedback_tags t WHERE t.comment_id = c.id
      AND t.source = CASE WHEN h.comment_id IS NULL THEN 'auto' ELSE 'human' END)"""


def theme_pool(db: Database) -> list[tuple[int, str, str, int | None, str | None]]:
    """Every problem or suggestion as (comment id, created_at, text, theme id or None, source), oldest first."""
    return [tuple(r) for r in db.execute(
        f"""SELECT c.id, c.created_at, c.body, ti.theme_id, ti.source
            FROM feedback_items i JOIN comments c ON c.id = i.comment_id
            LEFT JOIN feedback_human h ON h.comment_id = c.id
            LEFT JOIN feedback_theme_items ti ON ti.comment_id = c.id
            WHERE {_IS_FEEDBACK} ORDER BY c.created_at, c.id""")]


def is_feedback(db: Database, comment_id: int) -> bool:
    return db.execute(
        f"""SELECT 1 FROM feedback_items i JOIN comments c ON c.id = i.comment_id
            LEFT JOIN feedback_human h ON h.comment_id = c.id WHERE c.id = ? AND {_IS_FEEDBACK}""",
        [comment_id]).fetchone() is not None


def _new_theme(db: Database, name: str, named_by: str, now: str) -> int:
    return db.execute(
        "INSERT INTO feedback_themes (name, named_by, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
        [name, named_by, now, now]).fetchone()[0]


def save_theme_placements(db: Database, joins: list[tuple[int, int]],
                          proposed: list[tuple[str, list[int]]]) -> list[int]:
    """Automatic placements: (comment id, theme id) joins, and new themes (name, comment ids); returns new ids.

    An item placed meanwhile (by a person, or by another machine) keeps its place.
    """
    now = clock.now_iso()
    created = []
    with write(db):
        for name, comment_ids in proposed:
            theme_id = _new_theme(db, name, "auto", now)
            created.append(theme_id)
            joins = joins + [(cid, theme_id) for cid in comment_ids]
        db.conn.executemany(
            """INSERT INTO feedback_theme_items (comment_id, theme_id, source, placed_at) VALUES (?, ?, 'auto', ?)
               ON CONFLICT (comment_id) DO NOTHING""", [(cid, tid, now) for cid, tid in joins])
        _drop_empty_themes(db)
    return created


def _drop_empty_themes(db: Database) -> None:
    # A theme nobody named disappears with its last item; one a person named stays, ready to be reused.
    db.execute("""DELETE FROM feedback_themes WHERE named_by = 'auto'
                  AND NOT EXISTS (SELECT 1 FROM feedback_theme_items ti WHERE ti.theme_id = feedback_themes.id)""")


def themes(db: Database, ids: list[int] | None = None) -> list[dict]:
    """Themes as {"id", "name", "named_by", "count"}, largest first, then by name and id."""
    rows = db.execute(
        """SELECT t.id, t.name, t.named_by, count(ti.comment_id) FROM feedback_themes t
           LEFT JOIN feedback_theme_items ti ON ti.theme_id = t.id
           GROUP BY t.id, t.name, t.named_by ORDER BY count(ti.comment_id) DESC, t.name, t.id""").fetchall()
    wanted = None if ids is None else set(ids)
    return [{"id": r[0], "name": r[1], "named_by": r[2], "count": r[3]} for r in rows
            if wanted is None or r[0] in wanted]


def get_theme(db: Database, theme_id: int) -> dict:
    found = themes(db, [theme_id])
    if not found:
        raise UnknownTheme(f"theme {theme_id}")
    return found[0]


def theme_texts(db: Database, theme_id: int, limit: int) -> list[tuple[int, str]]:
    """The theme's most recent items as (comment id, text), newest first."""
    return [tuple(r) for r in db.execute(
        """SELECT c.id, c.body FROM feedback_theme_items ti JOIN comments c ON c.id = ti.comment_id
           WHERE ti.theme_id = ? AND c.deleted = 0 ORDER BY c.created_at DESC, c.id DESC LIMIT ?""",
        [theme_id, limit])]


def recent_theme_texts(db: Database, theme_ids: list[int], limit: int) -> dict[int, list[tuple[int, str]]]:
    """theme id → its most recent items as (comment id, text), newest first, for many themes in a few queries."""
    found: dict[int, list[tuple[int, str]]] = {}
    for batch in _batches(theme_ids):
        marks = ", ".join("?" for _ in batch)
        rows = db.execute(
            f"""SELECT theme_id, id, body FROM (
                  SELECT ti.theme_id, c.id, c.body,
                         row_number() OVER (PARTITION BY ti.theme_id ORDER BY c.created_at DESC, c.id DESC) AS n
                  FROM feedback_theme_items ti JOIN comments c ON c.id = ti.comment_id
                  WHERE ti.theme_id IN ({marks}) AND c.deleted = 0) ranked
                WHERE n <= ? ORDER BY theme_id, n""", [*batch, limit])
        for theme_id, cid, body in rows:
            found.setdefault(theme_id, []).append((cid, body))
    return found


def theme_members(db: Database) -> dict[int, int]:
    """comment id → theme id, for every placed item."""
    return dict(db.execute("SELECT comment_id, theme_id FROM feedback_theme_items").fetchall())


def theme_names(db: Database, comment_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """comment id → (theme id, theme name) for the items placed in a theme (the others are absent)."""
    found: dict[int, tuple[int, str]] = {}
    for batch in _batches(comment_ids):
        marks = ", ".join("?" for _ in batch)
        rows = db.execute(
            f"""SELECT ti.comment_id, th.id, th.name FROM feedback_theme_items ti
                JOIN feedback_themes th ON th.id = ti.theme_id WHERE ti.comment_id IN ({marks})""", batch)
        found.update({cid: (tid, name) for cid, tid, name in rows})
    return found


def rename_themes_auto(db: Database, names: dict[int, str]) -> None:
    """New automatic names; a theme a person named is left alone."""
    now = clock.now_iso()
    with write(db):
        for theme_id, name in sorted(names.items()):
            db.execute("""UPDATE feedback_themes SET name = ?, updated_at = ?
                          WHERE id = ? AND named_by = 'auto' AND name != ?""", [name, now, theme_id, name])


def _theme_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > THEME_NAME_MAX:
        raise BadThemeName(f"le nom d'un thème fait de 1 à {THEME_NAME_MAX} caractères")
    return name


def rename_theme(db: Database, theme_id: int, name: str) -> None:
    """A person's name for a theme: the automatic step never renames it again."""
    name = _theme_name(name)
    with write(db):
        get_theme(db, theme_id)
        db.execute("UPDATE feedback_themes SET name = ?, named_by = 'human', updated_at = ? WHERE id = ?",
                   [name, clock.now_iso(), theme_id])


def merge_themes(db: Database, into: int, other: int) -> None:
    """Move every item of `other` into `into` and remove `other`; `into` keeps its name."""
    if into == other:
        raise BadThemeChange("un thème ne peut pas être fusionné avec lui-même")
    with write(db):
        get_theme(db, into)
        get_theme(db, other)
        db.execute("UPDATE feedback_theme_items SET theme_id = ? WHERE theme_id = ?", [into, other])
        db.execute("UPDATE feedback_themes SET updated_at = ? WHERE id = ?", [clock.now_iso(), into])
        db.execute("DELETE FROM feedback_themes WHERE id = ?", [other])


def split_theme(db: Database, theme_id: int, comment_ids: list[int], name: str, named_by: str) -> int:
    """Move the chosen items of a theme into a new theme; returns its id. The moves count as a person's."""
    chosen = sorted(set(comment_ids))
    if not chosen:
        raise BadThemeChange("choisissez au moins un élément à séparer")
    name = _theme_name(name)
    now = clock.now_iso()
    with write(db):
        get_theme(db, theme_id)
        members = {cid for cid, tid in theme_members(db).items() if tid == theme_id}
        outside = [cid for cid in chosen if cid not in members]
        if outside:
            raise BadThemeChange(f"pas dans ce thème : {', '.join(map(str, outside))}")
        if len(chosen) == len(members):
            raise BadThemeChange("séparer tous les éléments revient à renommer le thème")
        new_id = _new_theme(db, name, named_by, now)
        db.conn.executemany(
            "UPDATE feedback_theme_items SET theme_id = ?, source = 'human', placed_at = ? WHERE comment_id = ?",
            [(new_id, now, cid) for cid in chosen])
        return new_id


def move_item(db: Database, comment_id: int, theme_id: int) -> None:
    """A person puts an item in a theme: the automatic step never moves it back."""
    comments_store.get_comment(db, comment_id)
    now = clock.now_iso()
    with write(db):
        get_theme(db, theme_id)
        if not is_feedback(db, comment_id):
            raise BadThemeChange(f"le n°{comment_id} n'est ni un problème ni une suggestion")
        db.execute(
            """INSERT INTO feedback_theme_items (comment_id, theme_id, source, placed_at) VALUES (?, ?, 'human', ?)
               ON CONFLICT (comment_id) DO UPDATE SET theme_id = excluded.theme_id, source = 'human',
                 placed_at = excluded.placed_at""", [comment_id, theme_id, now])
        _drop_empty_themes(db)


def theme_items_between(db: Database, start: str, end: str) -> list[tuple[int, int, str]]:
    """(theme id, comment id, created_at) of the placed items created in [start, end)."""
    return [tuple(r) for r in db.execute(
        """SELECT ti.theme_id, c.id, c.created_at FROM feedback_theme_items ti JOIN comments c ON c.id = ti.comment_id
           WHERE c.created_at >= ? AND c.created_at < ? AND c.status = 'approved'
           ORDER BY ti.theme_id, c.created_at, c.id""", [start, end])]


def canonical_of(db: Database, comment_id: int) -> int:
    """The item that stands for `comment_id`'s group of duplicates (itself when it is in no group or leads one)."""
    row = db.execute("SELECT of_comment_id FROM feedback_duplicates WHERE comment_id = ?", [comment_id]).fetchone()
    return row[0] if row else comment_id


def mark_duplicate(db: Database, comment_id: int, of_comment_id: int, author: str) -> int:
    """Put `comment_id` (and its own duplicates) in `of_comment_id`'s group; returns the group's canonical item."""
    if comment_id == of_comment_id:
        raise BadDuplicate("un élément ne peut pas être le doublon de lui-même")
    for cid in (comment_id, of_comment_id):
        comments_store.get_comment(db, cid)
        if not is_feedback(db, cid):
            raise BadDuplicate(f"le n°{cid} n'est ni un problème ni une suggestion")
    now = clock.now_iso()
    with write(db):
        canonical = canonical_of(db, of_comment_id)
        if canonical == comment_id:  # marking a group's leader as the duplicate of one of its members
            db.execute("DELETE FROM feedback_duplicates WHERE comment_id = ?", [of_comment_id])
            canonical = of_comment_id
        # Duplicates point at the group's canonical item, never at another duplicate.
        db.execute("UPDATE feedback_duplicates SET of_comment_id = ? WHERE of_comment_id = ?", [canonical, comment_id])
        db.execute(
            """INSERT INTO feedback_duplicates (comment_id, of_comment_id, marked_by, marked_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (comment_id) DO UPDATE SET of_comment_id = excluded.of_comment_id,
                 marked_by = excluded.marked_by, marked_at = excluded.marked_at""",
            [comment_id, canonical, author, now])
    return canonical


def unmark_duplicate(db: Database, comment_id: int) -> None:
    with write(db):
        db.execute("DELETE FROM feedback_duplicates WHERE comment_id = ?", [comment_id])


def duplicate_group(db: Database, comment_id: int) -> list[int]:
    """The group's items: the canonical one first, then its duplicates by id ([comment_id] alone if none)."""
    canonical = canonical_of(db, comment_id)
    rest = [r[0] for r in db.execute(
        "SELECT comment_id FROM feedback_duplicates WHERE of_comment_id = ? ORDER BY comment_id", [canonical])]
    return [canonical, *rest]


def duplicate_groups(db: Database) -> dict[int, list[int]]:
    """canonical comment id → its duplicates, by id."""
    groups: dict[int, list[int]] = {}
    for cid, of in db.execute("SELECT comment_id, of_comment_id FROM feedback_duplicates ORDER BY of_comment_id, comment_id"):
        groups.setdefault(of, []).append(cid)
    return groups


def first_answers(db: Database) -> dict[int, str]:
    """comment id → when the team first answered it publicly (its first team reply), for every answered comment."""
    return dict(db.execute(
        """SELECT parent_id, min(created_at) FROM comments WHERE is_team = 1 AND parent_id IS NOT NULL
           AND status = 'approved' GROUP BY parent_id""").fetchall())


def team_replies(db: Database, comment_ids: list[int]) -> dict[int, str]:
    """comment id → the text of the team's latest public reply under it."""
    wanted = set(comment_ids)
    found: dict[int, str] = {}
    for parent, body in db.execute(
            """SELECT parent_id, body FROM comments WHERE is_team = 1 AND parent_id IS NOT NULL AND status = 'approved'
               ORDER BY created_at, id"""):
        if parent in wanted:
            found[parent] = body
    return found
