"""Read a posted form field without letting a refused body (too large, cut off) raise a second time.

Error pages read the form to keep what the reader typed and to speak the
article's language; when the body itself is the error, they get nothing.
"""
from __future__ import annotations

from flask import request
from werkzeug.exceptions import HTTPException


def field(name: str, default: str = "") -> str:
    try:
        return request.form.get(name, default)
    except HTTPException:
        return default
