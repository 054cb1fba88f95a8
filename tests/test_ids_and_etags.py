"""Comment numbers are never handed out twice, and a thread's ETag moves only with what the public sees."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

import comments_store
from comments_store import NewComment
from comments_store import migrations as comment_migrations
from comments_store.export import export, write_files
from comments_store.importers import import_file
from comments_store.transfer import TABLES, copy_all
from conftest import THREADS
from feedback import store as feedback_store
from feedback.migrations import migrations as feedback_migrations

pytestmark = pytest.mark.both_databases

SLUG = THREADS[0]["slug"]
WINDOW = dt.timedelta(minutes=15)


def post(db, body: str, **kwargs):
    comment, token = comments_store.add_comment(db, SLUG, NewComment(author="Lina", body=body),
                                                moderation=kwargs.pop("moderation", "none"), **kwargs)
    return comment, token


# --- Numbers never reused -------------------------------------------------------------------------------------

def test_a_deleted_comment_s_number_is_not_given_to_the_next_one(db):
    """Delete the newest comment, post again: the new comment gets a larger number."""
    post(db, "Premier")
    newest, _ = post(db, "Deuxième, bientôt supprimé")
    comments_store.delete_comment(db, newest.id)
    after, _ = post(db, "Troisième")
    assert after.id > newest.id


def test_an_import_never_gives_a_number_this_database_gave_before(db, tmp_path, new_database):
    """An export keeping its numbers, imported into a database whose newest comment was deleted: neither the
    imported comments nor the next one take the deleted comment's number."""
    source = comments_store.open_db(new_database("source"))
    comments_store.register_threads(source, THREADS)
    for i in range(5):
        post(source, f"Ancien {i}")
    json_path, _ = write_files(export(source, with_personal_data=True), tmp_path)
    source.close()
    mine = [post(db, f"Le mien {i}")[0] for i in range(5)]
    comments_store.delete_comment(db, mine[-1].id)
    import_file(db, "boucle", json_path)
    after, _ = post(db, "Après l'import")
    ids = [r[0] for r in db.execute("SELECT id FROM comments")]
    assert mine[-1].id not in ids and after.id > mine[-1].id


def test_a_transfer_carries_the_numbers_handed_out(db, new_database):
    """A blog moved to another database goes on numbering after the deleted newest comment, not over it."""
    feedback_store.prepare(db)
    post(db, "Gardé")
    newest, _ = post(db, "Supprimé ensuite")
    comments_store.delete_comment(db, newest.id)
    target = feedback_store.prepare(comments_store.open_db(new_database("target")))
    try:
        copy_all(db, target, TABLES + feedback_store.TABLES)
        after, _ = post(target, "Premier après le déménagement")
    finally:
        target.close()
    assert after.id > newest.id


# --- The ETag follows what the public sees --------------------------------------------------------------------

def _pending(db, approved):
    post(db, "En attente de modération", moderation="all")


def _spam(db, approved):
    post(db, "Achetez ceci", moderation="all", spam=True)


def _rejected(db, approved):
    comment, _ = post(db, "Hors sujet", moderation="all")
    comments_store.set_status(db, comment.id, "rejected")


def _pending_deleted(db, approved):
    comment, _ = post(db, "Retiré avant publication", moderation="all")
    comments_store.delete_comment(db, comment.id)


def _unsubscribed(db, approved):
    comments_store.unsubscribe(db, "lina@example.org")


def _approved(db, approved):
    comment, _ = post(db, "Publié après relecture", moderation="all")
    comments_store.set_status(db, comment.id, "approved")


def _edited(db, approved):
    comment, token = approved
    comments_store.edit_own(db, SLUG, comment.id, token, "Texte corrigé", window=WINDOW, moderation="none")


def _deleted(db, approved):
    comments_store.delete_comment(db, approved[0].id)


def _published_at_once(db, approved):
    post(db, "Publié sans modération")


