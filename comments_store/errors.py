"""Named errors of the comment store; the API turns each into one HTTP error."""
from __future__ import annotations


class StoreError(Exception):
    """Base class: something the caller asked cannot be done."""

    code = "store_error"

    def __init__(self, message: str = "", *, code: str | None = None, field: str | None = None, **details):
        super().__init__(message or self.__doc__)
        if code:
            self.code = code
        self.field = field
        self.details = details


class ThreadNotFound(StoreError):
    """No article of the site has this slug."""

    code = "thread_not_found"


class CommentNotFound(StoreError):
    """No comment has this id (in this thread)."""

    code = "comment_not_found"


class InvalidComment(StoreError):
    """A field of the comment breaks a rule (length, format, reply depth)."""

    code = "invalid_comment"


class DuplicateComment(StoreError):
    """The same text was already posted on this article recently."""

    code = "duplicate"


class EditNotAllowed(StoreError):
    """The edit secret is wrong, or the edit window has closed."""

    code = "edit_not_allowed"


class StoreUnavailable(StoreError):
    """The database cannot be written (disk full, read-only, locked too long): try again later."""

    code = "store_unavailable"


class EditChanged(StoreError):
    """The edit a moderator acted on no longer waits: the reader changed it again, or it was already handled."""

    code = "edit_changed"
