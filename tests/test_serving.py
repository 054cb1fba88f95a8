"""`make run` serves the built blog with clean URLs, a real 404 page and a strict policy."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from conftest import ROOT


@pytest.mark.parametrize("path", ["/", "/negocier-son-salaire/", "/en/nouvelle-application-mobile/",
                                  "/page/2/", "/feeds/all.atom.xml", "/sitemap.xml", "/theme/css/style.css"])
def test_serves_built_files_at_clean_urls(client, path):
    """Pages answer at their clean URL; feeds, sitemap and assets at their path."""
    with client.get(path) as response:
        assert response.status_code == 200


def test_folder_without_slash_redirects(client):
    """/archives redirects permanently to /archives/ so relative links resolve."""
    with client.get("/archives?x=1") as response:
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/archives/?x=1")


@pytest.mark.parametrize("path", ["/nexiste-pas/", "/a/b/c", "/../pelicanconf.py", "/%2e%2e/tasks.py"])
def test_unknown_paths_get_the_404_page(client, path):
    """Unknown paths, including attempts to leave output/, get the themed 404 page."""
    with client.get(path) as response:
        assert response.status_code == 404
        assert "Page introuvable" in response.get_data(as_text=True)


def test_pages_are_sent_with_a_strict_content_security_policy(client):
    """Every page forbids scripts, styles and frames from other origins."""
    with client.get("/") as response:
        policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_health(client):
    """GET /api/health says the service is up."""
    response = client.get("/api/health")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_site_serving_can_be_switched_off(make_app):
    """Behind nginx, BOUCLE_SERVE_SITE=0 leaves only the API."""
    app = make_app(serve_site=False)
    with app.test_client().get("/") as response:
        assert response.status_code == 404
    assert app.test_client().get("/api/health").status_code == 200


@contextlib.contextmanager
def invoke_run(tmp_path, port: int, **settings: str):
    """`invoke run` in a child process, handed over once it says it is ready; stopped with Ctrl-C's signal.

    Yields the base URL and the list of lines it printed so far.
    """
    env = {**os.environ, "BOUCLE_PORT": str(port), "BOUCLE_OUTPUT": str(tmp_path / "out"),
           "BOUCLE_CACHE": str(tmp_path / "cache"), "BOUCLE_INSTANCE": str(tmp_path / "instance"), **settings}
    proc = subprocess.Popen([sys.executable, "-m", "invoke", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180  # a loaded machine builds slowly; the ready line is what counts
        while not any("Boucle est prêt" in line for line in lines):
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", proc, lines
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        proc.wait(timeout=60)
        reader.join(timeout=10)
        proc.stdout.close()
    assert proc.returncode == 0, "".join(lines)


def post_without_javascript(base: str, author: str, body: str) -> str:
    """Post the article's form as a browser without JavaScript does; return the page the redirect leads to."""
    session = requests.Session()
    token = session.get(base + "/api/form-token", timeout=5).json()["token"]
    answer = session.post(f"{base}/api/threads/negocier-son-salaire/comments", timeout=60, allow_redirects=False,
                          data={"author": author, "body": body, "ts": token},
                          headers={"Origin": base, "Referer": f"{base}/negocier-son-salaire/"})
    assert answer.status_code == 303
    return session.get(answer.headers["Location"], timeout=5).text


def test_invoke_run_builds_and_serves_on_the_chosen_port(tmp_path, free_port):
    """`invoke run` (what `make run` calls) builds the site and serves it on BOUCLE_PORT until stopped."""
    with invoke_run(tmp_path, free_port) as (base, proc, lines):
        home = requests.get(base + "/", timeout=5)
        assert home.status_code == 200 and 'lang="fr"' in home.text
        assert requests.get(base + "/pages/a-propos/", timeout=5).status_code == 200
        assert requests.get(base + "/api/health", timeout=5).json() == {"status": "ok"}
    assert any(f"http://127.0.0.1:{free_port}/" in line for line in lines)


def test_under_invoke_run_a_no_javascript_reader_lands_on_a_page_that_shows_their_comment(tmp_path, free_port):
    """`make run` serves the API from its own server process (waitress); the site watcher runs beside it, and a
    form post published at once is redirected only once the rebuilt page holds it."""
    with invoke_run(tmp_path, free_port, BOUCLE_MODERATION="none", BOUCLE_MIN_FILL_SECONDS="0") as (base, proc, _):
        ps = subprocess.run(["ps", "-o", "args=", "--ppid", str(proc.pid)], capture_output=True, text=True).stdout
        assert "comments_api.server" in ps
        page = post_without_javascript(base, "Sans JS", "Publié sans JavaScript, visible au retour.")
        assert "Publié sans JavaScript, visible au retour." in page


def test_invoke_run_on_postgresql_serves_the_blog_and_its_comments(tmp_path, free_port, pg_cluster):
    """BOUCLE_DATABASE_URL=postgresql://… make run: the same blog, the comments in PostgreSQL."""
    import comments_store

    url = pg_cluster.create()
    with invoke_run(tmp_path, free_port, BOUCLE_DATABASE_URL=url, BOUCLE_MODERATION="none",
                    BOUCLE_MIN_FILL_SECONDS="0") as (base, _, _lines):
        assert "Rangé dans PostgreSQL" in post_without_javascript(base, "Postgres",
                                                                  "Rangé dans PostgreSQL, affiché sur la page.")
    db = comments_store.open_db(url, migrate=False)
    assert db.execute("SELECT author FROM comments").fetchall() == [("Postgres",)]
    assert len(comments_store.list_threads(db)) >= 10  # the build registered the articles there
    db.close()


def test_invoke_run_starts_when_the_site_url_names_another_host(tmp_path, free_port):
    """With BOUCLE_SITEURL on a public name, the loopback address is not a host the blog serves (400), yet
    `invoke run` sees the server answer and starts; the site's own name is served."""
    with invoke_run(tmp_path, free_port, BOUCLE_SITEURL="https://blog.example.ma") as (base, proc, lines):
        assert requests.get(base + "/api/health", timeout=10).status_code == 400
        served = requests.get(base + "/api/health", timeout=10, headers={"Host": "blog.example.ma"})
        assert served.json() == {"status": "ok"}
