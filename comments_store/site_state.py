"""What the built site shows: after each build, the published state it was built from, in a small JSON file.

The rebuilders write it (`invoke refresh`, the watcher of `make run`); a second build of the same state is skipped,
and an API process can wait until a reader's new comment is in the static pages (no-JavaScript form).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from . import files

FILE_NAME = "site-state.json"  # in the instance folder


def record(path: str | os.PathLike, state: tuple, read_at: float) -> None:
    """Note that the site now shows `state`, read from the database at `read_at` (time.time())."""
    files.replace_text(path, json.dumps({"state": list(state), "read_at": read_at}))


def read(path: str | os.PathLike) -> dict | None:
    """The last record, or None when there is none (or it cannot be read: then a build is due)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("read_at"), (int, float)) else None


def shows(path: str | os.PathLike, state: tuple) -> bool:
    data = read(path)
    return data is not None and data.get("state") == json.loads(json.dumps(list(state)))


def wait_until_built_after(path: str | os.PathLike, moment: float, timeout: float, poll: float = 0.1) -> bool:
    """Wait until a build that read the database after `moment` has finished; False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        data = read(path)
        if data is not None and data["read_at"] >= moment:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
