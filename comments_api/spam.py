"""Spam heuristics, all local and tunable: honeypot, fill time, link count.

A comment caught here is stored with status `spam` for moderators to review,
and the sender is told it awaits moderation, as for any held comment.
"""
from __future__ import annotations

from comments_store import count_links

HONEYPOT_FIELD = "telephone"  # hidden from people by CSS and aria-hidden; bots fill it


def spam_reason(body: str, honeypot: str | None, max_links: int) -> str | None:
    """Why the comment looks like spam ("honeypot" or "links", kept for the moderators), or None."""
    if honeypot and honeypot.strip():
        return "honeypot"
    return "links" if count_links(body or "") > max_links else None

