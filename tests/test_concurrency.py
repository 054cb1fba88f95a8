"""Many readers posting at once on a real server: no 'database is locked' ever reaches them."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

import comments_store

from conftest import with_ts


@pytest.mark.both_databases
def test_concurrent_posts_all_succeed(make_app, free_port):
    """120 comments posted by 16 readers at once, each on a new connection: every one answered 201 is stored."""
    app = make_app(rate_limit="off", serve_site=False, siteurl=f"http://127.0.0.1:{free_port}", moderation="none")
    server = make_server("127.0.0.1", free_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{free_port}/api/threads/negocier-son-salaire/comments"
    try:
        def one(i):
            with requests.Session() as s:
                comment = with_ts(f"http://127.0.0.1:{free_port}",
                                  {"author": f"Lecteur {i}", "body": f"Commentaire numéro {i}"})
                return s.post(url, json=comment, timeout=30)

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            responses = list(pool.map(one, range(120)))
        assert [r.status_code for r in responses] == [201] * 120, {r.status_code: r.text for r in responses}
        assert time.monotonic() - started < 60
        ids = {r.json()["id"] for r in responses}
        assert len(ids) == 120
        # Acknowledged means stored: each answer's comment is in the database, with the text that was sent.
        db = comments_store.open_db(app.config["DB_PATH"], migrate=False)
        try:
            stored = {c.id: c.body for c in comments_store.list_approved(db, "negocier-son-salaire")}
        finally:
            db.close()
        sent = {r.json()["id"]: f"Commentaire numéro {i}" for i, r in enumerate(responses)}
        assert sent == {i: stored.get(i) for i in ids}
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_two_processes_share_the_database(tmp_path):
    """The build and the API write the same file: WAL and the busy timeout let both proceed."""
    import comments_store

    path = tmp_path / "shared.db"
    a, b = comments_store.open_db(path), comments_store.open_db(path)
    comments_store.register_threads(a, [{"slug": "x", "title": "X", "url": "/x/", "lang": "fr"}])
    errors = []

    def writer(db, name):
        try:
            for i in range(50):
                comments_store.add_comment(db, "x", comments_store.NewComment(author=name, body=f"{name} {i}"))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(a, "a")), threading.Thread(target=writer, args=(b, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert a.execute("SELECT count(*) FROM comments").fetchone()[0] == 100
