"""Every comment out of the store, as JSON (which imports back) and as CSV for spreadsheets."""
from __future__ import annotations

import json
import os
from pathlib import Path

from sqlite_utils import Database

from . import clock, files, spreadsheet

FORMAT = "boucle-comments"
VERSION = 1
# What identifies a person: left out unless asked for (the e-mail, and the hash of the address they wrote from).
PERSONAL = ("email", "client_hash")
_FIELDS = ("id", "thread", "parent_id", "author", "website", "body", "status", "created_at", "edited_at",
           "status_changed_at", "lang", "deleted", "team", "notify", "import_key", *PERSONAL)
CSV_COLUMNS = [f for f in _FIELDS if f not in PERSONAL]


def export(db: Database, *, with_personal_data: bool = False) -> dict:
    """Threads and comments in the documented JSON shape (README, « Exporter »)."""
    threads = [dict(zip(("slug", "title", "url", "lang", "category"), row)) for row in
               db.execute("SELECT slug, title, url, lang, category FROM threads ORDER BY slug")]
    comments = []
    for row in db.execute(
        """SELECT c.id, t.slug, c.parent_id, c.author, c.website, c.body, c.status, c.created_at, c.edited_at,
                  c.status_changed_at, c.lang, c.deleted, c.is_team, c.notify, c.import_key, c.email, c.client_hash
           FROM comments c JOIN threads t ON t.id = c.thread_id ORDER BY c.id"""
    ):
        item = dict(zip(_FIELDS, row))
        for flag in ("deleted", "team", "notify"):
            item[flag] = bool(item[flag])
        if not with_personal_data:
            for key in PERSONAL:
                del item[key]
            item["notify"] = False  # a subscription means nothing without its address
        comments.append(item)
    return {"format": FORMAT, "version": VERSION, "exported_at": clock.now_iso(),
            "personal_data": with_personal_data, "threads": threads, "comments": comments}


def write_files(data: dict, folder: str | os.PathLike, stem: str = "comments") -> list[Path]:
    """comments.json and comments.csv in `folder`; returns their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    columns = CSV_COLUMNS + [p for p in PERSONAL if data["personal_data"]]
    cells = ([int(v) if isinstance(v, bool) else v for v in (c.get(k) for k in columns)] for c in data["comments"])
    paths = [out / f"{stem}.json", out / f"{stem}.csv"]
    # An interrupted export never leaves half a file under the final name.
    files.replace_text(paths[0], json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    files.replace_text(paths[1], spreadsheet.render(columns, cells))
    return paths
