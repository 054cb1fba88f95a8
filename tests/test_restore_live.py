"""Restoring under a running service, on a port `invoke restore` is not told about: no acknowledged comment is lost."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import requests

import comments_store
from conftest import ROOT, wait_for
from feedback import store as feedback_store

SLUG = "article"


def other_free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp_path, port: int, db_path) -> subprocess.Popen:
    env = {**os.environ, "BOUCLE_DB": str(db_path), "BOUCLE_INSTANCE": str(tmp_path / "instance"),
           "BOUCLE_SERVE_SITE": "0", "BOUCLE_RATE_LIMIT": "off", "BOUCLE_MODERATION": "none",
           "BOUCLE_MIN_FILL_SECONDS": "0", "BOUCLE_SECRET_KEY": "cle",
           "BOUCLE_ADMIN_TOKEN": "jeton-de-test-0123456789"}
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


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def invoke(*args, env):
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=300)


def post(session, url: str, body: str) -> requests.Response:
    token = session.get(url.split("/api/")[0] + "/api/form-token", timeout=10).json()["token"]
    return session.post(url, json={"author": "Lecteur", "body": body, "ts": token}, timeout=30)


def stored_bodies(path) -> dict[int, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT id, body FROM comments"))
    finally:
        conn.close()


def test_a_restore_under_a_service_on_another_port_loses_no_acknowledged_comment(tmp_path, free_port):
    """Comments acknowledged after the restore are served and kept; those acknowledged before it are in the copy
    kept aside; none is lost, and no number is handed out twice."""
    db_path = tmp_path / "boucle.db"
    db = feedback_store.prepare(comments_store.open_db(db_path))
    comments_store.register_threads(db, [{"slug": SLUG, "title": "Article", "url": "/article/"}])
    db.close()
    env = {"BOUCLE_DB": str(db_path), "BOUCLE_PORT": str(other_free_port())}  # not the service's port
    server = start_server(tmp_path, free_port, db_path)
    url = f"http://127.0.0.1:{free_port}/api/threads/{SLUG}/comments"
    acknowledged: dict[str, tuple[int, float]] = {}  # body -> (id, when the 2xx came)
    lock, stop = threading.Lock(), threading.Event()

    def writer(n: int) -> None:
        with requests.Session() as session:
            i = 0
            while not stop.is_set():
                body = f"Commentaire {n}-{i}"
                response = post(session, url, body)
                if 200 <= response.status_code < 300:
                    with lock:
                        acknowledged[body] = (response.json()["id"], time.monotonic())
                i += 1

    try:
        with requests.Session() as session:
            for i in range(5):
                assert post(session, url, f"Dans la sauvegarde {i}").status_code == 201
            made = invoke("backup", "--to", str(tmp_path / "copie.db"), env=env)
            assert made.returncode == 0, made.stderr
            before = session.get(url, timeout=10)
            after_backup = [post(session, url, f"Après la sauvegarde {i}") for i in range(3)]
            assert {r.status_code for r in after_backup} == {201}
        writers = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        for t in writers:
            t.start()
        try:
            assert wait_for(lambda: len(acknowledged) >= 10, 60)
            put_back = invoke("restore", str(tmp_path / "copie.db"), env=env)
            restored_at = time.monotonic()
            assert put_back.returncode == 0, put_back.stderr
            assert wait_for(lambda: sum(1 for _, at in acknowledged.values() if at > restored_at) >= 10, 60)
        finally:
            stop.set()
            for t in writers:
                t.join(timeout=60)
        served = requests.get(url, timeout=10)
        assert served.headers["ETag"] != before.headers["ETag"]
        served_bodies = {c["html"] for c in served.json()["comments"]}
        assert not any("Après la sauvegarde" in html for html in served_bodies)  # the backup's data, at once
    finally:
        stop_server(server)
    restarted = start_server(tmp_path, free_port, db_path)
    try:
        listed = {c["id"] for c in requests.get(url, timeout=10).json()["comments"]}
    finally:
        stop_server(restarted)
    live, kept = stored_bodies(db_path), stored_bodies(tmp_path / "boucle.db.before-restore")
    ids = [i for i, _ in acknowledged.values()]
    assert len(ids) == len(set(ids))  # never the same number for two comments
    late = {body: i for body, (i, at) in acknowledged.items() if at > restored_at}
    assert {i: body for body, i in late.items()} == {i: live[i] for i in late.values()}
    assert set(late.values()) <= listed
    lost = [body for body, (i, _) in acknowledged.items() if live.get(i) != body and kept.get(i) != body]
    assert lost == []
    assert [kept[i] for i in sorted(kept)][5:8] == [f"Après la sauvegarde {i}" for i in range(3)]
