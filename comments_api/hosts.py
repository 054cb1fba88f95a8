"""Only the site's own host names are served: a forged Host header would otherwise steer redirects and links
built from it (and pass the form's origin check) to another site.

A WSGI middleware, so that it covers everything, the thread reads answered before Flask included.
"""
from __future__ import annotations

import html
import json

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .config import host_name
from .messages import LANGS, MESSAGES


class AllowedHosts:
    """Answer 400 to a request whose Host (X-Forwarded-Host behind a configured proxy) is not in `hosts`."""

    def __init__(self, wsgi_app, hosts: list[str]):
        self.wsgi_app, self.hosts = wsgi_app, frozenset(hosts)

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        # Without a Host header (HTTP/1.0), URLs are built from the server's own name: nothing to forge.
        if host is None or host_name(host) in self.hosts:
            return self.wsgi_app(environ, start_response)
        lang = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept).best_match(
            LANGS, default="fr") or "fr"
        text = MESSAGES["host_not_allowed"][lang]
        path = environ.get("PATH_INFO", "")
        if path == "/api" or path.startswith("/api/"):
            body = json.dumps({"error": {"code": "host_not_allowed", "message": text}}, ensure_ascii=False)
            content_type = "application/json"
        else:
            body = f'<!doctype html>\n<html lang="{lang}"><meta charset="utf-8"><title>400</title>' \
                   f"<p>{html.escape(text)}</p></html>\n"
            content_type = "text/html; charset=utf-8"
        data = body.encode("utf-8")
        start_response("400 BAD REQUEST", [("Content-Type", content_type), ("Content-Length", str(len(data))),
                                           ("Content-Language", lang), ("Cache-Control", "no-store")])
        return [data]
