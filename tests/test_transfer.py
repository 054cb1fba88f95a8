"""Moving a blog from SQLite to PostgreSQL (and back) keeps every comment, tag, status, reply and e-mail."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import comments_store
import mailer
from comments_store.transfer import TABLES, TransferError, copy_all
from conftest import ROOT, THREADS
from feedback import store as feedback_store

ALL = TABLES + feedback_store.TABLES


def a_blog(location: str):
    """A database with what a blog accumulates: comments and replies, a team answer, spam, tags, a correction,
    statuses with their history, a notified reader, a queued e-mail and a digest already sent."""
    db = feedback_store.prepare(comments_store.open_db(location))
    comments_store.register_threads(db, THREADS)
    first, _ = comments_store.add_comment(db, "negocier-son-salaire", comments_store.NewComment(
        author="Salma", body="Le filtre par ville ne marche pas.", email="salma@example.ma", notify=True),
        moderation="none", client_hash="h1")
    comments_store.add_comment(db, "negocier-son-salaire", comments_store.NewComment(
        author="Yassine", body="Chez moi non plus.", parent_id=first.id), moderation="none")
    comments_store.add_comment(db, "recruter-a-distance", comments_store.NewComment(
        author="promo", body="Achetez"), spam=True)
    comments_store.add_team_reply(db, first.id, "Corrigé, merci !")
    feedback_store.set_human_labels(db, first.id, ["problem"], author="po")
    feedback_store.set_status(db, first.id, "triaged", author="po", note="à voir")
    feedback_store.set_status(db, first.id, "done", author="po")
    feedback_store.mark_notified(db, first.id)
    mailer.queue(db, ["po@atlas.example"], "Sujet", "texte")
    feedback_store.queue_digest_once(db, "2026-W47", ["po@atlas.example"], lambda: None)
    return db


def every_row(db) -> dict[str, list[tuple]]:
    from comments_store.transfer import columns

    return {t: sorted(tuple(r) for r in db.execute(f"SELECT {', '.join(columns(db, t))} FROM {t}")) for t in ALL}


def test_a_sqlite_blog_moves_to_postgresql_with_every_row(tmp_path, pg_cluster):
    source = a_blog(str(tmp_path / "blog.db"))
    target = feedback_store.prepare(comments_store.open_db(pg_cluster.create()))
    counts = copy_all(source, target, ALL)
    assert counts["comments"] == 4 and counts["feedback_history"] >= 3
    before, after = every_row(source), every_row(target)
    for table in ALL:
        if table == "threads":  # the `changes` counter counts the copy's own inserts: only a cache key
            strip = lambda rows: [r[:-1] for r in rows]  # noqa: E731
            assert strip(after[table]) == strip(before[table])
        else:
            assert after[table] == before[table], table
    # New rows get new numbers: the sequences moved past the copied ids.
    reply, _ = comments_store.add_comment(target, "recruter-a-distance", comments_store.NewComment(
        author="Nouveau", body="Après le déménagement"), moderation="none")
    assert reply.id == max(r[0] for r in before["comments"]) + 1


def test_and_back_to_sqlite(tmp_path, pg_cluster):
    source = a_blog(pg_cluster.create())
    target = feedback_store.prepare(comments_store.open_db(tmp_path / "back.db"))
    copy_all(source, target, ALL)
    assert every_row(target)["comments"] == every_row(source)["comments"]


def test_a_target_that_already_holds_comments_is_refused_untouched(tmp_path, pg_cluster):
    source = a_blog(str(tmp_path / "blog.db"))
    target = a_blog(pg_cluster.create())
    before = every_row(target)
    with pytest.raises(TransferError, match="pas vide"):
        copy_all(source, target, ALL)
    assert every_row(target) == before


def test_invoke_migrate_db_from_the_command_line(tmp_path, pg_cluster):
    a_blog(str(tmp_path / "blog.db")).close()
    url = pg_cluster.create()
    env = {**os.environ, "BOUCLE_DB": str(tmp_path / "blog.db"), "BOUCLE_INSTANCE": str(tmp_path)}
    env.pop("BOUCLE_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "invoke", "migrate-db", "--to", url], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "comments" in done.stdout and comments_store.open_db(url).execute(
        "SELECT count(*) FROM comments").fetchone()[0] == 4
    again = subprocess.run([sys.executable, "-m", "invoke", "migrate-db", "--to", url], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert again.returncode != 0 and "pas vide" in again.stderr
