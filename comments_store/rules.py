"""Rules every stored comment obeys, whoever writes it (API, import, tests)."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InvalidComment
from .records import NewComment


@dataclass(frozen=True)
class Limits:
    body_min: int = 2
    body_max: int = 5000
    author_max: int = 80
    email_max: int = 254
    website_max: int = 300
    max_depth: int = 3  # a reply to a reply to a comment; deeper replies are refused


MAX_ID = 2**63 - 1  # SQLite's largest integer

# Control characters other than newline and tab never belong in a comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Half of a UTF-16 pair: Python strings may hold one (JSON's "\\ud800"), UTF-8 and SQLite cannot.
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: object) -> bool:
    """True for text that UTF-8 (and so SQLite) can hold; lookups with anything else find nothing."""
    return isinstance(value, str) and _SURROGATE.search(value) is None


def clean_text(value: object, field: str, *, multiline: bool) -> str:
    """Normalise to NFC, drop control characters, unify line ends; trims surrounding space."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidComment(code="wrong_type", field=field)
    if not storable(value):
        raise InvalidComment(code="invalid_text", field=field)
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def check_email(value: str) -> str:
    """One reader's address, syntax checked by email-validator (no DNS), or InvalidComment(email_invalid).

    One mailbox only: a list (`a@b.c,root`, `a@b.c;b@c.d`), a display name (`"x" <a@b.c>`), a comment,
    group syntax, a quoted local part, an IP literal or an encoded-word (`=?`) is refused, so that
    nothing typed in this field can add a recipient or a header to an e-mail.
    """
    if "=?" in value or not _one_mailbox(value):
        raise InvalidComment(code="email_invalid", field="email")
    return value


@functools.lru_cache(maxsize=4096)  # about 0.1 ms a check, and readers come back with the same address
def _one_mailbox(value: str) -> bool:
    # Imported at the first address checked: the site's build imports this module and checks none (the import
    # is 0.03 s of CPU).
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False, allow_display_name=False, allow_quoted_local=False,
                       allow_domain_literal=False)
    except EmailNotValidError:
        return False
    return True


def check(new: NewComment, limits: Limits = Limits()) -> NewComment:
    """Return a cleaned copy of `new`, or raise InvalidComment naming the field and the rule."""
    author = clean_text(new.author, "author", multiline=False)
    body = clean_text(new.body, "body", multiline=True)
    email = clean_text(new.email, "email", multiline=False) or None
    website = clean_text(new.website, "website", multiline=False) or None
    if not author:
        raise InvalidComment(code="author_required", field="author")
    if len(author) > limits.author_max:
        raise InvalidComment(code="author_too_long", field="author", limit=limits.author_max)
    if len(body) < limits.body_min:
        raise InvalidComment(code="body_too_short", field="body", limit=limits.body_min)
    if len(body) > limits.body_max:
        raise InvalidComment(code="body_too_long", field="body", limit=limits.body_max)
    if email is not None:
        if len(email) > limits.email_max:
            raise InvalidComment(code="email_too_long", field="email", limit=limits.email_max)
        check_email(email)
    if website is not None:
        if any(ch.isspace() or ch in "\"'<>`\\" for ch in website):
            raise InvalidComment(code="website_invalid", field="website")  # no real address holds these
        if "://" not in website:
            website = "https://" + website
        parts = urlsplit(website)
        if len(website) > limits.website_max:
            raise InvalidComment(code="website_too_long", field="website", limit=limits.website_max)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
            raise InvalidComment(code="website_invalid", field="website")
    parent_id = new.parent_id
    if parent_id is not None and (isinstance(parent_id, bool) or not isinstance(parent_id, int)
                                  or not 1 <= parent_id <= MAX_ID):
        raise InvalidComment(code="parent_invalid", field="parent_id")
    lang = clean_text(new.lang, "lang", multiline=False)[:12] or None
    return NewComment(author=author, body=body, email=email, website=website, parent_id=parent_id,
                      lang=lang, notify=bool(new.notify and email),
                      notify_replies=bool(new.notify_replies and email))


def fingerprint(body: str) -> str:
    """The text reduced to what matters for spotting the same comment posted twice."""
    return " ".join(unicodedata.normalize("NFKC", body).casefold().split())
