"""The files in deploy/ work as shipped: nginx accepts and serves the site, systemd accepts the units."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import urllib3

from conftest import ROOT, build_site
from test_serving_hostile_clients import MALFORMED, assert_json_error, raw_exchange

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def needs(tool, name):
    """Skipped with a reason on a developer's machine without the tool; CI installs it and never skips."""
    if tool or os.environ.get("CI"):
        return lambda f: f
    return pytest.mark.skip(reason=f"{name} is not installed (CI installs it)")


def port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(tmp_path: Path, output: Path, http: int, https: int, api: int) -> Path:
    """deploy/nginx/boucle.conf with its placeholders filled in, inside a throw-away nginx.conf."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=blog.example.ma", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "boucle.conf").read_text()
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.M)  # a test machine may lack IPv6
    site = (site.replace("listen 80", f"listen 127.0.0.1:{http}").replace("listen 443 ", f"listen 127.0.0.1:{https} ")
            .replace("/etc/letsencrypt/live/blog.example.ma/fullchain.pem", str(cert))
            .replace("/etc/letsencrypt/live/blog.example.ma/privkey.pem", str(key))
            .replace("/srv/boucle/output", str(output)).replace("127.0.0.1:8000", f"127.0.0.1:{api}"))
    (tmp_path / "boucle.conf").write_text(site)
    for folder in ("logs", "temp"):
        (tmp_path / folder).mkdir(exist_ok=True)
    main = tmp_path / "nginx.conf"
    # As root, nginx's workers would run as nobody, who cannot enter pytest's private temporary folders.
    user = "user root;" if os.geteuid() == 0 else ""
    main.write_text(f"""
{user}
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/logs/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp_path}/temp/body;
    proxy_temp_path {tmp_path}/temp/proxy;
    fastcgi_temp_path {tmp_path}/temp/fastcgi;
    uwsgi_temp_path {tmp_path}/temp/uwsgi;
    scgi_temp_path {tmp_path}/temp/scgi;
    include {tmp_path}/boucle.conf;
}}
""")
    return main


def nginx(main: Path, *args: str) -> list[str]:
    return [NGINX, "-p", str(main.parent), "-e", str(main.parent / "logs" / "error.log"), "-c", str(main), *args]


@needs(NGINX, "nginx")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    main = site_config(tmp_path, tmp_path / "output", port(), port(), port())
    checked = subprocess.run(nginx(main, "-t"), capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


SITE = {"Host": "blog.example.ma"}


def wait_for(url: str, **kwargs) -> requests.Response:
    for _ in range(200):
        try:
            return requests.get(url, timeout=2, **kwargs)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers at {url}")


@needs(NGINX, "nginx")
def test_nginx_serves_the_site_and_proxies_the_api_to_gunicorn_with_the_same_headers(tmp_path):
    """The static pages from output/, /api/ and /admin/ from gunicorn, plain HTTP sent to HTTPS, the
    one-machine server's security headers on every answer, and nothing at all for another host name."""
    from comments_api.site import SECURITY_HEADERS

    output = build_site(tmp_path / "output")
    http, https, api = port(), port(), port()
    main = site_config(tmp_path, output, http, https, api)
    env = {**os.environ, "BOUCLE_PORT": str(api), "BOUCLE_SERVE_SITE": "0", "BOUCLE_PROXIES": "1",
           "BOUCLE_SITEURL": "https://blog.example.ma",
           "BOUCLE_INSTANCE": str(tmp_path / "instance"), "BOUCLE_DB": str(tmp_path / "output-comments.db")}
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen(nginx(main), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # logs/error.log
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    try:
        base = f"https://127.0.0.1:{https}"
        wait_for(f"http://127.0.0.1:{api}/api/health", headers=SITE)
        home = wait_for(base + "/", verify=False, headers=SITE)
        assert home.status_code == 200 and 'lang="fr"' in home.text
        for name, value in SECURITY_HEADERS.items():
            assert home.headers[name] == value
        article = requests.get(base + "/negocier-son-salaire/", verify=False, timeout=5, headers=SITE)
        assert article.status_code == 200
        health = requests.get(base + "/api/health", verify=False, timeout=5, headers=SITE)
        assert health.json() == {"status": "ok"}
        assert health.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]
        assert requests.get(base + "/admin/", verify=False, timeout=5, allow_redirects=False,
                            headers=SITE).status_code in (200, 302)
        missing = requests.get(base + "/pas-une-page/", verify=False, timeout=5, headers=SITE)
        assert missing.status_code == 404 and "<html" in missing.text
        plain = requests.get(f"http://127.0.0.1:{http}/negocier-son-salaire/", timeout=5, allow_redirects=False,
                             headers=SITE)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://blog.example.ma/")
        for url in (f"http://127.0.0.1:{http}/", base + "/", base + "/api/health"):
            for headers in ({}, {"Host": "evil.example"}):
                with pytest.raises(requests.ConnectionError):
                    requests.get(url, verify=False, timeout=5, allow_redirects=False, headers=headers)
    finally:
        server.send_signal(signal.SIGQUIT)
        gunicorn.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        gunicorn.wait(timeout=30)


