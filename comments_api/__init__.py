"""The comment service: a Flask app factory. On one machine it also serves the built blog."""
from __future__ import annotations

import os
from typing import Any

from flask import Flask, request
from flask_cors import CORS
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (admin_api, admin_feedback, admin_themes, admin_web, config, db, errors, notify, privacy_web, proven_web,
               public, replies_web, site)
from .auth import token_fingerprint
from .hosts import AllowedHosts
from .ids import IdConverter
from .privacy import network
from .secrets_file import load_or_create, load_or_create_hashed
from .sessions import LIFETIME, AdminOnlySessions
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

    app.session_interface = AdminOnlySessions()
    app.url_map.converters["id"] = IdConverter
    app.extensions["boucle_thread_cache"] = ThreadCache()
    db.init_app(app)
    errors.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(admin_web.bp)
    app.register_blueprint(admin_feedback.bp)
    app.register_blueprint(admin_themes.bp)
    app.register_blueprint(privacy_web.bp)
    app.register_blueprint(proven_web.bp)
    app.register_blueprint(replies_web.bp)
    if app.config["CORS_ORIGINS"]:
        # Only the public API, and only for the listed origins; the admin never answers other sites.
        CORS(app, resources={r"/api/(threads|counts|preview|form-token).*": {"origins": app.config["CORS_ORIGINS"]}},
             allow_headers=["Content-Type", "X-Edit-Token"], methods=["GET", "POST", "PATCH", "DELETE"])
    _rate_limits(app)
    # Cached thread reads answered before Flask (thread_cache.py); then security headers on everything.
    app.wsgi_app = FastThreadReads(app.wsgi_app, app.extensions["boucle_thread_cache"],
                                   lambda: db.borrow(app), lambda conn: db.give_back(app, conn))
    # The host is checked before anything answers, fast thread reads included (the refusal still gets the
    # security headers); behind the configured proxies only, ProxyFix, outermost, first puts the forwarded host
    # and address in place.
    app.wsgi_app = AllowedHosts(app.wsgi_app, app.config["ALLOWED_HOSTS"])
    site.init_app(app)
    if app.config["SMTP_HOST"] and not app.testing:
        # The outbox sender also queues the reply mails that waited for their hour (replies.py): it runs from
        # the start, not only once this process has queued a first message.
        with app.app_context():
            notify.sender()
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return app


def _finish_config(app: Flask) -> None:
    if not app.config.get("DB_PATH"):
        app.config["DB_PATH"] = os.path.join(app.instance_path, "boucle.db")
    app.config["SECRET_KEY"], _ = load_or_create(app.instance_path, "secret_key", app.config.get("SECRET_KEY"))
    # Only the token's hash stays in memory and on disk; a new token is shown once, by `invoke run`.
    app.config["ADMIN_TOKEN_HASH"], app.config["ADMIN_TOKEN_NEW"] = load_or_create_hashed(
        app.instance_path, "admin_token", app.config.pop("ADMIN_TOKEN", None))
    # Sessions opened with another token are refused (sessions.py): a new token logs every moderator out.
    app.config["ADMIN_TOKEN_FINGERPRINT"] = token_fingerprint(app.config["ADMIN_TOKEN_HASH"])
    app.config["PERMANENT_SESSION_LIFETIME"] = LIFETIME
    app.config["ALLOWED_HOSTS"] = config.allowed_hosts(app.config.get("ALLOWED_HOSTS") or [], app.config["SITEURL"])
    # Flask's defaults hold this key with None, so setdefault would leave it unset.
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Strict"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = app.config["SITEURL"].startswith("https://")
    app.config["SESSION_COOKIE_NAME"] = "boucle_admin"
    app.config["SESSION_COOKIE_PATH"] = "/admin"


def _client_network() -> str:
    return network(request.remote_addr)


# flask-limiter's settings for limits on every request (none by default; an instance config.py may set them).
APP_WIDE_LIMITS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META", "RATELIMIT_IN_MEMORY_FALLBACK")


def _rate_limits(app: Flask) -> None:
    """Per-network limits (memory by default, Redis via storage URI): comment posts and previews here; wrong admin
    credentials in auth.py. BOUCLE_RATE_LIMIT=off lifts only the limit on comments."""
    # Always on: the other limits do not depend on the readers' comment limit.
    app.config["RATELIMIT_ENABLED"] = True
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter = Limiter(_client_network, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      default_limits=[])
    app.extensions["boucle_limiter"] = limiter  # the wrapped views only hold a weak reference to it
    if not any(app.config.get(key) for key in APP_WIDE_LIMITS):
        # Nothing limits every request, so the limiter's check before each one would only look for limits and
        # find none (a sixth of a comment post's time). The decorated post view checks its own limit itself.
        app.before_request_funcs[None].remove(limiter._check_request_limit)
    if app.config["RATE_LIMIT"].lower() != "off":
        post = app.view_functions["public.post_comment"]
        # Only stored comments count: a reader fixing a typo the API pointed out is not penalised.
        app.view_functions["public.post_comment"] = limiter.limit(
            app.config["RATE_LIMIT"], deduct_when=lambda response: response.status_code in (201, 303))(post)
