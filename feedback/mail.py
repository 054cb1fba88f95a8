"""Sending e-mail from the feedback module: the digest, and the "your feedback led to a change" message."""
from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


class MailError(Exception):
    """The message could not be sent (settings missing, server refused, network)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str = "blog@localhost"

    @classmethod
    def from_environ(cls, env=os.environ) -> SmtpSettings:
        host = env.get("BOUCLE_SMTP_HOST")
        if not host:
            raise MailError("BOUCLE_SMTP_HOST n'est pas défini : impossible d'envoyer des e-mails")
        try:
            port = int(env.get("BOUCLE_SMTP_PORT") or 587)
        except ValueError:
            raise MailError("BOUCLE_SMTP_PORT doit être un nombre") from None
        flag = (env.get("BOUCLE_SMTP_STARTTLS") or "").strip().lower()
        starttls = port == 587 if not flag else flag in {"1", "true", "yes", "on"}
        return cls(host=host, port=port, user=env.get("BOUCLE_SMTP_USER") or None,
                   password=env.get("BOUCLE_SMTP_PASSWORD") or None, starttls=starttls,
                   sender=env.get("BOUCLE_SMTP_FROM") or "blog@localhost")


def send(settings: SmtpSettings, to: list[str], subject: str, text: str, html: str | None = None) -> None:
    """One message, plain text with an optional HTML alternative; raises MailError on any failure."""
    if not to:
        raise MailError("aucun destinataire")
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or "localhost")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=30) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"envoi impossible via {settings.host}:{settings.port} ({exc})") from exc
