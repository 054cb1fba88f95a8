"""Several API processes on one PostgreSQL and one Redis: nothing lost, nothing twice, one rate limit."""
from __future__ import annotations

import concurrent.futures
import os
import socket
import subprocess
import sys
import time

import pytest
import requests

import comments_store
from conftest import ADMIN_TOKEN, ROOT, THREADS, with_ts

SLUG = THREADS[0]["slug"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_machines(pg_cluster, redis_url, tmp_path):
    """Two gunicorn servers, as on two machines: each its own instance folder, one database, one Redis."""
    url = pg_cluster.create()
    comments_store.register_threads(comments_store.open_db(url), THREADS)
    servers, bases, logs = [], [], []
    try:
        for n in (1, 2):
            port = free_port()
            env = {**os.environ, "BOUCLE_DATABASE_URL": url, "BOUCLE_PORT": str(port), "BOUCLE_SERVE_SITE": "0",
                   "BOUCLE_INSTANCE": str(tmp_path / f"machine-{n}"), "BOUCLE_SECRET_KEY": "cle-partagee",
                   "BOUCLE_ADMIN_TOKEN": ADMIN_TOKEN, "BOUCLE_MODERATION": "none", "BOUCLE_PROXIES": "1",
                   "BOUCLE_RATE_LIMIT": "5/minute", "BOUCLE_RATE_LIMIT_STORAGE": redis_url, "BOUCLE_WORKERS": "2",
                   "BOUCLE_DUPLICATE_WINDOW": "0", "BOUCLE_MIN_FILL_SECONDS": "0"}
            logs.append(open(tmp_path / f"machine-{n}.log", "w"))
            servers.append(subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                                             str(ROOT / "deploy" / "gunicorn.conf.py")],
                                            cwd=ROOT, env=env, stdout=logs[-1], stderr=subprocess.STDOUT))
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(base + "/api/health", timeout=5).ok:
                        break
                except requests.RequestException:
                    assert time.monotonic() < deadline, (tmp_path / "machine-1.log").read_text()
                    time.sleep(0.1)
        yield url, bases
    finally:
        for server, log in zip(servers, logs):
            server.terminate()
            server.wait(timeout=30)
            log.close()


def post(base: str, n: int, address: str):
    return requests.post(f"{base}/api/threads/{SLUG}/comments", timeout=30, headers={"X-Forwarded-For": address},
                         json=with_ts(base, {"author": f"Lecteur {n}",
                                             "body": f"Commentaire numéro {n} envoyé en même temps"}))


def test_posts_to_both_machines_at_once_are_all_kept_once(two_machines):
    """120 readers post at once, half through each machine: every acknowledged comment is stored once, and
    both machines list the same thread."""
    url, bases = two_machines
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda n: (n, post(bases[n % 2], n, f"10.{n // 250}.{n % 250}.1")), range(120)))
    acknowledged = {n for n, answer in answers if answer.status_code == 201}
    assert len(acknowledged) == 120, {a.status_code for _, a in answers}
    db = comments_store.open_db(url)
    bodies = [r[0] for r in db.execute("SELECT body FROM comments")]
    assert sorted(bodies) == sorted(f"Commentaire numéro {n} envoyé en même temps" for n in acknowledged)
    listed = [requests.get(f"{base}/api/threads/{SLUG}/comments", timeout=10).json() for base in bases]
    assert len(listed[0]["comments"]) == len(listed[1]["comments"]) == 120
    assert comments_store.counts(db, [SLUG])[SLUG] == 120


def test_the_rate_limit_is_shared_between_machines(two_machines):
    """5 comments a minute per address: the sixth is refused, whichever machine it reaches."""
    _, bases = two_machines
    codes = [post(bases[n % 2], n, "203.0.113.9").status_code for n in range(7)]
    assert codes == [201] * 5 + [429, 429]


def test_the_api_recovers_when_postgresql_drops_its_connections(pg_cluster, site):
    """A database restart or failover closes every connection: at most one request answers 503, then the API
    answers again with new connections (none of the broken ones goes back to the pool)."""
    import psycopg

    from comments_api import create_app
    from comments_api.db import close_all

    url = pg_cluster.create()
    comments_store.register_threads(comments_store.open_db(url), THREADS)
    app = create_app({"TESTING": True, "SITE_DIR": str(site), "DB_PATH": url, "SECRET_KEY": "k",
                      "ADMIN_TOKEN": ADMIN_TOKEN, "RATE_LIMIT": "off", "MODERATION": "none", "MIN_FILL_SECONDS": 0})
    client = app.test_client()
    body = {"author": "A", "body": "Avant la coupure"}
    assert client.post(f"/api/threads/{SLUG}/comments", json=with_ts(client, body)).status_code == 201
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    codes = [client.get(f"/api/threads/{SLUG}/comments?fresh={n}").status_code for n in range(3)]
    assert codes[-2:] == [200, 200] and set(codes) <= {200, 503}
    after = with_ts(client, {"author": "B", "body": "Après la coupure"})
    assert client.post(f"/api/threads/{SLUG}/comments", json=after).status_code == 201
    close_all(app)
