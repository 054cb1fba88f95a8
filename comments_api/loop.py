"""Closing the loop with readers: signed links (unsubscribe, data export and erasure) and the e-mails that carry them."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from comments_store import Comment

from . import notify

PRIVACY_LINK_AGE = 2 * 24 * 3600


def _plain(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def unsubscribe_token(email: str) -> str:
    return _plain("unsubscribe").dumps(email.lower())


def email_from_unsubscribe(token: str) -> str | None:
    try:
        return _plain("unsubscribe").loads(token)
    except BadSignature:
        return None


def privacy_token(email: str, action: str) -> str:
    return _timed(f"privacy-{action}").dumps(email.lower())


def email_from_privacy(token: str, action: str) -> str | None:
    try:
        return _timed(f"privacy-{action}").loads(token, max_age=PRIVACY_LINK_AGE)
    except (SignatureExpired, BadSignature):
        return None


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
    notify.queue([comment.email], "Votre retour a été pris en compte", text,
                 headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def send_privacy_links(email: str) -> None:
    site = current_app.config["SITEURL"]
    export = f"{site}/api/privacy/export?token={privacy_token(email, 'export')}"
    erase = f"{site}/api/privacy/erase?token={privacy_token(email, 'erase')}"
    text = (
        "Bonjour,\n\nVous avez demandé à accéder à vos données sur le blog, ou à les effacer.\n\n"
        f"Télécharger vos commentaires et vos données : {export}\n"
        f"Effacer vos données (nom, e-mail, site, textes) : {erase}\n\n"
        "Ces liens sont valables 48 heures. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n"
    )
    notify.queue([email], "Vos données sur le blog", text)
