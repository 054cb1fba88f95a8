"""What the moderation page shows beside the comments: counts per status and why a comment was filed as spam."""
from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from .records import STATUSES
from .rules import MAX_ID

SPAM_REASONS = ("honeypot", "links", "moderator")  # the codes stored in comments.spam_reason


def status_counts(db: Database) -> dict[str, int]:
    """How many comments have each status, and "all" of them (the moderation page's tabs)."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in db.execute("SELECT status, count(*) FROM comments GROUP BY status"):
        if status in counts:
            counts[status] = n
    counts["all"] = sum(counts.values())
    return counts


def spam_reasons(db: Database, comment_ids: Iterable[int]) -> dict[int, str]:
    """Why each of these comments was filed as spam, for those whose reason was recorded."""
    ids = sorted({i for i in comment_ids if isinstance(i, int) and 0 < i <= MAX_ID})
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(f"SELECT id, spam_reason FROM comments WHERE id IN ({marks}) AND status = 'spam' "
                      "AND spam_reason IS NOT NULL", ids)
    return {comment_id: reason for comment_id, reason in rows}
