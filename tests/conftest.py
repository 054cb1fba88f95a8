"""Fixtures: a real Pelican build of the blog into a temporary folder, and the Flask app around it."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pelican import Pelican
from pelican.settings import read_settings

from comments_api.config import origin_of

ROOT = Path(__file__).resolve().parent.parent


def build_site(output: Path, settings_file: str = "pelicanconf.py", **overrides) -> Path:
    """Build the real content and theme into `output` and return it."""
    cwd = os.getcwd()
    os.chdir(ROOT)  # pelicanconf paths are relative to the project
    try:
        settings = read_settings(
            str(ROOT / settings_file),
            override={
                "OUTPUT_PATH": str(output),
                "CACHE_CONTENT": False,
                "LOAD_CONTENT_CACHE": False,
                "DELETE_OUTPUT_DIRECTORY": False,
                # Never the project's own database.
                "COMMENTS": {"db": str(output.parent / f"{output.name}-comments.db")},
                **overrides,
            },
        )
        Pelican(settings).run()
    finally:
        os.chdir(cwd)
    return output


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The demo blog built with the local settings (read-only: tests must not write to it)."""
    return build_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The demo blog built with the production settings."""
    return build_site(
        tmp_path_factory.mktemp("published"), "publishconf.py", SITEURL="https://blog.example.ma",
        FEED_DOMAIN="https://blog.example.ma",
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ADMIN_TOKEN = "jeton-de-test-0123456789"
THREADS = [
    {"slug": "negocier-son-salaire", "title": "Négocier son salaire sans gêne", "url": "/negocier-son-salaire/",
     "lang": "fr"},
    {"slug": "recruter-a-distance", "title": "Recruter à distance", "url": "/recruter-a-distance/", "lang": "fr"},
]


# --- The two databases -----------------------------------------------------------------------------------------
# Modules marked `both_databases` run every test that uses a database twice: on SQLite and on a real
# PostgreSQL server that this session starts (skipped with the reason when PostgreSQL is not installed,
# never in CI, which installs it).

def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        metafunc.parametrize("backend", ["sqlite", "postgresql"] if both else ["sqlite"], indirect=True)


@pytest.fixture(scope="session")
def pg_cluster():
    import shutil
    import tempfile

    from pg_server import PgCluster, binaries

    if binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be installed in CI (.ci/run installs postgresql)")
        pytest.skip("PostgreSQL is not installed (Debian's postgresql package; CI installs it)")
    folder = Path(tempfile.mkdtemp(prefix="boucle-pg-"))  # outside pytest's folders, which the server cannot enter
    cluster = PgCluster(folder)

    def migrate(url):
        import comments_store
        from feedback import store as feedback_store

        feedback_store.prepare(comments_store.open_db(url)).close()

    cluster.prepare_template(migrate)
    yield cluster
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real redis-server (Debian's redis-server package) on a free port, in a temporary folder."""
    import shutil
    import subprocess
    import time

    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server must be installed in CI (.ci/run installs redis-server)")
        pytest.skip("redis-server is not installed (Debian's redis-server package; CI installs it)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def backend(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def new_database(backend, tmp_path, request):
    """Where a fresh, empty database lives: a file for SQLite, a new database on the session's PostgreSQL."""
    made: dict[str, str] = {}

    def location(name: str) -> str:
        if name not in made:
            made[name] = str(tmp_path / f"{name}.db") if backend == "sqlite" else \
                request.getfixturevalue("pg_cluster").create()
        return made[name]

    return location


def location_of(database) -> str:
    """The path (SQLite) or URL (PostgreSQL) that opens `database` again, for command-line tests."""
    return getattr(database, "url", None) or database.conn.execute("PRAGMA database_list").fetchone()[2]


@pytest.fixture
def db(new_database):
    """A fresh comment store with two articles registered."""
    import comments_store

    database = comments_store.open_db(new_database("store"))
    comments_store.register_threads(database, THREADS)
    yield database
    database.close()


@pytest.fixture
def fdb(db):
    """The same store, with the feedback tables (a module may override it with its own data)."""
    from feedback import store

    return store.prepare(db)


@pytest.fixture(scope="module")
def classifier():
    """The shipped tagging model, loaded once per module."""
    from feedback.classify import Classifier

    return Classifier.load()


@pytest.fixture
def make_app(new_database, site):
    """Build an app on a fresh database; keyword arguments override settings."""
    import comments_store
    from comments_api import create_app
    from comments_api.db import close_all

    apps = []

    def factory(**overrides):
        path = new_database("api")
        database = comments_store.open_db(path)
        comments_store.register_threads(database, THREADS)
        database.close()
        settings = {
            "TESTING": True, "SITE_DIR": str(site), "SERVE_SITE": True, "DB_PATH": str(path),
            "SECRET_KEY": "cle-de-test", "ADMIN_TOKEN": ADMIN_TOKEN, "RATE_LIMIT": "off",
            "MIN_FILL_SECONDS": 0, "SITEURL": "http://blog.test", "MODERATION": "all",
        }
        settings.update({k.upper(): v for k, v in overrides.items()})
        apps.append(create_app(settings))
        apps[-1].test_client_class = SiteClient
        return apps[-1]

    yield factory
    for app in apps:
        close_all(app)


class SiteClient(FlaskClient):
    """Flask's test client, speaking to the app under the site's own host name as readers' browsers do.

    The app serves only its configured hosts (BOUCLE_ALLOWED_HOSTS); Flask's client would say `localhost`.
    """

    def open(self, *args, **kwargs):
        path = args[0] if args else kwargs.get("path", "/")
        if "base_url" not in kwargs and isinstance(path, str) and "://" not in path:
            kwargs["base_url"] = origin_of(self.application.config["SITEURL"])
        return super().open(*args, **kwargs)


def with_ts(via, payload: dict, wait: float = 0) -> dict:
    """A JSON comment as the page's script sends it: with a fill-time token from /api/form-token.

    `via` is a Flask test client, or the base URL of a running server; `wait` is the time the reader takes to
    write, for a server whose BOUCLE_MIN_FILL_SECONDS is not 0.
    """
    if isinstance(via, str):
        import requests

        token = requests.get(via.rstrip("/") + "/api/form-token", timeout=30).json()["token"]
    else:
        token = via.get("/api/form-token").get_json()["token"]
    if wait:
        import time

        time.sleep(wait)
    return {"ts": token, **payload}  # a test that sends its own ts keeps it


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def admin_headers() -> dict:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def wait_for(predicate, seconds: float = 10.0) -> bool:
    """Poll `predicate` until it is true or `seconds` have passed (for work done by other threads)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


class Inbox:
    """A real SMTP server's mailbox (aiosmtpd), for tests that send e-mail."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"

    def wait(self, count: int = 1, seconds: float = 10.0) -> bool:
        return wait_for(lambda: len(self.messages) >= count, seconds)


@pytest.fixture
def smtp(free_port):
    """A local SMTP server on a free port: (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
    controller.start()
    yield inbox, free_port
    controller.stop()
