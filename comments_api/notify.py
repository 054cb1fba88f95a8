"""E-mail to moderators when a comment waits for them (off unless SMTP is configured)."""
from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage

from flask import current_app

from comments_store import Comment

log = logging.getLogger(__name__)


def send(settings: dict, to: list[str], subject: str, text: str, headers: dict | None = None) -> None:
    """Send one plain-text message over SMTP, with STARTTLS and login when configured."""
    msg = EmailMessage()
    msg["From"] = settings["SMTP_FROM"]
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(text)
    with smtplib.SMTP(settings["SMTP_HOST"], settings["SMTP_PORT"], timeout=20) as smtp:
        if settings["SMTP_STARTTLS"]:
            smtp.starttls()
        if settings["SMTP_USER"]:
            smtp.login(settings["SMTP_USER"], settings["SMTP_PASSWORD"] or "")
        smtp.send_message(msg)


def _send_quietly(settings: dict, to: list[str], subject: str, text: str) -> None:
    try:
        send(settings, to, subject, text)
    except (OSError, smtplib.SMTPException):
        # A reader's comment is stored whatever the mail server does; moderators still see it in /admin/.
        log.exception("notification e-mail to moderators failed")


def new_pending(comment: Comment) -> threading.Thread | None:
    """Tell moderators a comment waits; returns the sending thread (None when notifications are off)."""
    config = current_app.config
    if not (config["SMTP_HOST"] and config["MODERATOR_EMAILS"]):
        return None
    settings = {k: config[k] for k in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS",
                                        "SMTP_FROM")}
    site = config["SITEURL"]
    subject = f"[Blog] Commentaire à modérer de {comment.author} sur « {comment.thread_slug} »"
    text = (
        f"{comment.author} a écrit sur {site}/{comment.thread_slug}/ :\n\n{comment.body}\n\n"
        f"Modérer : {site}/admin/?status=pending\n"
    )
    thread = threading.Thread(target=_send_quietly, args=(settings, config["MODERATOR_EMAILS"], subject, text),
                              daemon=True)
    thread.start()
    return thread
