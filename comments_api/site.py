"""Serve the static blog from output/ with clean URLs, for single-machine set-ups.

In production nginx (or a CDN) serves output/ and this blueprint is switched
off with BOUCLE_SERVE_SITE=0; the URL rules below mirror nginx's `try_files
$uri $uri/index.html =404`.
"""
from __future__ import annotations

import os

from flask import Blueprint, Flask, abort, current_app, redirect, request, send_from_directory
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

bp = Blueprint("site", __name__)

# A reader's page may only load what this origin serves.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SitePath(PathConverter):
    """Any path except the API's and the admin's, which the site must never shadow."""

    regex = r"(?!(?:api|admin)(?:/|$))[^/].*?"


@bp.get("/", defaults={"path": ""})
@bp.get("/<site_path:path>")
def page(path: str):
    root = current_app.config["SITE_DIR"]
    target = safe_join(root, path)
    if target is None:
        return not_found()
    if os.path.isdir(target):
        if path and not path.endswith("/"):
            query = request.query_string.decode()
            return redirect(request.path + "/" + (f"?{query}" if query else ""), code=301)
        path = os.path.join(path, "index.html")
        target = os.path.join(target, "index.html")
    if not os.path.isfile(target):
        return not_found()
    return send_from_directory(root, path)


def not_found():
    root = current_app.config["SITE_DIR"]
    if os.path.isfile(os.path.join(root, "404.html")):
        response = send_from_directory(root, "404.html", conditional=False)
        response.status_code = 404
        return response
    abort(404)


SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
}


class SecurityHeaders:
    """WSGI middleware adding SECURITY_HEADERS to every response that lacks them, errors included.

    At the WSGI level the headers are a plain list: much cheaper than Werkzeug's Headers on every response.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.headers = [(key, value) for key, value in SECURITY_HEADERS.items()]
        self.names = [key.lower() for key in SECURITY_HEADERS]

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            present = {key.lower() for key, _ in headers}
            headers.extend(h for h, name in zip(self.headers, self.names) if name not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def init_app(app: Flask) -> None:
    app.url_map.converters["site_path"] = SitePath
    if app.config.get("SERVE_SITE"):
        app.register_blueprint(bp)
    app.wsgi_app = SecurityHeaders(app.wsgi_app)
