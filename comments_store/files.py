"""Files written beside the database: written aside, then renamed, so a reader never sees half of one."""
from __future__ import annotations

import os
from pathlib import Path


def replace_text(path: str | os.PathLike, text: str) -> None:
    """Put `text` (UTF-8, line ends as given) at `path` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8", newline="")
    os.replace(partial, path)
