"""Backups taken while comments keep coming, checked; restores that refuse bad files and leave the live one alone."""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading

import pytest

import comments_store
from comments_store import NewComment
from comments_store import migrations as comment_migrations
from comments_store.backup import BackupError, backup, check_file, prune, restore
from conftest import ROOT
from feedback import migrations as feedback_migrations
from feedback import store as feedback_store

KNOWN = {"comments_store": comment_migrations.names(), "feedback": feedback_migrations.names()}


def live_db(path):
    db = feedback_store.prepare(comments_store.open_db(path))
    comments_store.register_threads(db, [{"slug": "article", "title": "Article", "url": "/article/"}])
    return db


def migrate(path):
    feedback_store.prepare(comments_store.open_db(path)).close()


def comments_in(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, author, body, status FROM comments ORDER BY id").fetchall()


def test_a_backup_taken_during_concurrent_writes_is_sound_and_restores_equal(tmp_path):
    path = tmp_path / "live.db"
    live_db(path).close()
    stop, errors = threading.Event(), []

    def writer(n):
        db = comments_store.open_db(path)
        i = 0
        try:
            while not stop.is_set():
                comments_store.add_comment(db, "article", NewComment(author=f"L{n}", body=f"Texte {n}-{i}"),
                                           moderation="none")
                i += 1
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    try:
        while len(comments_in(path)) < 200:
            pass
        done = [backup(path, tmp_path / "backups", KNOWN) for _ in range(3)]
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    for one in done:
        assert check_file(one.path, KNOWN).counts["comments"] == one.counts["comments"] >= 200
    copy = done[-1]
    snapshot = comments_in(copy.path)
    assert len(comments_in(path)) >= len(snapshot)  # the live file went on growing
    restore(copy.path, path, KNOWN, migrate)
    assert comments_in(path) == snapshot
    assert (tmp_path / "live.db.before-restore").exists()


def test_backups_are_named_by_utc_time_and_only_the_last_ones_kept(tmp_path):
    path = tmp_path / "live.db"
    live_db(path).close()
    folder = tmp_path / "backups"
    start = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.timezone.utc)
    for day in range(5):
        backup(path, folder, KNOWN, keep=3, now=start + dt.timedelta(days=day))
    assert sorted(p.name for p in folder.iterdir()) == [
        "boucle-20261203T030000Z.db", "boucle-20261204T030000Z.db", "boucle-20261205T030000Z.db"]
    (folder / "mes-notes.txt").write_text("à garder")
    prune(folder, 1)
    assert sorted(p.name for p in folder.iterdir()) == ["boucle-20261205T030000Z.db", "mes-notes.txt"]


@pytest.mark.parametrize("damage", ["corrupt", "truncated", "not sqlite", "foreign sqlite", "empty"])
def test_a_bad_file_is_refused_and_the_live_database_untouched(tmp_path, damage):
    path = tmp_path / "live.db"
    db = live_db(path)
    comments_store.add_comment(db, "article", NewComment(author="Sara", body="Je reste là"), moderation="none")
    db.close()
    good = backup(path, tmp_path / "backups", KNOWN).path
    bad = tmp_path / "bad.db"
    data = good.read_bytes()
    if damage == "corrupt":
        bad.write_bytes(data[:4096] + b"\xde\xad" * 2048 + data[8192:])
    elif damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "not sqlite":
        bad.write_text("pas une base")
    elif damage == "empty":
        bad.write_bytes(b"")
    else:
        with sqlite3.connect(bad) as conn:
            conn.execute("CREATE TABLE autre (x)")
    before = path.read_bytes()
    with pytest.raises(BackupError):
        restore(bad, path, KNOWN, migrate)
    assert path.read_bytes() == before and comments_in(path)[0][2] == "Je reste là"


