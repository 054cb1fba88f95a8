"""Online backups of the database, their checks, and restoring one in place of the live file.

A backup uses SQLite's backup API, which copies a consistent snapshot while
the service goes on writing; the copy is checked (`PRAGMA integrity_check`,
rows per table) before it takes its final name, so a file named like a backup
is a sound one. Restoring checks the file first, refuses a schema newer than
this code, migrates an older one, keeps the live file aside and swaps with a
rename.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .db import read_only
from .errors import StoreError

NAME = re.compile(r"^boucle-(\d{8}T\d{6}Z)(?:-\d+)?\.db$")


class BackupError(StoreError):
    """A backup or a file to restore is not sound (corrupt, truncated, foreign, or from newer code)."""

    code = "backup_invalid"


@dataclass(frozen=True)
class FileCheck:
    path: Path
    counts: dict[str, int]
    missing_migrations: dict[str, list[str]] = field(default_factory=dict)  # older file: to apply on restore


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def check_file(path: str | os.PathLike, known: Mapping[str, list[str]]) -> FileCheck:
    """Check a database file without changing it; `known` maps each migration set to the names this code has.

    Raises BackupError if it is not a sound SQLite database of ours, or if it has a migration this code lacks.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} : fichier introuvable")
    try:
        conn = read_only(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupError(f"{path} : base abîmée ({'; '.join(r[0] for r in result[:3])})")
            applied: dict[str, set[str]] = {}
            try:
                for set_name, name in conn.execute("SELECT migration_set, name FROM _sqlite_migrations"):
                    applied.setdefault(set_name, set()).add(name)
            except sqlite3.DatabaseError:
                raise BackupError(f"{path} : ce n'est pas une base de Boucle (pas de migrations)") from None
            counts = _counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} : illisible ({exc})") from None
    if "comments_store" not in applied:
        raise BackupError(f"{path} : ce n'est pas une base de Boucle (pas de tables de commentaires)")
    newer = {s: sorted(names - set(known.get(s, []))) for s, names in applied.items()}
    newer = {s: names for s, names in newer.items() if names}
    if newer:
        raise BackupError(f"{path} : schéma plus récent que ce code ({newer}) ; mettez Boucle à jour d'abord")
    missing = {s: [n for n in names if n not in applied.get(s, set())] for s, names in known.items()}
    return FileCheck(path, counts, {s: names for s, names in missing.items() if names})


def backup(db_path: str | os.PathLike, folder: str | os.PathLike, known: Mapping[str, list[str]], *,
           keep: int = 14, to: str | os.PathLike | None = None, now: dt.datetime | None = None) -> FileCheck:
    """Copy the live database into `folder` (or to the path `to`), check the copy, keep the last `keep` backups."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if to:
        target = Path(to)
    else:
        folder = Path(folder)
        target = folder / f"boucle-{now.strftime('%Y%m%dT%H%M%SZ')}.db"
        n = 1
        while target.exists():
            target = folder / f"boucle-{now.strftime('%Y%m%dT%H%M%SZ')}-{n}.db"
            n += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(db_path, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)  # a consistent snapshot, taken while others keep writing
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal or -shm beside it
    finally:
        copy.close()
        source.close()
    try:
        checked = check_file(partial, known)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    if not to:
        prune(target.parent, keep)
    return FileCheck(target, checked.counts, checked.missing_migrations)


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest backups (files named by `backup`) of `folder`; returns the removed."""
    ours = sorted((p for p in folder.iterdir() if NAME.match(p.name)), key=lambda p: p.name)
    removed = ours[:-keep] if keep > 0 else ours
    for path in removed:
        path.unlink()
    return removed


def restore(file: str | os.PathLike, db_path: str | os.PathLike, known: Mapping[str, list[str]],
            migrate) -> tuple[FileCheck, Path | None]:
    """Put `file` in place of the live database; returns the check and where the old file was kept.

    `migrate(path)` brings a copy up to this code's schema. The live file is only touched at the very end, by
    renames: any failure before leaves it as it was.
    """
    checked = check_file(file, known)
    db_path = Path(db_path)
    staging = db_path.with_name(db_path.name + ".restoring")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{staging}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(file, staging)
    migrate(staging)
    check_file(staging, known)
    kept = None
    if db_path.exists():
        kept = db_path.with_name(db_path.name + ".before-restore")
        live = sqlite3.connect(db_path, timeout=30)
        try:
            live.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything of the live file into the file itself
        finally:
            live.close()
        shutil.copyfile(db_path, kept)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        Path(f"{staging}{suffix}").unlink(missing_ok=True)
    os.replace(staging, db_path)
    return checked, kept
