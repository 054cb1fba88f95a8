"""Online backups of the database, their checks, and restoring one in place of the live file.

A backup uses SQLite's backup API, which copies a consistent snapshot while
the service goes on writing; the copy is checked (`PRAGMA integrity_check`,
rows per table) before it takes its final name, so a file named like a backup
is a sound one. Restoring checks the file first, refuses a schema newer than
this code, migrates an older one, keeps the live data aside and then replaces
the live rows in one transaction, so a running service (whatever its port)
goes on with the restored data and loses nothing it acknowledges afterwards.
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

from .db import read_only, unavailable_as_store_error
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


# Tables that describe the running service, not the blog: their live rows stay (a restored lease would stop
# the site's rebuilds until it expired; a restored admin session would bring back one ended by a log-out;
# restored reply subscriptions would mail a reader who unsubscribed since the backup). Our migration
# record describes the live file's schema, which stays.
KEEP_LIVE = ("_sqlite_migrations", "leases", "admin_sessions", "reply_subscriptions", "reply_notices")


def _tables(conn: sqlite3.Connection, schema: str) -> dict[str, list[str]]:
    """Each table of `schema` ("main", "restored") with its columns, those of KEEP_LIVE left out."""
    names = [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name") if r[0] not in KEEP_LIVE]
    return {t: [c[1] for c in conn.execute(f'PRAGMA {schema}.table_info("{t}")')] for t in names}


def _sequences(conn: sqlite3.Connection, schema: str) -> dict[str, int]:
    if not conn.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        return {}
    return dict(conn.execute(f"SELECT name, seq FROM {schema}.sqlite_sequence"))


def _keep_aside(db_path: Path, kept: Path) -> None:
    """A consistent copy of the live database as it is now (the caller holds the write lock: nothing moves)."""
    partial = kept.with_name(kept.name + ".partial")
    partial.unlink(missing_ok=True)
    source, copy = sqlite3.connect(db_path, timeout=30), sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
        source.close()
    os.replace(partial, kept)


def _replace_rows(live: sqlite3.Connection) -> int:
    """Every row of the live tables replaced by the attached `restored` ones; returns the live comments set aside.

    Runs inside the caller's write transaction with foreign keys off (no cascade may run while tables are
    emptied one by one), then checks them all at once.
    """
    tables, theirs = _tables(live, "main"), _tables(live, "restored")
    if set(tables) != set(theirs) or any(set(tables[t]) != set(theirs[t]) for t in tables):
        raise BackupError("la sauvegarde migrée n'a pas les mêmes tables que la base en service")
    set_aside = live.execute("SELECT count(*) FROM main.comments WHERE id NOT IN (SELECT id FROM restored.comments)"
                             ).fetchone()[0]
    # Numbers handed out stay handed out (comment ids) and every thread's counter moves forward, so that no
    # permalink is reused and no cache (the API's thread cache, browsers' ETags) serves a pre-restore answer.
    sequences = _sequences(live, "main")
    for name, seq in _sequences(live, "restored").items():
        sequences[name] = max(seq, sequences.get(name, 0))
    changes = live.execute("SELECT max(coalesce((SELECT max(changes) FROM main.threads), 0), "
                           "coalesce((SELECT max(changes) FROM restored.threads), 0))").fetchone()[0]
    for table, names in tables.items():
        listed = ", ".join(f'"{c}"' for c in names)
        live.execute(f'DELETE FROM main."{table}"')
        live.execute(f'INSERT INTO main."{table}" ({listed}) SELECT {listed} FROM restored."{table}"')
    for name, seq in sequences.items():
        if not live.execute("UPDATE main.sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", [seq, name]).rowcount:
            live.execute("INSERT INTO main.sqlite_sequence (name, seq) VALUES (?, ?)", [name, seq])
    live.execute("UPDATE main.threads SET changes = ?", [changes + 1])
    broken = live.execute("PRAGMA main.foreign_key_check").fetchall()
    if broken:
        raise BackupError(f"références cassées dans la sauvegarde ({len(broken)}, ex. table {broken[0][0]})")
    return set_aside


def live_is_sound(db_path: str | os.PathLike) -> bool:
    """Whether the live file opens and passes `PRAGMA quick_check` (a damaged one cannot be restored into)."""
    try:
        conn = read_only(db_path)
        try:
            return conn.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


class LiveDamaged(BackupError):
    """The live database is damaged: it can only be replaced whole, with the service stopped (--force)."""

    code = "live_damaged"


@dataclass(frozen=True)
class Restored:
    check: FileCheck
    kept: Path | None  # the previous live data, kept aside
    set_aside: int = 0  # live comments absent from the backup (they are in `kept`)
    replaced_file: bool = False  # the damaged live file was swapped by renaming


def restore(file: str | os.PathLike, db_path: str | os.PathLike, known: Mapping[str, list[str]],
            migrate, *, replace_damaged: bool = False, wait: float = 60) -> Restored:
    """Put the contents of `file` into the live database, in one transaction, while the service may keep running.

    `migrate(path)` brings a database up to this code's schema. The backup is checked, copied aside, migrated
    and checked again; then one write transaction on the live file keeps a copy of its data aside
    (`.before-restore`) and replaces every table's rows. A service using the file (whatever its port) waits for
    that transaction and then serves the restored data; what it writes afterwards stays. Any failure leaves the
    live data as it was. A live file too damaged to write into is refused, unless `replace_damaged` (the old
    swap by renaming, for a stopped service). Raises StoreUnavailable if the write lock stays taken `wait` s.
    """
    checked = check_file(file, known)
    db_path = Path(db_path)
    staging = db_path.with_name(db_path.name + ".restoring")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{staging}{suffix}").unlink(missing_ok=True)
    try:
        shutil.copyfile(file, staging)
        migrate(staging)
        check_file(staging, known)
        if not db_path.exists():
            _swap(staging, db_path)
            return Restored(checked, None)
        if not live_is_sound(db_path):
            if not replace_damaged:
                raise LiveDamaged(f"{db_path} : la base en service est abîmée ; arrêtez le service et relancez "
                                  "avec --force pour la remplacer")
            kept = db_path.with_name(db_path.name + ".before-restore")
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{db_path}{suffix}").exists():
                    shutil.copyfile(f"{db_path}{suffix}", f"{kept}{suffix}")
            _swap(staging, db_path)
            return Restored(checked, kept, replaced_file=True)
        migrate(db_path)  # the same schema on both sides (a no-op when the running service has this code)
        kept = db_path.with_name(db_path.name + ".before-restore")
        with unavailable_as_store_error():  # a write lock held elsewhere for a minute, a full disk
            set_aside = _restore_into(db_path, staging, kept, wait)
        return Restored(checked, kept, set_aside)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{staging}{suffix}").unlink(missing_ok=True)


def _restore_into(db_path: Path, staging: Path, kept: Path, wait: float) -> int:
    """One write transaction on the live file: its data kept aside, then every row replaced by the staging's.

    Waits up to `wait` seconds for the write lock (a service's writes take milliseconds).
    """
    live = sqlite3.connect(db_path, timeout=wait, isolation_level=None)
    try:
        live.execute("PRAGMA foreign_keys = OFF")
        live.execute("ATTACH DATABASE ? AS restored", [str(staging)])
        live.execute("BEGIN IMMEDIATE")  # from here on, the service's writes wait for us
        try:
            _keep_aside(db_path, kept)
            set_aside = _replace_rows(live)
        except BaseException:
            live.execute("ROLLBACK")
            raise
        live.execute("COMMIT")
        live.execute("DETACH DATABASE restored")
        return set_aside
    finally:
        live.close()


def _swap(staging: Path, db_path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        Path(f"{staging}{suffix}").unlink(missing_ok=True)
    os.replace(staging, db_path)
