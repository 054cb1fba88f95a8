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
def app(site):
    from comments_api import create_app

    return create_app({"TESTING": True, "SITE_DIR": str(site), "SERVE_SITE": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
