"""Numbers that come from a URL: ASCII digits only, never beyond what SQLite can hold.

`int()` accepts "²", "٣" and 5,000-digit strings (then raises), and SQLite
overflows past 2**63 - 1; both would be server errors.
"""
from __future__ import annotations

from werkzeug.routing import BaseConverter

from comments_store import MAX_ID


def parse_id(value: object) -> int | None:
    """`value` as a number from 0 to MAX_ID, or None if it is anything else."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 19 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= MAX_ID else None


class IdConverter(BaseConverter):
    """`<id:comment_id>`: ASCII digits; a number past MAX_ID becomes MAX_ID + 1, which the store never holds,
    so it is a 404 (not an overflow, and not `int()` on 5,000 digits)."""

    regex = r"[0-9]+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        return MAX_ID + 1 if number is None else number

    def to_url(self, value) -> str:
        return str(int(value))
