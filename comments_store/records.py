"""Typed records the store hands out."""
from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field

from .language import direction

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

    @property
    def dir(self) -> str:
        """The direction its language is written in: 'rtl' (Arabic) or 'ltr'."""
        return direction(self.lang)

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
            "dir": self.dir,
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
    notify_replies: bool = False  # an e-mail when someone answers this reader on the article
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PendingEdit:
    """A reader's edit of a published comment, waiting for a moderator; the published text stays meanwhile.

    `id` names this version: a moderator approves an id, so a newer edit (a new id) is never published unseen.
    """

    id: int
    comment_id: int
    body: str
    html: str
    created_at: str
    published_body: str
    author: str = ""
    thread_slug: str = ""

    def diff(self) -> list[tuple[str, str]]:
        """The change from the published text, word by word: ("equal" | "delete" | "insert", text) pieces."""
        return text_diff(self.published_body, self.body)

    def private(self) -> dict:
        """For moderators: both texts, the new one's HTML and the difference."""
        return {"id": self.id, "comment_id": self.comment_id, "thread_slug": self.thread_slug, "author": self.author,
                "created_at": self.created_at, "published_body": self.published_body, "body": self.body,
                "html": self.html, "diff": [list(piece) for piece in self.diff()]}


@dataclass(frozen=True)
class EditOutcome:
    """What a reader's edit did: the comment as now published or stored, and the edit waiting apart, if any."""

    comment: Comment
    waiting: PendingEdit | None = None


_WORDS = re.compile(r"\s+|[^\s]+")


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Pieces of text marked equal, deleted or inserted (a replacement is a deletion then an insertion)."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("delete", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("insert", "".join(new[j1:j2])))
    return pieces
