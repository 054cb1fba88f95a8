"""Typed records the store hands out."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = ("pending", "approved", "rejected", "spam")


@dataclass(frozen=True)
class Thread:
    id: int
    slug: str
    title: str
    url: str
    lang: str
    category: str = ""
    changes: int = 0  # raised by the database on every change to the thread's comments


@dataclass(frozen=True)
class Comment:
    id: int
    thread_id: int
    parent_id: int | None
    author: str
    email: str | None
    website: str | None
    body: str
    html: str
    status: str
    created_at: str
    edited_at: str | None
    lang: str | None
    client_hash: str | None
    notify: bool
    deleted: bool
    thread_slug: str = ""
    is_team: bool = False

    def public(self) -> dict:
        """What anyone may see: never the e-mail, the address hash or the secret."""
        return {
            "id": self.id,
            "parent_id": self.parent_id,
            "author": self.author,
            "website": self.website,
            "html": self.html,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
            "lang": self.lang,
            "deleted": self.deleted,
            "team": self.is_team,
        }

    def private(self) -> dict:
        """Everything but the edit secret, for moderators."""
        data = asdict(self)
        data["notify"] = bool(self.notify)
        return data


@dataclass
class NewComment:
    """A comment as a reader sends it, before checks."""

    author: str
    body: str
    email: str | None = None
    website: str | None = None
    parent_id: int | None = None
    lang: str | None = None
    notify: bool = False
    extra: dict = field(default_factory=dict)
