"""Required literal pieces of a regular expression: a fast gate before running it.

For a pattern P, `required(P)` is a set of strings such that every match of P
contains at least one of them (or None when no such set is known). Checking a
few `in` tests is much cheaper than running a pattern that starts with an
alternation, which Python's engine must try at every position. The analysis is
the classic one (RE2's prefilter works the same way): a literal run is its own
atom; a sequence needs the atoms of any one required element (we keep the
best); an alternation needs one atom of each branch; optional parts need nothing.
"""
from __future__ import annotations

import re

try:  # the parser behind `re`; private, so any surprise just means "no gate"
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - other Pythons
    _p = _c = None

MIN_ATOM = 2  # shorter pieces ("a", "'") would let nearly every text through


def required(pattern: str) -> frozenset[str] | None:
    if _p is None:
        return None
    try:
        atoms = _seq(list(_p.parse(pattern)))
    except Exception:  # noqa: BLE001 - an unusual construct means no gate, never a wrong one
        return None
    return frozenset(atoms) if atoms else None


def _quality(atoms: set[str] | None) -> tuple:
    # Fewer, longer atoms reject more texts.
    return (-len(atoms), min(map(len, atoms))) if atoms else (float("-inf"), 0)


def _seq(items: list) -> set[str] | None:
    best, run = None, ""
    candidates = []
    for op, arg in items:
        if op is _c.LITERAL:
            run += chr(arg)
            continue
        if len(run) >= MIN_ATOM:
            candidates.append({run})
        run = ""
        sub = _item(op, arg)
        if sub:
            candidates.append(sub)
    if len(run) >= MIN_ATOM:
        candidates.append({run})
    for atoms in candidates:
        if best is None or _quality(atoms) > _quality(best):
            best = atoms
    return best


def _item(op, arg) -> set[str] | None:
    if op is _c.SUBPATTERN:
        return _seq(list(arg[-1]))
    if op is _c.BRANCH:
        union: set[str] = set()
        for branch in arg[1]:
            atoms = _seq(list(branch))
            if not atoms:
                return None
            union |= atoms
        return union
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, body = arg
        return _seq(list(body)) if low >= 1 else None
    if op is _c.ATOMIC_GROUP:
        return _seq(list(arg))
    return None  # classes, anchors, look-arounds, back-references: no literal to require


def gate(pattern: re.Pattern):
    """A function text -> bool that is False only when `pattern` cannot match `text`."""
    atoms = required(pattern.pattern)
    if atoms is None:
        return lambda text: True
    ordered = tuple(sorted(atoms, key=len, reverse=True))
    return lambda text: any(a in text for a in ordered)
