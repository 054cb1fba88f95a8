"""Every error of the API leaves through here, as {"error": {"code", "message", "field"?}}.

A form post (JavaScript off) gets an HTML page instead, with what the reader
typed still in the form, so nothing is lost.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from comments_store import (
    CommentNotFound,
    DuplicateComment,
    EditNotAllowed,
    InvalidComment,
    StoreError,
    ThreadNotFound,
)

from .messages import language, message

log = logging.getLogger(__name__)


class APIError(Exception):
    """An error answered with `status` and a code from messages.py."""

    def __init__(self, status: int, code: str, field: str | None = None, **details):
        super().__init__(code)
        self.status, self.code, self.field, self.details = status, code, field, details


_STORE_STATUS = {
    ThreadNotFound: 404,
    CommentNotFound: 404,
    InvalidComment: 422,
    DuplicateComment: 422,
    EditNotAllowed: 403,
}

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    413: "payload_too_large", 415: "unsupported_media_type", 429: "rate_limited",
}


def is_form_post() -> bool:
    return request.method == "POST" and request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data")


def error_response(status: int, code: str, field: str | None = None, headers: dict | None = None, **details):
    lang = language()
    text = message(code, lang, **details)
    if is_form_post() and request.blueprint == "public":
        from .forms import retry_page  # the HTML fallback lives with the form code

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


def wants_json_errors() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def init_app(app: Flask) -> None:
    @app.errorhandler(APIError)
    def api_error(exc: APIError):
        return error_response(exc.status, exc.code, exc.field, **exc.details)

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError):
        status = next((s for cls, s in _STORE_STATUS.items() if isinstance(exc, cls)), 400)
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
