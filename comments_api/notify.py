"""E-mail from the comment service, through the outbox (mailer): moderators, readers, privacy links.

A message is queued in the request that causes it and sent by a background
sender, so a slow or absent mail server never delays an answer or loses a
comment; the sender retries with back-off until the message is sent.
"""
from __future__ import annotations

import logging
import threading

from flask import current_app

import comments_store
import mailer
from comments_store import Comment

from .db import get_db

_lock = threading.Lock()
log = logging.getLogger(__name__)


def settings() -> mailer.SmtpSettings:
    config = current_app.config
    return mailer.SmtpSettings(host=config["SMTP_HOST"], port=config["SMTP_PORT"], user=config["SMTP_USER"],
                               password=config["SMTP_PASSWORD"], starttls=config["SMTP_STARTTLS"],
                               sender=config["SMTP_FROM"], retry_base=config["MAIL_RETRY_SECONDS"])


def sender() -> mailer.OutboxSender:
    """This process's sender, started on first use."""
    app = current_app._get_current_object()
    with _lock:
        running = app.extensions.get("boucle_outbox")
        if running is None:
            from . import replies  # which queues through here

            path, reply_settings = app.config["DB_PATH"], replies.Settings.of_app(app)
            running = mailer.OutboxSender(lambda: comments_store.open_db(path, migrate=False), settings(),
                                          each_round=lambda db: replies.queue_due(db, reply_settings)).start()
            app.extensions["boucle_outbox"] = running
    return running


def queue(to: list[str], subject: str, text: str, headers: dict | None = None, *, wake: bool = True,
          **whose) -> int:
    """Queue one message and wake the sender (unless `wake` is false); returns the outbox id.

    `whose` (about=comment ids, reader=address, only_if_reader) tells the outbox whose data it holds. Queued
    inside a transaction still open, a message is only seen by the sender once committed: wake it then.
    """
    message_id = mailer.queue(get_db(), to, subject, text, headers=headers, **whose)
    if wake:
        sender().kick()
    return message_id


def new_pending(comment: Comment, *, wake: bool = True) -> int | None:
    """Tell moderators a comment waits; returns the outbox id (None when notifications are off)."""
    config = current_app.config
    if not (config["SMTP_HOST"] and config["MODERATOR_EMAILS"]):
        return None
    site = config["SITEURL"]
    try:
        thread = comments_store.get_thread(get_db(), comment.thread_slug)
        article, url = thread.title or comment.thread_slug, thread.url or f"/{comment.thread_slug}/"
    except comments_store.ThreadNotFound:
        article, url = comment.thread_slug, f"/{comment.thread_slug}/"
    # The subject names the article by its title, never the reader: nothing a reader types goes into a header.
    subject = f"[Blog] Commentaire à modérer sur « {' '.join(article.split())} »"
    # comments_store/erasure.py finds older notices by their opening "<name> a écrit sur ": keep it.
    text = (
        f"{comment.author} a écrit sur « {article} » ({site}{url}) :\n\n{comment.body}\n\n"
        f"Modérer : {site}/admin/?status=pending#c{comment.id}\n"
    )
    try:
        return queue(config["MODERATOR_EMAILS"], subject, text, about=[comment.id], reader=comment.email, wake=wake)
    except mailer.MailError as exc:  # a moderator address that does not pass: the comment is kept all the same
        log.error("moderators not told of comment %s: %s", comment.id, exc)
        return None


def prove_address(email: str, link: str) -> int:
    """Send a reader the link that proves their address (`first` moderation); returns the outbox id.

    Nothing the reader typed goes into the subject or any header: the recipient is the address itself.
    """
    text = (
        "Bonjour,\n\nVotre commentaire sur le blog vient d'être publié. Pour que les suivants, envoyés depuis ce "
        "navigateur avec cette adresse, soient publiés sans attendre la modération, confirmez votre adresse :\n\n"
        f"{link}\n\nLe lien est valable 30 jours. Si vous n'avez pas commenté sur le blog, ignorez ce message.\n\n"
        "--\n\nHello,\n\nYour comment on the blog has just been published. To have the next ones, sent from this "
        "browser with this address, published without waiting for moderation, confirm your address:\n\n"
        f"{link}\n\nThe link is valid for 30 days. If you did not comment on the blog, ignore this message.\n"
    )
    return queue([email], "Confirmez votre adresse / Confirm your address", text, reader=email)
