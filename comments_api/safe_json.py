"""Parse a request's JSON without trusting it: bounded nesting, real numbers, real Unicode.

Python's parser recurses once per level, so a body of 30,000 "[" exhausts the
stack before any rule of ours runs; NaN and Infinity are not JSON; and a
`\\ud800` escape decodes to a lone surrogate that no UTF-8 database can store.
Each is refused here, before the body reaches a view, as a 400.
"""
from __future__ import annotations

import json
import re

from .api_error import APIError

MAX_NESTING = 20  # our bodies are flat objects; 20 leaves room for any honest client
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def has_surrogate(value) -> bool:
    """True if any string in `value` (keys included) holds a lone UTF-16 surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(has_surrogate(k) or has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_surrogate(v) for v in value)
    return False


def loads(raw: bytes) -> object:
    """The parsed body, or APIError(400): not UTF-8, not JSON, too deep, or not real Unicode."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise APIError(400, "invalid_json") from None
    if nesting(text) > MAX_NESTING:
        raise APIError(400, "json_too_deep", limit=MAX_NESTING)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise APIError(400, "invalid_json") from None
    if has_surrogate(data):
        raise APIError(400, "invalid_unicode")
    return data
