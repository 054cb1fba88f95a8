"""What every reader of another system's export hands over: comments in one shape, and notes on what it left out."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class ImportFileError(Exception):
    """The file cannot be read as an export of the format asked for (nothing was imported)."""


@dataclass
class ImportedComment:
    key: str | None  # the comment's identity at its source, stored as import_key (ours: None for native ones)
    uri: str  # the page it was left on, as the old system knew it
    author: str
    body: str  # Markdown, as our readers write it
    created_at: str  # UTC ISO-8601, as the store keeps times
    status: str = "approved"
    parent_key: str | None = None
    email: str | None = None
    website: str | None = None
    edited_at: str | None = None
    lang: str | None = None
    deleted: bool = False  # a placeholder kept because replies hang under it
    notify: bool = False
    slug_hint: str | None = None  # the old system's own slug for the page, where it has one
    # Only our own export carries these (a move between Boucle databases keeps them as they were).
    native_id: int | None = None
    team: bool = False
    client_hash: str | None = None
    status_changed_at: str | None = None

    def identity(self) -> str:
        """The key that says "this comment, already imported": its own, or our export's number and date."""
        return self.key or f"boucle:{self.created_at}#{self.native_id}"


@dataclass
class Source:
    """An export read into memory: its comments, the threads it names, and what it could not carry over."""

    format: str
    comments: list[ImportedComment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    threads: list[dict] = field(default_factory=list)  # our own export only: articles to register if missing


def iso_from_timestamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def iso_from_text(text: str, *, naive_is_utc: bool = True) -> str:
    """'2012-03-05T12:00:00Z', '2012-03-05 12:00:00' (UTC) and the like, in the store's form."""
    value = (text or "").strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportFileError(f"date illisible : {value!r}") from None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise ImportFileError(f"date sans fuseau : {value!r}")
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
