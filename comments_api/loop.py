"""Closing the loop with readers: links (unsubscribe, data export and erasure) and the e-mails that carry them.

A link carries an opaque random token (comments_store.reader_links keeps its hash, purpose and expiry):
nobody who sees a link, in a log, a forwarded mail or a scanner's report, can read the address from it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
import hashlib
import hmac
import logging

from flask import current_app

import mailer
import comments_store
from comments_store import Comment, reader_links
from feedback import store as feedback_store

from . import notify
from .db import get_db

log = logging.getLogger(__name__)
PRIVACY_LINK_AGE = 2 * 24 * 3600
UNSUBSCRIBE_LINK_AGE = 365 * 24 * 3600  # the link sits in a reader's mailbox: it must outlive the mail's relevance
# At most one privacy e-mail per address every 10 minutes, and three a day, whatever machine takes the request.
PRIVACY_LIMITS = ((dt.timedelta(minutes=10), 1), (dt.timedelta(days=1), 3))


def address_key(email: str) -> str:
    """The request counter's key for an address: a keyed hash, so the count table holds no address."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"privacy-requests:" + email.lower().encode("utf-8", "surrogatepass"),
                    hashlib.sha256).hexdigest()


def unsubscribe_token(email: str) -> str:
    return reader_links.create(get_db(), email, "unsubscribe", dt.timedelta(seconds=UNSUBSCRIBE_LINK_AGE))


def email_from_unsubscribe(token: object) -> str | None:
    return reader_links.resolve(get_db(), token, "unsubscribe")


def privacy_token(email: str, action: str) -> str:
    return reader_links.create(get_db(), email, action, dt.timedelta(seconds=PRIVACY_LINK_AGE))


def email_from_privacy(token: object, action: str) -> str | None:
    return reader_links.resolve(get_db(), token, action)


def mail_configured() -> bool:
    return bool(current_app.config["SMTP_HOST"])


def first_name(author: str) -> str:
    parts = author.split()
    return parts[0] if parts else ""


def tell_reader(comment: Comment, article_title: str, article_url: str, reply: Comment) -> None:
    """The one e-mail saying a reader's feedback led to a change (queued; the outbox sends and retries it)."""
    site = current_app.config["SITEURL"]
    link = f"{site}/api/unsubscribe?token={unsubscribe_token(comment.email)}"
    quote = "\n".join("> " + line for line in comment.body.splitlines())
    text = (
        f"Bonjour {first_name(comment.author)},\n\n"
        f"Vous aviez écrit sous « {article_title} » :\n\n{quote}\n\n"
        f"Votre retour a conduit à un changement. L'équipe vous répond :\n\n{reply.body}\n\n"
        f"La réponse : {site}{article_url}#comment-{reply.id}\n\n"
        f"Merci de nous aider à améliorer le service.\n\n"
        f"Ne plus recevoir ces e-mails (un clic) : {link}\n"
    )
    try:
        notify.queue([comment.email], "Votre retour a été pris en compte", text,
                     headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
                     about=[comment.id, reply.id], reader=comment.email)
    except mailer.MailError as exc:  # an address stored before addresses were checked as they are now
        log.warning("reader e-mail for comment %s not queued: %s", comment.id, exc)


def request_privacy_links(email: str) -> None:
    """Queue the export and erasure links for `email`, doing the same work whether or not it is known.

    Within the limits, two links are made and a message queued every time; the outbox drops it unsent when
    the address has left no comment (the lookup happens in the sender, not in the request).
    """
    if not reader_links.allow_request(get_db(), address_key(email), PRIVACY_LIMITS):
        return
    site = current_app.config["SITEURL"]
    export = f"{site}/api/privacy/export?token={privacy_token(email, 'export')}"
    erase = f"{site}/api/privacy/erase?token={privacy_token(email, 'erase')}"
    text = (
        "Bonjour,\n\nVous avez demandé à accéder à vos données sur le blog, ou à les effacer.\n\n"
        f"Télécharger vos commentaires et vos données : {export}\n"
        f"Effacer vos données (nom, e-mail, site, textes) : {erase}\n\n"
        "Ces liens sont valables 48 heures. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n"
    )
    notify.queue([email], "Vos données sur le blog", text, reader=email, only_if_reader=True)


@dataclass(frozen=True)
class Closed:
    """What closing a group of duplicates did."""

    items: list[int]  # every item of the group, now done
    replies: int  # public replies published (one per article the group spans)
    emails: int  # readers told by e-mail (one each at most)
    mail_off: bool  # a reader asked to be told but e-mail is not configured


def close_group(db, comment_id: int, text: str, author: str) -> Closed:
    """Close `comment_id`'s group of duplicates with one public reply: every item done, every reader answered.

    The reply is published under the group's first item on each article (one reply per page, not one per
    reader); each reader who asked to be told gets one e-mail, however many of the group's items are theirs,
    and never a second one for an item they were already told about. Raises BadTransition (nothing changed)
    when an item cannot become done, and InvalidComment when the reply is too short or too long.
    """
    group = feedback_store.duplicate_group(db, comment_id)
    comments = [comments_store.get_comment(db, cid) for cid in group]
    for cid in group:
        current, _ = feedback_store.status_of(db, cid)
        if current != "done" and "done" not in feedback_store.TRANSITIONS[current]:
            raise feedback_store.BadTransition(f"n°{cid} : {current} → done")
    comments_store.check_comment(comments_store.NewComment(author="Équipe", body=text))  # before anything changes
    readers: dict[str, list[Comment]] = {}
    for comment in comments:
        if comment.notify and comment.email:
            readers.setdefault(comment.email.lower(), []).append(comment)
    mail_off = bool(readers) and not mail_configured()
    # Every item of a reader's is recorded as told, and their e-mail goes if any of them had not been. Claimed
    # before the replies exist: a reader this mail tells gets no reply notice for the same answer.
    fresh: dict[str, list[Comment]] = {}
    for address in [] if mail_off else sorted(readers):
        claimed = [c for c in readers[address] if feedback_store.mark_notified(db, c.id)]
        if claimed:
            fresh[address] = claimed
    replies: dict[int, Comment] = {}  # thread id → the reply on that article
    for comment in comments:
        if comment.thread_id not in replies:
            told_here = bool(comment.email) and comment.email.lower() in fresh
            replies[comment.thread_id] = comments_store.add_team_reply(db, comment.id, text, announce=not told_here)
    for cid in group:
        if feedback_store.status_of(db, cid)[0] != "done":
            feedback_store.set_status(db, cid, "done", author=author, note=f"groupe de doublons du n°{group[0]}")
    for address in sorted(fresh):
        first = fresh[address][0]
        thread = comments_store.get_thread(db, first.thread_slug)
        tell_reader(first, thread.title, thread.url, replies[first.thread_id])
    return Closed(group, len(replies), len(fresh), mail_off)