UNITS = sorted(p.name for p in (DEPLOY / "systemd").iterdir())


def test_every_timer_has_its_service_and_every_unit_reads_the_environment_file():
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        if name.endswith(".timer"):
            assert name.replace(".timer", ".service") in UNITS
        else:
            assert "EnvironmentFile=/etc/boucle/boucle.env" in text and "User=boucle" in text
    assert {"boucle-api.service", "boucle-refresh.timer", "boucle-tag.timer", "boucle-digest.timer",
            "boucle-backup.timer"} <= set(UNITS)


@needs(SYSTEMD_ANALYZE, "systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify, with /srv/boucle standing for this checkout (its commands must exist)."""
    shutil.copy(DEPLOY / "boucle.env", tmp_path / "boucle.env")
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace("/srv/boucle", str(ROOT)).replace("/etc/boucle/boucle.env", str(tmp_path / "boucle.env"))
        (tmp_path / name).write_text(text)
    checked = subprocess.run([SYSTEMD_ANALYZE, "verify", *[str(tmp_path / n) for n in UNITS]],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert "ignoring" not in checked.stderr.lower(), checked.stderr


def test_every_command_the_units_run_exists():
    """The invoke tasks named in ExecStart= are real tasks (systemd-analyze only checks that invoke exists)."""
    import tasks
    from invoke import Collection

    names = set(Collection.from_module(tasks).task_names)
    for name in UNITS:
        for line in (DEPLOY / "systemd" / name).read_text().splitlines():
            if line.startswith("ExecStart=") and "/invoke " in line:
                assert line.split("/invoke ", 1)[1].split()[0] in names


def test_migrations_are_safe_to_run_twice(tmp_path):
    """An upgrade restarts the service, which migrates: a second run changes nothing."""
    import comments_store
    from feedback import store as feedback_store

    path = tmp_path / "boucle.db"
    for _ in range(2):
        db = comments_store.open_db(path)
        feedback_store.prepare(db)
        applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
        db.close()
    assert len(applied) == len(set(applied))


@pytest.fixture(scope="module")
def nginx_before_gunicorn(tmp_path_factory):
    """nginx with deploy/nginx/boucle.conf in front of gunicorn with deploy/gunicorn.conf.py, as on a server.

    Yields the ports: {"nginx": HTTPS port, "gunicorn": the API's own port}.
    """
    folder = tmp_path_factory.mktemp("deploy")
    output = build_site(folder / "output")
    with socket.socket() as a, socket.socket() as b, socket.socket() as c:  # three ports, all different
        for s in (a, b, c):
            s.bind(("127.0.0.1", 0))
        http, https, api = (s.getsockname()[1] for s in (a, b, c))
    main = site_config(folder, output, http, https, api)
    env = {**os.environ, "BOUCLE_PORT": str(api), "BOUCLE_SERVE_SITE": "0", "BOUCLE_PROXIES": "1",
           "BOUCLE_INSTANCE": str(folder / "instance"), "BOUCLE_DB": str(folder / "comments.db")}
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = subprocess.Popen(nginx(main), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    try:
        for url in (f"http://127.0.0.1:{api}/api/health", f"https://127.0.0.1:{https}/api/health"):
            for _ in range(100):  # a busy machine may take a while to start either
                try:
                    requests.get(url, timeout=5, verify=False)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
        yield {"nginx": https, "gunicorn": api}
    finally:
        server.send_signal(signal.SIGQUIT)
        gunicorn.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        gunicorn.wait(timeout=30)


@needs(NGINX, "nginx")
@pytest.mark.parametrize("front", ["nginx", "gunicorn"])
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_requests_under_api_get_a_json_4xx_on_a_server(nginx_before_gunicorn, front, name):
    """Through nginx, and from gunicorn alone, a request the HTTP server refuses (or whose body it cannot read)
    under /api/ is answered with a 4xx in our JSON error shape, never an HTML page or a 500."""
    request = MALFORMED[name]
    if front == "nginx":
        request = request.replace(b"Host: 127.0.0.1", b"Host: blog.example.ma", 1)
    assert_json_error(*raw_exchange(nginx_before_gunicorn[front], request, tls=front == "nginx"))
