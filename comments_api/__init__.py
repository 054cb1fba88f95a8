"""The comment service: a Flask app factory. On one machine it also serves the built blog."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask

from . import config, site

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; settings come from BOUCLE_* variables, then `instance/config.py`, then `test_config`."""
    app = Flask(__name__, instance_path=os.environ.get("BOUCLE_INSTANCE", None) or None,
                instance_relative_config=True)
    app.config.from_mapping(config.from_environ(os.environ, root=os.getcwd()))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)

    @app.get("/api/health")
    def health():
        return {"status": "ok"}

    site.init_app(app)
    return app
