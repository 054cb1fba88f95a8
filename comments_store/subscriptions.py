"""Reply subscriptions: readers who asked to hear, by e-mail, when someone answers them on an article.

A reader ticks the box on the form with an address: that address is subscribed to the article. When a reply
to one of their comments there is published (moderated, never their own), a notice waits here; the API turns
the notices of one subscription into one e-mail, at most one an hour per article, the later ones grouped.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database

from . import clock
from .db import write
from .records import Comment, Thread

__all__ = ["Due", "Subscription", "due", "end", "end_all", "get", "mark_mailed", "note_published", "of",
           "subscribe"]

EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Subscription:
    """One address subscribed to the replies on one article."""

    id: int
    email: str
    thread_id: int


@dataclass(frozen=True)
class Due:
    """A mail to send now: the subscription, its article and the published replies it has not heard of."""

    subscription: Subscription
    thread: Thread
    replies: list[Comment]


def subscribe(db: Database, email: str, thread_id: int) -> None:
    """Subscribe `email` to the replies on the article (once; call it in the transaction storing the comment)."""
    with write(db):
        db.execute("""INSERT INTO reply_subscriptions (email, thread_id, created_at) VALUES (?, ?, ?)
                      ON CONFLICT (email, thread_id) DO NOTHING""", [email.lower(), thread_id, clock.now_iso()])


def note_published(db: Database, comment_id: int) -> bool:
    """Record that the subscriber answered by the just-published comment `comment_id` is to hear of it.

    Nothing when its parent's author did not subscribe, or wrote the reply (the same address). Call it in the
    transaction that publishes the comment; a reply is announced once, whatever happens to it later.
    """
    with write(db):
        return bool(db.execute(
            """INSERT INTO reply_notices (subscription_id, reply_id, created_at)
               SELECT s.id, r.id, ? FROM comments r
               JOIN comments p ON p.id = r.parent_id
               JOIN reply_subscriptions s ON s.email = lower(p.email) AND s.thread_id = r.thread_id
               WHERE r.id = ? AND r.status = 'approved' AND r.deleted = 0 AND p.email IS NOT NULL
                 AND (r.email IS NULL OR lower(r.email) != s.email)
               ON CONFLICT (subscription_id, reply_id) DO NOTHING""",
            [clock.now_iso(), comment_id]).rowcount)


def of(db: Database, email: str) -> list[dict]:
    """The articles `email` hears of replies on, and since when (for the reader's data export)."""
    rows = db.execute("""SELECT t.slug, s.created_at FROM reply_subscriptions s JOIN threads t ON t.id = s.thread_id
                         WHERE s.email = lower(?) ORDER BY s.id""", [email])
    return [{"article": slug, "since": since} for slug, since in rows]


def get(db: Database, subscription_id: int) -> Subscription | None:
    row = db.execute("SELECT id, email, thread_id FROM reply_subscriptions WHERE id = ?",
                     [subscription_id]).fetchone()
    return Subscription(*row) if row else None


def due(db: Database, every: dt.timedelta = EVERY) -> list[Due]:
    """Subscriptions with replies to announce whose last mail is at least `every` old, with those replies.

    Replies unpublished or deleted since are left out (and forgotten, by mark_mailed, with the rest).
    """
    from .comments import _SELECT, _record  # the comment table's owner reads its rows

    since = clock.to_iso(clock.now() - every)
    rows = db.execute(
        """SELECT DISTINCT s.id, s.email, s.thread_id FROM reply_subscriptions s
           JOIN reply_notices n ON n.subscription_id = s.id AND n.mailed_at IS NULL
           WHERE s.last_mailed_at IS NULL OR s.last_mailed_at <= ? ORDER BY s.id""", [since]).fetchall()
    found = []
    for row in rows:
        subscription = Subscription(*row)
        thread = db.execute("SELECT id, slug, title, url, lang, category, changes FROM threads WHERE id = ?",
                            [subscription.thread_id]).fetchone()
        replies = [_record(r) for r in db.execute(
            f"""{_SELECT} JOIN reply_notices n ON n.reply_id = c.id AND n.subscription_id = ?
                WHERE n.mailed_at IS NULL AND c.status = 'approved' AND c.deleted = 0 ORDER BY c.id""",
            [subscription.id])]
        found.append(Due(subscription, Thread(*thread) if thread else None, replies))
    return found


def mark_mailed(db: Database, subscription_id: int, reply_ids: list[int] | None = None) -> int:
    """Claim the notices of `reply_ids` for a mail going now (the hour starts); returns how many were still waiting.

    0 means another sender (another API machine) claimed them first: queue nothing. Call it in the transaction
    that queues the mail; a concurrent claim waits for it, then finds nothing left. Without `reply_ids`, every
    waiting notice is dropped unsent (their replies were unpublished since) and the hour does not start.
    """
    now = clock.now_iso()
    with write(db):
        if reply_ids is None:
            db.execute("UPDATE reply_notices SET mailed_at = ? WHERE subscription_id = ? AND mailed_at IS NULL",
                       [now, subscription_id])
            return 0
        marks = ", ".join("?" for _ in reply_ids)
        claimed = db.execute(f"""UPDATE reply_notices SET mailed_at = ? WHERE subscription_id = ? AND mailed_at IS NULL
                                 AND reply_id IN ({marks})""", [now, subscription_id, *reply_ids]).rowcount
        if claimed:
            db.execute("UPDATE reply_subscriptions SET last_mailed_at = ? WHERE id = ?", [now, subscription_id])
        return claimed


def end(db: Database, subscription_id: int) -> bool:
    """Stop the mails of one subscription (one article); False when it was already ended."""
    with write(db):
        db.execute("DELETE FROM reply_notices WHERE subscription_id = ?", [subscription_id])
        return bool(db.execute("DELETE FROM reply_subscriptions WHERE id = ?", [subscription_id]).rowcount)


def end_all(db: Database, email: str) -> int:
    """Stop every reply mail to `email` (unsubscribing from everything, erasure); returns how many ended."""
    with write(db):
        db.execute("""DELETE FROM reply_notices WHERE subscription_id IN
                      (SELECT id FROM reply_subscriptions WHERE email = lower(?))""", [email])
        return db.execute("DELETE FROM reply_subscriptions WHERE email = lower(?)", [email]).rowcount