def test_a_newer_schema_is_refused_and_an_older_one_migrated(tmp_path):
    path = tmp_path / "live.db"
    live_db(path).close()
    newer = tmp_path / "newer.db"
    backup(path, tmp_path, KNOWN, to=newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('comments_store', '9999_from_the_future', '2030-01-01')")
    with pytest.raises(BackupError, match="plus récent"):
        restore(newer, path, KNOWN, migrate)
    older = tmp_path / "older.db"
    backup(path, tmp_path, KNOWN, to=older)
    with sqlite3.connect(older) as conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_thread_changes'")
        conn.execute("DROP TRIGGER comments_inserted")
        conn.execute("DROP TRIGGER comments_updated")
        conn.execute("DROP TRIGGER comments_deleted")
        conn.execute("ALTER TABLE threads DROP COLUMN changes")
    assert check_file(older, KNOWN).missing_migrations == {"comments_store": ["0005_thread_changes"]}
    restore(older, path, KNOWN, migrate)
    assert check_file(path, KNOWN).missing_migrations == {}


def run_invoke(*args, env):
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_invoke_backup_and_restore_from_the_command_line(tmp_path, free_port):
    path = tmp_path / "live.db"
    live_db(path).close()
    env = {"BOUCLE_DB": str(path), "BOUCLE_BACKUP_DIR": str(tmp_path / "b"), "BOUCLE_PORT": str(free_port)}
    made = run_invoke("backup", env=env)
    assert made.returncode == 0 and "integrity_check ok" in made.stdout and "comments" in made.stdout, made.stderr
    copy = next((tmp_path / "b").iterdir())
    put_back = run_invoke("restore", str(copy), env=env)
    assert put_back.returncode == 0 and "before-restore" in put_back.stdout, put_back.stderr
    refused = run_invoke("restore", str(tmp_path / "nulle-part.db"), env=env)
    assert refused.returncode != 0 and "Restauration refusée" in refused.stderr


def test_after_a_restore_new_comments_get_numbers_never_handed_out_and_every_thread_a_new_etag(tmp_path):
    """Comments posted after the backup (then set aside by the restore) keep their numbers to themselves, and
    every thread's counter moves forward so no cache serves a pre-restore answer."""
    path = tmp_path / "live.db"
    db = live_db(path)
    comments_store.add_comment(db, "article", NewComment(author="Sara", body="Dans la sauvegarde"), moderation="none")
    copy = backup(path, tmp_path / "backups", KNOWN).path
    later = [comments_store.add_comment(db, "article", NewComment(author="Ali", body=f"Après {i}"),
                                        moderation="none")[0] for i in range(3)]
    before = comments_store.get_thread(db, "article").changes
    done = restore(copy, path, KNOWN, migrate)
    assert done.set_aside == 3 and [c[2] for c in comments_in(done.kept)][-1] == "Après 2"
    assert comments_store.get_thread(db, "article").changes > before  # the service's own connection sees it
    again, _ = comments_store.add_comment(db, "article", NewComment(author="Ali", body="Après la restauration"),
                                          moderation="none")
    db.close()
    assert again.id > later[-1].id


def test_a_backup_with_broken_references_is_refused_and_the_live_data_untouched(tmp_path):
    path = tmp_path / "live.db"
    db = live_db(path)
    comments_store.add_comment(db, "article", NewComment(author="Sara", body="Je reste là"), moderation="none")
    db.close()
    copy = backup(path, tmp_path / "backups", KNOWN).path
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE comments SET thread_id = 999")
    before = comments_in(path)
    with pytest.raises(BackupError, match="références"):
        restore(copy, path, KNOWN, migrate)
    assert comments_in(path) == before


def test_a_damaged_live_database_is_replaced_only_with_force(tmp_path, free_port):
    """Data cannot be restored into a damaged file: the restore says so, and --force swaps the whole file."""
    path = tmp_path / "live.db"
    db = live_db(path)
    comments_store.add_comment(db, "article", NewComment(author="Sara", body="Sauvegardé"), moderation="none")
    db.close()
    copy = backup(path, tmp_path / "backups", KNOWN).path
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[:4096] + b"\xde\xad" * 2048 + data[8192:])
    damaged = path.read_bytes()
    env = {"BOUCLE_DB": str(path), "BOUCLE_PORT": str(free_port)}
    refused = run_invoke("restore", str(copy), env=env)
    assert refused.returncode != 0 and "--force" in refused.stderr and path.read_bytes() == damaged
    forced = run_invoke("restore", str(copy), "--force", env=env)
    assert forced.returncode == 0, forced.stderr
    assert comments_in(path)[0][2] == "Sauvegardé"
    assert (tmp_path / "live.db.before-restore").read_bytes() == damaged