def etag_around(make_app, change) -> tuple[str, str]:
    app = make_app()
    client = app.test_client()
    db = comments_store.open_db(app.config["DB_PATH"])
    try:
        new = NewComment(author="Lina", body="Déjà publié", email="lina@example.org", notify=True)
        approved = comments_store.add_comment(db, SLUG, new, moderation="none")
        url = f"/api/threads/{SLUG}/comments"
        before = client.get(url)
        change(db, approved)
        after = client.get(url)
        assert client.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == (
            304 if after.headers["ETag"] == before.headers["ETag"] else 200)
        assert (before.get_json() == after.get_json()) == (before.headers["ETag"] == after.headers["ETag"])
        return before.headers["ETag"], after.headers["ETag"]
    finally:
        db.close()


@pytest.mark.parametrize("change", [_pending, _spam, _rejected, _pending_deleted, _unsubscribed],
                         ids=["pending", "spam", "rejected", "pending deleted", "unsubscribed"])
def test_the_etag_stays_when_nothing_public_changed(make_app, change):
    """A pending, spam or rejected comment, or a reader's unsubscribe, tells nothing through the ETag."""
    before, after = etag_around(make_app, change)
    assert before == after


@pytest.mark.parametrize("change", [_approved, _edited, _deleted, _published_at_once],
                         ids=["approval", "edit", "deletion", "published at once"])
def test_the_etag_changes_with_what_the_public_sees(make_app, change):
    """An approval, an edit of a published comment, a deletion each give the thread a new ETag."""
    before, after = etag_around(make_app, change)
    assert before != after


# --- SQLite's rebuilt table -----------------------------------------------------------------------------------

def _schema(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name != "
                                   "'sqlite_sequence'"))
    finally:
        conn.close()


def test_an_old_sqlite_database_migrates_to_the_schema_of_a_fresh_one(tmp_path):
    """A database made before 0008, with feedback and comments in it, ends with exactly a fresh one's tables,
    indexes and triggers, and keeps every row (feedback's rows included: nothing cascaded)."""
    old_path = tmp_path / "old.db"
    old = comments_store.open_db(old_path, migrate=False)
    comment_migrations.migrations.apply(old, stop_before="0008_comment_ids_never_reused")
    feedback_migrations.apply(old)
    comments_store.register_threads(old, THREADS)
    kept, _ = post(old, "Un problème avec le filtre")
    newest, _ = post(old, "Le plus récent")
    old.execute("INSERT INTO feedback_status (comment_id, status, updated_by, updated_at) "
                "VALUES (?, 'new', 'po', '2026-12-01')", [kept.id])
    old.conn.commit()
    rows_before = list(old.execute("SELECT * FROM comments ORDER BY id"))
    old.close()
    migrated = feedback_store.prepare(comments_store.open_db(old_path))
    fresh = feedback_store.prepare(comments_store.open_db(tmp_path / "fresh.db"))
    fresh.close()
    try:
        # Columns added by later migrations come after the old ones, whose values are kept.
        assert [row[:len(rows_before[0])] for row in migrated.execute("SELECT * FROM comments ORDER BY id")] \
            == rows_before
        assert list(migrated.execute("SELECT comment_id FROM feedback_status")) == [(kept.id,)]
        assert migrated.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert migrated.execute("PRAGMA foreign_key_check").fetchall() == []
        comments_store.delete_comment(migrated, newest.id)
        after, _ = post(migrated, "Après la migration")
        assert after.id > newest.id
    finally:
        migrated.close()
    assert _schema(old_path) == _schema(tmp_path / "fresh.db")
    names = {row[1] for row in _schema(old_path)}
    assert {"comments_import_key", "comments_email_lower", "comments_thread_status", "comments_parent",
            "comments_inserted", "comments_updated", "comments_deleted"} <= names
    comments_table = next(sql for kind, name, _, sql in _schema(old_path) if (kind, name) == ("table", "comments"))
    assert "AUTOINCREMENT" in comments_table
