"""The one exception views raise to answer with an error (rendered by comments_api.errors)."""
from __future__ import annotations


class APIError(Exception):
    """An error answered with `status` and a code from messages.py."""

    def __init__(self, status: int, code: str, field: str | None = None, **details):
        super().__init__(code)
        self.status, self.code, self.field, self.details = status, code, field, details