def test_a_backup_from_before_ids_were_kept_restores_into_a_live_database(tmp_path):
    """A backup made before migration 0008 is migrated on the way in: the live schema stays, rows are the
    backup's, and the next comment comes after every number the live database gave."""
    old = tmp_path / "old.db"
    db = comments_store.open_db(old, migrate=False)
    comment_migrations.migrations.apply(db, stop_before="0008_comment_ids_never_reused")
    feedback_migrations.migrations.apply(db)
    comments_store.register_threads(db, [{"slug": "article", "title": "Article", "url": "/article/"}])
    comments_store.add_comment(db, "article", NewComment(author="Sara", body="D'avant"), moderation="none")
    db.close()
    path = tmp_path / "live.db"
    live = live_db(path)
    given = [comments_store.add_comment(live, "article", NewComment(author="Ali", body=f"Vivant {i}"),
                                        moderation="none")[0] for i in range(4)]
    schema = sorted(live.execute("SELECT name, sql FROM sqlite_master").fetchall())
    live.close()
    restore(old, path, KNOWN, migrate)
    assert [c[2] for c in comments_in(path)] == ["D'avant"]
    live = comments_store.open_db(path)
    after, _ = comments_store.add_comment(live, "article", NewComment(author="Ali", body="Après"), moderation="none")
    assert after.id > given[-1].id
    assert sorted(live.execute("SELECT name, sql FROM sqlite_master").fetchall()) == schema
    live.close()


def test_a_running_app_serves_the_restored_comments_at_once(tmp_path, make_app):
    """The app's pooled connections and its thread cache give the restored data on the very next read."""
    app = make_app(moderation="none")
    path = app.config["DB_PATH"]
    migrate(path)
    client = app.test_client()
    url = "/api/threads/negocier-son-salaire/comments"
    db = comments_store.open_db(path)
    comments_store.add_comment(db, "negocier-son-salaire", NewComment(author="Sara", body="Sauvegardé"),
                               moderation="none")
    copy = backup(path, tmp_path / "b", KNOWN).path
    comments_store.add_comment(db, "negocier-son-salaire", NewComment(author="Ali", body="Mis de côté"),
                               moderation="none")
    db.close()
    before = client.get(url)
    assert [c["author"] for c in before.get_json()["comments"]] == ["Sara", "Ali"]
    restore(copy, path, KNOWN, migrate)
    after = client.get(url)
    assert [c["author"] for c in after.get_json()["comments"]] == ["Sara"]
    assert client.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_a_restore_waits_for_the_write_lock_then_gives_up_leaving_everything_as_it_was(tmp_path):
    """Another writer holding its transaction open makes the restore refuse, by name, and change nothing."""
    path = tmp_path / "live.db"
    db = live_db(path)
    comments_store.add_comment(db, "article", NewComment(author="Sara", body="Sauvegardé"), moderation="none")
    copy = backup(path, tmp_path / "b", KNOWN).path
    comments_store.add_comment(db, "article", NewComment(author="Ali", body="Pas encore"), moderation="none")
    db.close()
    before = comments_in(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(comments_store.StoreUnavailable):
            restore(copy, path, KNOWN, migrate, wait=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert comments_in(path) == before


def test_leases_of_the_running_service_are_not_restored(tmp_path):
    """The rebuild lease describes the service, not the blog: the live one stays, a restored one does not come back."""
    path = tmp_path / "live.db"
    db = live_db(path)
    db.execute("INSERT INTO leases (name, holder, until) VALUES ('rebuild', 'ancienne-machine', '2999-01-01')")
    db.conn.commit()
    copy = backup(path, tmp_path / "b", KNOWN).path
    db.execute("DELETE FROM leases")
    db.conn.commit()
    db.close()
    restore(copy, path, KNOWN, migrate)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM leases").fetchone()[0] == 0


def test_a_session_ended_after_the_backup_does_not_come_back_with_the_restore(tmp_path):
    """Admin sessions describe the running service: one logged out after the backup stays ended after a restore."""
    from comments_store import admin_sessions

    path = tmp_path / "live.db"
    db = live_db(path)
    session_id, _ = admin_sessions.open_session(db, "empreinte", "admin", lifetime=dt.timedelta(hours=12))
    copy = backup(path, tmp_path / "b", KNOWN).path
    admin_sessions.close(db, session_id)
    db.close()
    restore(copy, path, KNOWN, migrate)
    db = comments_store.open_db(path)
    try:
        assert admin_sessions.resume(db, session_id, "empreinte", idle=dt.timedelta(hours=1),
                                     lifetime=dt.timedelta(hours=12)) is None
    finally:
        db.close()
