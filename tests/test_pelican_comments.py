"""The Pelican plugin registers the site's articles as comment threads, and never breaks the build."""
from __future__ import annotations

import logging

import comments_store
from conftest import build_site


def test_build_registers_every_published_article(tmp_path):
    """After a build, each published article (not drafts, not translations) is a thread."""
    db_path = tmp_path / "threads.db"
    build_site(tmp_path / "out", COMMENTS={"db": str(db_path)})
    threads = {t.slug: t for t in comments_store.list_threads(comments_store.open_db(db_path))}
    assert "negocier-son-salaire" in threads and "salon-emploi-marrakech" not in threads
    assert threads["negocier-son-salaire"].url == "/negocier-son-salaire/"
    assert threads["negocier-son-salaire"].title == "Négocier son salaire sans gêne"
    assert len(threads) == 11


def test_rebuilding_keeps_comments(tmp_path):
    db_path = tmp_path / "threads.db"
    build_site(tmp_path / "out", COMMENTS={"db": str(db_path)})
    db = comments_store.open_db(db_path)
    comments_store.add_comment(db, "negocier-son-salaire", comments_store.NewComment(author="A", body="Un avis"))
    build_site(tmp_path / "out2", COMMENTS={"db": str(db_path)})
    assert comments_store.search(db)[1] == 1


def test_unusable_database_logs_a_warning_and_the_site_still_builds(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with caplog.at_level(logging.WARNING):
        out = build_site(tmp_path / "out", COMMENTS={"db": str(blocker / "x.db")})
    assert (out / "negocier-son-salaire" / "index.html").is_file()
    assert "pelican_comments:" in caplog.text


def test_threads_can_be_left_alone(tmp_path):
    db_path = tmp_path / "threads.db"
    build_site(tmp_path / "out", COMMENTS={"db": str(db_path), "register_threads": False})
    assert not db_path.exists()
