"""Reply notifications: the e-mail telling a subscribed reader that someone answered them, and its two links.

The store keeps who subscribed and which published replies they are to hear of (comments_store.subscriptions);
here the notices of one subscription become one message in the outbox, at most one an hour per article (the
later replies wait and go together). It runs right after a publication, and at every round of this process's
outbox sender, which sends what waited for its hour. Nothing a reader typed goes into a header: the subject
names the article's title, the recipient is the subscribed address itself.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass

from flask import current_app
from sqlite_utils import Database

import mailer
from comments_store import reader_links, subscriptions, write
from comments_store.subscriptions import Due, Subscription

from . import notify

__all__ = ["Settings", "queue_due", "send_now", "subscription_from", "thread_link"]

log = logging.getLogger(__name__)
UNSUBSCRIBE_LINK_AGE = dt.timedelta(days=365)  # as loop.py: the link outlives the mail's relevance
EXCERPT = 300


@dataclass(frozen=True)
class Settings:
    site: str  # the blog's address, without the final slash
    secret: str  # the app's SECRET_KEY, which signs the one-article unsubscribe links

    @classmethod
    def of_app(cls, app=None) -> Settings:
        config = (app or current_app).config
        return cls(site=config["SITEURL"].rstrip("/"), secret=config["SECRET_KEY"])


def _signature(secret: str, subscription_id: int) -> str:
    key = secret.encode()
    return hmac.new(key, f"reply-subscription:{subscription_id}".encode(), hashlib.sha256).hexdigest()[:32]


def thread_token(secret: str, subscription_id: int) -> str:
    """The one-article unsubscribe token: the subscription's number, signed; it shows no address."""
    return f"{subscription_id}.{_signature(secret, subscription_id)}"


def subscription_from(db: Database, secret: str, token: object) -> Subscription | None:
    """The live subscription a token names; None for a forged token or an ended subscription."""
    if not isinstance(token, str) or len(token) > 60 or not token.isascii():
        return None
    number, _, signature = token.partition(".")
    if not (number.isdigit() and len(number) <= 18):
        return None
    if not hmac.compare_digest(_signature(secret, int(number)), signature):
        return None
    return subscriptions.get(db, int(number))


def thread_link(settings: Settings, subscription_id: int) -> str:
    return f"{settings.site}/api/replies/unsubscribe?token={thread_token(settings.secret, subscription_id)}"


_TEXT = {
    "fr": {"subject": "Nouvelle réponse sous « {title} »", "hello": "Bonjour,",
           "intro": "On vous a répondu sous « {title} » :", "wrote": "{author} a écrit :", "read": "Lire la réponse : {link}",
           "stop_thread": "Ne plus être prévenu des réponses sous cet article (un clic) : {link}",
           "stop_all": "Ne plus recevoir aucun e-mail au sujet de vos commentaires (un clic) : {link}",
           "why": "Vous recevez ce message parce que vous avez coché « Prévenez-moi des réponses » en commentant."},
    "en": {"subject": "New reply under “{title}”", "hello": "Hello,",
           "intro": "Someone answered you under “{title}”:", "wrote": "{author} wrote:", "read": "Read the reply: {link}",
           "stop_thread": "Stop e-mails about replies under this article (one click): {link}",
           "stop_all": "Stop every e-mail about your comments (one click): {link}",
           "why": "You get this message because you ticked “E-mail me replies” when commenting."},
}


def _excerpt(body: str) -> str:
    text = body.strip()
    return text if len(text) <= EXCERPT else text[:EXCERPT - 1].rstrip() + "…"


def _message(settings: Settings, due: Due, everything: str) -> tuple[str, str, str]:
    """Subject, text and the one-article unsubscribe link of one mail."""
    words = _TEXT["en" if (due.thread.lang or "").startswith("en") else "fr"]
    title = due.thread.title or due.thread.slug
    page = f"{settings.site}/{due.thread.url.lstrip('/')}"
    one = thread_link(settings, due.subscription.id)
    parts = [words["hello"], "", words["intro"].format(title=title), ""]
    for reply in due.replies:
        quote = "\n".join("> " + line for line in _excerpt(reply.body).splitlines())
        parts += [words["wrote"].format(author=reply.author), quote, "",
                  words["read"].format(link=f"{page}#comment-{reply.id}"), ""]
    parts += ["--", words["why"], words["stop_thread"].format(link=one), words["stop_all"].format(link=everything)]
    return words["subject"].format(title=title), "\n".join(parts) + "\n", one


def queue_due(db: Database, settings: Settings) -> int:
    """Queue one mail per subscription whose replies may be announced now; returns how many were queued."""
    queued = 0
    for due in subscriptions.due(db):
        if due.thread is None or not due.replies:  # unpublished since, or the article is gone: nothing to say
            subscriptions.mark_mailed(db, due.subscription.id)
            continue
        email = due.subscription.email
        try:
            with write(db):
                if not subscriptions.mark_mailed(db, due.subscription.id, [r.id for r in due.replies]):
                    continue  # another machine's sender is mailing these
                token = reader_links.create(db, email, "unsubscribe", UNSUBSCRIBE_LINK_AGE)
                everything = f"{settings.site}/api/unsubscribe?token={token}"
                subject, text, one = _message(settings, due, everything)
                mailer.queue(db, [email], subject, text,
                             headers={"List-Unsubscribe": f"<{one}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                                      "Auto-Submitted": "auto-generated"},
                             about=[r.id for r in due.replies], reader=email)
            queued += 1
        except mailer.MailError as exc:  # an address stored before addresses were checked as they are now
            log.warning("reply mail for subscription %s not queued: %s", due.subscription.id, exc)
            subscriptions.mark_mailed(db, due.subscription.id)
    return queued


def send_now(db: Database) -> None:
    """After a publication: queue what is due, and have the sender running for what waits for its hour."""
    if not current_app.config["SMTP_HOST"]:
        return
    queue_due(db, Settings.of_app())
    notify.sender().kick()
