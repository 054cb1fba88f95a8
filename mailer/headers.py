"""What may reach a mail header: our own words, text made inert, and one checked address per recipient.

Python's e-mail package decodes RFC 2047 encoded-words (`=?UTF-8?Q?…=0D=0A…?=`) found in a header value
and, before the July 2024 fixes (3.11.10, 3.12.5), wrote the decoded line breaks out as they were: a
reader's name could add a Bcc: header or end the headers. So nothing here relies on the standard library's
checks: text loses every line-breaking character and the `=?`/`?=` that open and close an encoded-word,
addresses go through email-validator one at a time, and the built message is parsed back to prove its
headers are exactly the ones we set.
"""
from __future__ import annotations

import re
import unicodedata
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

__all__ = ["ALLOWED_EXTRA", "BadHeader", "address", "check_built", "text"]

# The only headers a queued message may add to From, To, Subject, Date and Message-ID.
ALLOWED_EXTRA = ("Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted")
SUBJECT_MAX = 150
_ENCODED_WORD_EDGE = re.compile(r"=\?|\?=")


class BadHeader(ValueError):
    """A header value or address that cannot go into a message as it is."""


def text(value: str, limit: int = SUBJECT_MAX) -> str:
    """One inert line: no control or line-separating character, no encoded-word syntax, at most `limit` long."""
    if not isinstance(value, str):
        raise BadHeader("not text")
    # Cc covers CR, LF, NEL (U+0085) and the rest; Zl and Zp are U+2028 and U+2029; Cf hides text (RLO).
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cf", "Cs") else ch for ch in value)
    cleaned = " ".join(cleaned.split())
    cleaned = _ENCODED_WORD_EDGE.sub(lambda m: f"{m.group(0)[0]} {m.group(0)[1]}", cleaned)
    if len(cleaned) > limit:
        cleaned = cleaned[:limit - 1].rstrip() + "…"
    return cleaned


def address(value: str) -> str:
    """One mailbox, syntax only (no DNS): refuses lists, display names, comments, groups and encoded-words."""
    if not isinstance(value, str) or "=?" in value or value != value.strip():
        raise BadHeader(f"adresse refusée : {value!r}")
    # An operator's own addresses may be on a private name (root@localhost, modo@intranet.local), which
    # email-validator refuses as special-use: their syntax is checked under a public suffix instead.
    domain = value.rpartition("@")[2].lower().rstrip(".")
    private = any(domain == d or domain.endswith("." + d) for d in SPECIAL_USE_DOMAIN_NAMES)
    try:
        checked = validate_email(value + ".example" if private else value, check_deliverability=False,
                                 globally_deliverable=False, allow_display_name=False, allow_quoted_local=False,
                                 allow_domain_literal=False)
    except EmailNotValidError as exc:
        raise BadHeader(f"adresse refusée : {value!r} ({exc})") from None
    if private:
        return value
    # The ASCII form (an internationalised domain in punycode) needs no SMTPUTF8 from the server.
    return checked.ascii_email or checked.normalized


def check_built(msg: EmailMessage) -> None:
    """Parse the message as the server will receive it: its headers must be exactly those we set, in order."""
    raw = msg.as_bytes(policy=SMTP)
    head, _, _ = raw.partition(b"\r\n\r\n")
    parsed = BytesParser(policy=default).parsebytes(head + b"\r\n\r\n", headersonly=True)
    found = [name.lower() for name in parsed.keys()]
    if found != [name.lower() for name in msg.keys()]:
        raise BadHeader(f"en-têtes inattendus : {found}")
    if b"\r" in head.replace(b"\r\n", b"") or b"\n" in head.replace(b"\r\n", b""):
        raise BadHeader("retour à la ligne isolé dans les en-têtes")
