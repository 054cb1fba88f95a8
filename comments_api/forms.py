"""The HTML form fallback: signed fill-time tokens, origin checks, the retry page and the redirect back."""
from __future__ import annotations

import time
from urllib.parse import urlsplit, urlunsplit

from flask import current_app, render_template, request
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from . import form_data
from .api_error import APIError
from .config import origin_of
from .messages import LANGS, language

SALT = "boucle-comment-form"
FORM_FIELDS = ("author", "email", "website", "body", "parent_id", "notify", "notify_replies", "lang")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=SALT)


def issue_token() -> str:
    """A token saying when the form was handed out; checked when it comes back."""
    return _signer().sign(str(int(time.time()))).decode()


def check_token(token: str) -> None:
    """Refuse forms sent too fast (bots) and forms whose token is forged or too old."""
    if not isinstance(token, str) or not token.isascii():
        raise APIError(422, "form_expired", field="ts")
    try:
        _value, issued = _signer().unsign(token, max_age=current_app.config["FORM_MAX_AGE"], return_timestamp=True)
    except SignatureExpired:
        raise APIError(422, "form_expired", field="ts") from None
    except BadSignature:
        raise APIError(422, "form_expired", field="ts") from None
    if time.time() - issued.timestamp() < current_app.config["MIN_FILL_SECONDS"]:
        raise APIError(422, "too_fast", field="ts")


def allowed_origins() -> set[str]:
    """The site's origin, the CORS origins, and the allowed host names on the site's scheme and port.

    Never the request's own Host: whoever sends the request chooses it.
    """
    site = urlsplit(current_app.config["SITEURL"])
    port = f":{site.port}" if site.port else ""
    origins = {origin_of(current_app.config["SITEURL"]), *current_app.config["CORS_ORIGINS"]}
    origins.update(f"{site.scheme}://{host}{port}" for host in current_app.config["ALLOWED_HOSTS"])
    return {o for o in origins if o}


def check_origin() -> None:
    """Form posts must come from the blog's own pages (CSRF)."""
    origin = request.headers.get("Origin")
    if origin == "null":  # sandboxed frames and some redirects: cannot be checked, so refused
        raise APIError(403, "origin_not_allowed")
    source = origin or request.headers.get("Referer")
    # Browsers send Origin on every cross-site POST: with neither header, no browser is being abused.
    if source and origin_of(source) not in allowed_origins():
        raise APIError(403, "origin_not_allowed")


def article_page() -> str | None:
    """The article page the form was sent from: the preview step passes it on in `back`."""
    for candidate in (form_data.field("back"), request.headers.get("Referer")):
        if candidate and origin_of(candidate) in allowed_origins():
            parts = urlsplit(candidate)
            if not parts.path.startswith("/api/"):
                return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return None


def back_to_article(thread_url: str, fragment: str) -> str:
    """Where to send the reader after a form post: the page they came from, if it is ours."""
    page = article_page()
    if page:
        return f"{page}#{fragment}"
    base = current_app.config["SITEURL"]
    return f"{base}/{thread_url.lstrip('/')}#{fragment}"


def retry_page(text: str, status: int, preview: str | None = None):
    """The form again, filled with what the reader sent, under a message (and a preview when confirming)."""
    return _form_page(sent_values(), text, status, preview=preview, action=request.path)


def sent_values() -> dict[str, str]:
    """What the reader typed, to fill the form again; empty when the body itself was refused (too large)."""
    return {name: form_data.field(name) for name in FORM_FIELDS}


def reply_page(parent, thread_lang: str | None):
    """A form answering `parent`, quoted above it, in the article's language `thread_lang`."""
    values = dict.fromkeys(FORM_FIELDS, "")
    # The page's language, as on the article (not the browser's, nor the comment's own).
    page_lang = (thread_lang or "fr").split("-")[0].lower()
    values.update(parent_id=str(parent.id), lang=thread_lang or "")
    action = request.path.rsplit("/", 2)[0]  # …/comments/<id>/reply → …/comments
    return _form_page(values, None, 200, parent=parent, action=action,
                      lang=page_lang if page_lang in LANGS else None)


def _form_page(values: dict, text: str | None, status: int, *, action: str, preview: str | None = None,
               parent=None, lang: str | None = None):
    html = render_template(
        "form_retry.html", message=text, values=values, token=issue_token(), action=action,
        preview=preview, error=status >= 400, parent=parent,
        lang=lang or language(), site_url=current_app.config["SITEURL"],
        back=article_page() or current_app.config["SITEURL"] + "/",
    )
    return current_app.response_class(html, status=status, mimetype="text/html")
