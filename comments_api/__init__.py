"""The comment service: a Flask app factory. On one machine it also serves the built blog."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_cors import CORS
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from . import admin_api, admin_feedback, admin_web, config, db, errors, privacy_web, proven_web, public, site
from .ids import IdConverter
from .secrets_file import load_or_create, load_or_create_hashed
from .sessions import AdminOnlySessions
from .thread_cache import FastThreadReads, ThreadCache

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; settings come from BOUCLE_* variables, then `instance/config.py`, then `test_config`."""
    app = Flask(__name__, static_folder=None, instance_path=os.path.abspath(os.environ["BOUCLE_INSTANCE"])
                if os.environ.get("BOUCLE_INSTANCE") else None, instance_relative_config=True)
    app.config.from_mapping(config.from_environ(os.environ, root=os.getcwd()))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)
    _finish_config(app)

    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    app.session_interface = AdminOnlySessions()
    app.url_map.converters["id"] = IdConverter
    app.extensions["boucle_thread_cache"] = ThreadCache()
    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(admin_web.bp)
    app.register_blueprint(admin_feedback.bp)
    app.register_blueprint(privacy_web.bp)
    app.register_blueprint(proven_web.bp)
    if app.config["CORS_ORIGINS"]:
        # Only the public API, and only for the listed origins; the admin never answers other sites.
        CORS(app, resources={r"/api/(threads|counts|preview|form-token).*": {"origins": app.config["CORS_ORIGINS"]}},
             allow_headers=["Content-Type", "X-Edit-Token"], methods=["GET", "POST", "PATCH", "DELETE"])
    _rate_limits(app)
    # Cached thread reads answered before Flask (thread_cache.py); then security headers on everything.
    app.wsgi_app = FastThreadReads(app.wsgi_app, app.extensions["boucle_thread_cache"],
                                   lambda: db.borrow(app), lambda conn: db.give_back(app, conn))
    site.init_app(app)
    return app


def _finish_config(app: Flask) -> None:
    if not app.config.get("DB_PATH"):
        app.config["DB_PATH"] = os.path.join(app.instance_path, "boucle.db")
    app.config["SECRET_KEY"], _ = load_or_create(app.instance_path, "secret_key", app.config.get("SECRET_KEY"))
    # Only the token's hash stays in memory and on disk; a new token is shown once, by `invoke run`.
    app.config["ADMIN_TOKEN_HASH"], app.config["ADMIN_TOKEN_NEW"] = load_or_create_hashed(
        app.instance_path, "admin_token", app.config.pop("ADMIN_TOKEN", None))
    # Flask's defaults hold this key with None, so setdefault would leave it unset.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Strict"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = app.config["SITEURL"].startswith("https://")
    app.config["SESSION_COOKIE_NAME"] = "boucle_admin"
    app.config["SESSION_COOKIE_PATH"] = "/admin"


def _rate_limits(app: Flask) -> None:
    """Per-address limits on posting comments and on admin log-in (memory by default, Redis via storage URI)."""
    enabled = app.config["RATE_LIMIT"].lower() != "off"
    app.config["RATELIMIT_ENABLED"] = enabled
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      default_limits=[])
    app.extensions["boucle_limiter"] = limiter  # the wrapped views only hold a weak reference to it
    if enabled:
        post = app.view_functions["public.post_comment"]
        # Only stored comments count: a reader fixing a typo the API pointed out is not penalised.
        app.view_functions["public.post_comment"] = limiter.limit(
            app.config["RATE_LIMIT"], deduct_when=lambda response: response.status_code in (201, 303))(post)
    login = app.view_functions["admin_web.login"]
    app.view_functions["admin_web.login"] = limiter.limit("10/minute")(login)
