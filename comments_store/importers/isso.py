"""Reading an Isso database (SQLite): threads by URI, comments with parents, modes, votes."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from ..db import read_only
from .source import ImportedComment, ImportFileError, Source, iso_from_timestamp

# Isso's modes: 1 published, 2 waiting for moderation, 4 deleted but kept because replies point to it.
_MODES = {1: ("approved", False), 2: ("pending", False), 4: ("approved", True)}


# A crafted file can make a query run for ever (a view over an endless recursive query, say): only plain
# tables are read, and the reading stops after this many SQLite steps (about 5 s on a small machine; a real
# Isso database of 100,000 comments needs a few million).
STEP_BUDGET = 200_000_000
_STEPS_PER_CALL = 10_000


def _plain_tables_only(conn: sqlite3.Connection, path: Path) -> None:
    kinds = dict(conn.execute("SELECT name, type || ':' || coalesce(sql, '') FROM sqlite_master "
                              "WHERE name IN ('comments', 'threads')"))
    for name in ("comments", "threads"):
        kind = kinds.get(name, "")
        if not kind.startswith("table:") or kind[len("table:"):].lstrip().upper().startswith("CREATE VIRTUAL"):
            what = kind.split(":", 1)[0] or "absente"
            raise ImportFileError(f"{path} : pas une base Isso ({name} n'est pas une table ordinaire : {what})")


def _bounded(conn: sqlite3.Connection, budget: int) -> None:
    calls, every = 0, max(1, min(_STEPS_PER_CALL, budget))

    def progress() -> int:
        nonlocal calls
        calls += 1
        return calls * every >= budget  # true: SQLite interrupts the query

    conn.set_progress_handler(progress, every)


def read(path: str | Path, *, budget: int = STEP_BUDGET) -> Source:
    """Every comment of the Isso database at `path`, opened read-only (Isso may still be running)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"fichier introuvable : {path}")
    try:
        conn = read_only(path)
        try:
            _bounded(conn, budget)
            _plain_tables_only(conn, path)
            rows = conn.execute(
                """SELECT c.id, t.uri, c.parent, c.created, c.modified, c.mode, c.text, c.author, c.email,
                          c.website, c.likes, c.dislikes, c.notification
                   FROM comments c JOIN threads t ON t.id = c.tid ORDER BY c.id"""
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc):
            raise ImportFileError(f"{path} : lecture arrêtée après {budget:,} étapes SQLite ; "
                                  "une vraie base Isso se lit bien plus vite (fichier fabriqué ?)") from None
        raise ImportFileError(f"{path} : pas une base Isso lisible ({exc})") from None
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"{path} : pas une base Isso lisible ({exc})") from None
    source = Source(format="isso")
    keys: dict[int, str] = {}
    voted = 0
    for (cid, uri, parent, created, modified, mode, text, author, email, website, likes, dislikes,
         notification) in rows:
        status, deleted = _MODES.get(mode, ("pending", False))
        if mode not in _MODES:
            source.notes.append(f"isso:{cid} : mode Isso inconnu {mode!r}, mis en attente de modération")
        voted += bool(likes or dislikes)
        keys[cid] = f"isso:{uri}#{cid}@{created!r}"
        source.comments.append(ImportedComment(
            key=keys[cid],
            uri=uri,
            parent_key=None,  # filled below, once every comment's key is known
            author=author or "",
            body=text or "",
            created_at=iso_from_timestamp(created),
            edited_at=iso_from_timestamp(modified) if modified else None,
            status=status,
            deleted=deleted,
            email=email or None,
            website=website or None,
            notify=bool(notification),
        ))
    for item, parent in zip(source.comments, (row[2] for row in rows)):
        if parent is not None:
            item.parent_key = keys.get(parent, f"isso:?#{parent}")
    if voted:
        source.notes.append(f"{voted} commentaire(s) avaient des votes (j'aime / je n'aime pas) : "
                            "Boucle n'a pas de votes, ils ne sont pas repris")
    return source
