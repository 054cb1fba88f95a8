"""Spam heuristics, all local and tunable: honeypot, fill time, link count.

A comment caught here is stored with status `spam` for moderators to review,
and the sender is told it awaits moderation, as for any held comment.
"""
from __future__ import annotations

from comments_store import count_links

HONEYPOT_FIELD = "telephone"  # hidden from people by CSS and aria-hidden; bots fill it


def looks_like_spam(body: str, honeypot: str | None, max_links: int) -> bool:
    if honeypot and honeypot.strip():
        return True
    return count_links(body or "") > max_links
