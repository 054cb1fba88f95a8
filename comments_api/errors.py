"""Every error of the API leaves through here, as {"error": {"code", "message", "field"?}}.

A form post (JavaScript off) gets an HTML page instead, with what the reader
typed still in the form, so nothing is lost.
"""
from __future__ import annotations

import json
import logging

from flask import Flask, abort, jsonify, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.http import parse_accept_header

from comments_store import (
    CommentNotFound,
    DuplicateComment,
    EditNotAllowed,
    InvalidComment,
    StoreError,
    StoreUnavailable,
    ThreadNotFound,
)

from .api_error import APIError
from .forms import FORM_TYPES, retry_page
from .messages import LANGS, language, message

__all__ = ["APIError", "BodyReadErrors", "error_response", "init_app", "is_form_post", "server_refusal"]

log = logging.getLogger(__name__)


_STORE_STATUS = {
    ThreadNotFound: 404,
    CommentNotFound: 404,
    InvalidComment: 422,
    DuplicateComment: 422,
    EditNotAllowed: 403,
    StoreUnavailable: 503,
}
RETRY_AFTER_SECONDS = "30"

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    413: "payload_too_large", 415: "unsupported_media_type", 429: "rate_limited",
}


def is_form_post() -> bool:
    return request.method == "POST" and request.mimetype in FORM_TYPES


def error_response(status: int, code: str, field: str | None = None, headers: dict | None = None, **details):
    lang = language()
    text = message(code, lang, **details)
    if is_form_post() and request.blueprint == "public":
        response = retry_page(text, status)
    else:
        body = {"code": code, "message": text}
        if field:
            body["field"] = field
        response = jsonify(error=body)
        response.status_code = status
    response.headers["Content-Language"] = lang
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# What an HTTP server underneath refuses before the app sees the request, by status: each one the client's
# fault (a 4xx) but a failure of the server itself.
_SERVER_REFUSALS = {400: "bad_request", 413: "payload_too_large", 414: "bad_request", 431: "payload_too_large",
                    500: "internal_error"}


def server_refusal(status: int, accept_language: str = "") -> tuple[int, str, bytes]:
    """The status, language and JSON body for a request the HTTP server refused before the app saw it.

    Statuses other than 413, 414, 431 and 500 (501 for an unknown transfer coding, 417…) become 400: they are
    all malformed requests, the client's fault.
    """
    status = status if status in _SERVER_REFUSALS else 400
    lang = parse_accept_header(accept_language, LanguageAccept).best_match(LANGS, default="fr") or "fr"
    code = _SERVER_REFUSALS[status]
    body = json.dumps({"error": {"code": code, "message": message(code, lang)}}, ensure_ascii=False)
    return status, lang, body.encode("utf-8")


class _CheckedInput:
    """A request body whose read failures (a bad chunk size, a cut connection) are the client's: a 400."""

    def __init__(self, stream):
        self._stream = stream

    def _reading(self, method, *args):
        try:
            return method(*args)
        except Exception as exc:  # any server's own parse error: gunicorn's InvalidChunkSize is no OSError
            raise BadRequest(f"unreadable request body: {exc}") from exc

    def read(self, *args):
        return self._reading(self._stream.read, *args)

    def readline(self, *args):
        return self._reading(self._stream.readline, *args)

    def readlines(self, *args):
        return self._reading(self._stream.readlines, *args)

    def __iter__(self):
        return iter(self.readline, b"")


class BodyReadErrors:
    """WSGI middleware: a body the server cannot read answers 400 in our JSON shape instead of a 500."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if "wsgi.input" in environ:
            environ["wsgi.input"] = _CheckedInput(environ["wsgi.input"])
        return self.wsgi_app(environ, start_response)


def wants_json_errors() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def init_app(app: Flask) -> None:
    app.wsgi_app = BodyReadErrors(app.wsgi_app)

    @app.before_request
    def refuse_oversized_bodies():
        # Every content type, before anything reads the body: a declared length over the limit is refused at
        # once; a body without one is cut by Werkzeug's limited stream (RequestEntityTooLarge, a 413 too).
        if request.method in ("GET", "HEAD"):
            return  # bodies of reads are never read
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and request.content_length is not None and request.content_length > limit:
            abort(413)

    @app.errorhandler(APIError)
    def api_error(exc: APIError):
        return error_response(exc.status, exc.code, exc.field, **exc.details)

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError):
        status = next((s for cls, s in _STORE_STATUS.items() if isinstance(exc, cls)), 400)
        if status == 503:
            log.error("store unavailable on %s %s: %s", request.method, request.path, exc)
            return error_response(503, exc.code, headers={"Retry-After": RETRY_AFTER_SECONDS})
        return error_response(status, exc.code, exc.field, **exc.details)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 404 and not wants_json_errors() and app.config.get("SERVE_SITE"):
            from .site import not_found

            return not_found()
        if not wants_json_errors():
            return exc
        headers = dict(exc.get_response().headers) if exc.code in (405, 429) else {}
        keep = {k: v for k, v in headers.items() if k in ("Allow", "Retry-After") or k.startswith("X-RateLimit")}
        return error_response(exc.code or 500, _HTTP_CODES.get(exc.code, "bad_request"), headers=keep)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        if not wants_json_errors():
            return "Erreur interne", 500
        return error_response(500, "internal_error")
