"""Fixtures: a real Pelican build of the blog into a temporary folder, and the Flask app around it."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import read_settings

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


@pytest.fixture
def db(tmp_path):
    """A fresh comment store with two articles registered."""
    import comments_store

    database = comments_store.open_db(tmp_path / "store.db")
    comments_store.register_threads(database, THREADS)
    yield database
    database.close()


@pytest.fixture
def make_app(tmp_path, site):
    """Build an app on a fresh database; keyword arguments override settings."""
    import comments_store
    from comments_api import create_app

    def factory(**overrides):
        path = tmp_path / "api.db"
        database = comments_store.open_db(path)
        comments_store.register_threads(database, THREADS)
        database.close()
        settings = {
            "TESTING": True, "SITE_DIR": str(site), "SERVE_SITE": True, "DB_PATH": str(path),
            "SECRET_KEY": "cle-de-test", "ADMIN_TOKEN": ADMIN_TOKEN, "RATE_LIMIT": "off",
            "MIN_FILL_SECONDS": 0, "SITEURL": "http://blog.test", "MODERATION": "all",
        }
        settings.update({k.upper(): v for k, v in overrides.items()})
        return create_app(settings)

    return factory


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
