"""Nothing lost under faults: a killed server, a full disk, a database that cannot be written."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import comments_store
from comments_store import NewComment, StoreUnavailable
from conftest import ROOT, wait_for, with_ts

SLUG = "article"


def fresh_db(path):
    db = comments_store.open_db(path)
    comments_store.register_threads(db, [{"slug": SLUG, "title": "Article", "url": "/article/"}])
    return db


def integrity(path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


# ---------------------------------------------------------------- a server killed mid-burst

def start_server(tmp_path, port: int, db_path) -> subprocess.Popen:
    env = {**os.environ, "BOUCLE_DB": str(db_path), "BOUCLE_INSTANCE": str(tmp_path / "instance"),
           "BOUCLE_SERVE_SITE": "0", "BOUCLE_RATE_LIMIT": "off", "BOUCLE_MODERATION": "none",
           "BOUCLE_MIN_FILL_SECONDS": "0",
           "BOUCLE_SECRET_KEY": "cle", "BOUCLE_ADMIN_TOKEN": "jeton-de-test-0123456789"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "4",
         "comments_api:create_app()"], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def up():
        try:
            return requests.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    assert wait_for(up, 30), "gunicorn did not start"
    return process


def test_every_acknowledged_comment_survives_sigkill_mid_burst(tmp_path, free_port):
    db_path = tmp_path / "kill.db"
    fresh_db(db_path).close()
    server = start_server(tmp_path, free_port, db_path)
    url = f"http://127.0.0.1:{free_port}/api/threads/{SLUG}/comments"
    acknowledged, stop = {}, threading.Event()
    lock = threading.Lock()

    def writer(n):
        with requests.Session() as session:
            try:
                token = with_ts(f"http://127.0.0.1:{free_port}", {})["ts"]
            except requests.RequestException:
                return
            for i in range(10_000):
                if stop.is_set():
                    return
                body = f"Commentaire {n}-{i} " + "x" * 200
                try:
                    response = session.post(url, json={"author": f"Lecteur {n}", "body": body, "ts": token}, timeout=5)
                except requests.RequestException:
                    return  # the server is gone: what it did not answer was never promised
                if response.status_code == 201:
                    with lock:
                        acknowledged[response.json()["id"]] = body

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(writer, n) for n in range(8)]
            assert wait_for(lambda: len(acknowledged) >= 150, 60)
            os.killpg(server.pid, signal.SIGKILL)  # master and workers, mid-write
            server.wait(timeout=10)
            stop.set()
            for f in futures:
                f.result(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    assert integrity(db_path) == "ok"
    restarted = start_server(tmp_path, free_port, db_path)
    try:
        listed = requests.get(url, timeout=10).json()["comments"]
        assert {c["id"] for c in listed} >= set(acknowledged)  # served again, every one of them
        after = with_ts(f"http://127.0.0.1:{free_port}", {"author": "Sara", "body": "Après le redémarrage"})
        ok = requests.post(url, json=after, timeout=10)
        assert ok.status_code == 201
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=10)
    with sqlite3.connect(db_path) as conn:
        stored = dict(conn.execute("SELECT id, body FROM comments"))
    missing = {i for i in acknowledged if i not in stored}
    assert not missing, f"{len(missing)} acknowledged comments lost"
    assert all(stored[i] == body for i, body in acknowledged.items())
    assert integrity(db_path) == "ok"


# ---------------------------------------------------------------- a full database (any machine)

def test_a_full_database_refuses_writes_by_name_keeps_reads_and_recovers(tmp_path):
    db = fresh_db(tmp_path / "full.db")
    first, _ = comments_store.add_comment(db, SLUG, NewComment(author="Sara", body="Avant"), moderation="none")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # not one page more: the disk is "full"
    with pytest.raises(StoreUnavailable):
        for i in range(200):
            comments_store.add_comment(db, SLUG, NewComment(author="Sara", body=f"Pendant {i} " + "x" * 3000),
                                       moderation="none")
    assert [c.body for c in comments_store.list_approved(db, SLUG)][0] == "Avant"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.execute(f"PRAGMA max_page_count = {pages * 100}")
    after, _ = comments_store.add_comment(db, SLUG, NewComment(author="Sara", body="Après"), moderation="none")
    assert after.id > first.id


def test_a_read_only_database_refuses_writes_by_name_and_recovers(tmp_path):
    db = fresh_db(tmp_path / "ro.db")
    comments_store.add_comment(db, SLUG, NewComment(author="Sara", body="Avant"), moderation="none")
    db.execute("PRAGMA query_only = ON")  # what a read-only file or mount looks like to SQLite
    with pytest.raises(StoreUnavailable):
        comments_store.add_comment(db, SLUG, NewComment(author="Sara", body="Pendant"), moderation="none")
    assert [c.body for c in comments_store.list_approved(db, SLUG)] == ["Avant"]
    db.execute("PRAGMA query_only = OFF")
    comments_store.add_comment(db, SLUG, NewComment(author="Sara", body="Après"), moderation="none")
    assert [c.body for c in comments_store.list_approved(db, SLUG)] == ["Avant", "Après"]


def test_the_api_answers_503_with_retry_after_when_the_store_cannot_write(make_app, monkeypatch):
    """Whatever the cause, the reader gets a clear, retryable error in the API's shape."""
    client = make_app(moderation="none", serve_site=False).test_client()

    def full(*args, **kwargs):
        raise StoreUnavailable("database or disk is full")

    monkeypatch.setattr(comments_store, "add_comment", full)
    response = client.post("/api/threads/negocier-son-salaire/comments",
                           json=with_ts(client, {"author": "Sara", "body": "Bonjour"}))
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json()["error"]["code"] == "store_unavailable"
    assert client.get("/api/threads/negocier-son-salaire/comments").status_code == 200


# ---------------------------------------------------------------- a full disk, through the API (root only)

@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs, as root; elsewhere the test is skipped with the reason."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a size-limited tmpfs needs root (CI runs as root); the max_page_count test covers the store")
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder) -> None:
    with open(folder / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass


def api_db_on(folder):
    from conftest import THREADS

    path = folder / "api.db"
    db = comments_store.open_db(path)
    comments_store.register_threads(db, THREADS)
    db.close()
    return path


def test_full_disk_gives_503_keeps_reads_and_recovers_by_itself(make_app, small_disk):
    db_path = api_db_on(small_disk)
    app = make_app(db_path=str(db_path), moderation="none", serve_site=False)
    client = app.test_client()
    url = "/api/threads/negocier-son-salaire/comments"
    before = with_ts(client, {"author": "Sara", "body": "Avant le disque plein"})
    assert client.post(url, json=before).status_code == 201
    fill(small_disk)
    refused = [client.post(url, json=with_ts(client, {"author": "Sara", "body": f"Pendant {i} " + "x" * 4000}))
               for i in range(20)]
    assert any(r.status_code == 503 for r in refused)
    for response in refused:
        assert response.status_code in (201, 503)
        if response.status_code == 503:
            assert response.get_json()["error"]["code"] == "store_unavailable"
            assert response.headers["Retry-After"]
    listed = client.get(url)
    assert listed.status_code == 200 and "Avant le disque plein" in listed.get_json()["comments"][0]["html"]
    (small_disk / "filler").unlink()
    assert client.post(url, json=with_ts(client, {"author": "Sara", "body": "Après, tout seul"})).status_code == 201
    assert integrity(db_path) == "ok"
