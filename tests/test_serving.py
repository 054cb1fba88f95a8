"""`make run` serves the built blog with clean URLs, a real 404 page and a strict policy."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def test_invoke_run_builds_and_serves_on_the_chosen_port(tmp_path, free_port):
    """`invoke run` (what `make run` calls) builds the site and serves it on BOUCLE_PORT until stopped."""
    env = {**os.environ, "BOUCLE_PORT": str(free_port), "BOUCLE_OUTPUT": str(tmp_path / "out"),
           "BOUCLE_CACHE": str(tmp_path / "cache"), "BOUCLE_INSTANCE": str(tmp_path / "instance")}
    proc = subprocess.Popen([sys.executable, "-m", "invoke", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{free_port}"
        for _ in range(300):
            try:
                if requests.get(base + "/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        home = requests.get(base + "/", timeout=5)
        assert home.status_code == 200 and 'lang="fr"' in home.text
        assert requests.get(base + "/pages/a-propos/", timeout=5).status_code == 200
        assert requests.get(base + "/api/health", timeout=5).json() == {"status": "ok"}
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{free_port}/" in out
