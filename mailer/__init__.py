"""E-mail for the whole product, through the outbox: queue with the change, send apart, retry until sent.

comments_api (moderators, readers) and feedback (the digest) both queue here;
an OutboxSender thread in the API process, or `python -m mailer` from a timer,
delivers. A message is claimed before it is sent and marked sent right after
the server accepts it, so two senders never send it twice; if the process dies
between the two, the lease runs out and it goes again with the same
Message-ID, which receiving servers use to drop the copy.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate

from sqlite_utils import Database

import comments_store
from comments_store import outbox

from . import headers as safe

__all__ = ["MailError", "OutboxSender", "Refused", "SmtpSettings", "queue", "send_due"]

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=2)
# Folding a header at 78 columns drops the space before a word that starts a new encoded-word (Python 3.11's
# folder): "Our new app: « Atlas »" arrived as "Our newapp: …" in a moderator's subject. Our headers are short
# (a subject is at most 150 characters), so they are written unfolded, well within SMTP's 998.
_POLICY = default_policy.clone(max_line_length=998)
MAX_DELAY = dt.timedelta(hours=6)


class MailError(Exception):
    """The message could not be sent (settings missing, server refused, network)."""


class Refused(MailError):
    """The message can never be sent as it is (a recipient or header that does not pass): no retry."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str = "blog@localhost"
    timeout: float = 20.0
    retry_base: float = 30.0  # seconds before the first retry; doubled each time, at most six hours

    @classmethod
    def from_environ(cls, env: Mapping[str, str] = os.environ) -> SmtpSettings:
        host = env.get("BOUCLE_SMTP_HOST")
        if not host:
            raise MailError("BOUCLE_SMTP_HOST n'est pas défini : impossible d'envoyer des e-mails")
        try:
            port = int(env.get("BOUCLE_SMTP_PORT") or 587)
            retry = float(env.get("BOUCLE_MAIL_RETRY_SECONDS") or 30)
        except ValueError:
            raise MailError("BOUCLE_SMTP_PORT et BOUCLE_MAIL_RETRY_SECONDS doivent être des nombres") from None
        flag = (env.get("BOUCLE_SMTP_STARTTLS") or "").strip().lower()
        starttls = port == 587 if not flag else flag in {"1", "true", "yes", "on"}
        return cls(host=host, port=port, user=env.get("BOUCLE_SMTP_USER") or None,
                   password=env.get("BOUCLE_SMTP_PASSWORD") or None, starttls=starttls,
                   sender=env.get("BOUCLE_SMTP_FROM") or "blog@localhost", retry_base=retry)

    def delay(self, attempts: int) -> dt.timedelta:
        return min(dt.timedelta(seconds=self.retry_base * 2 ** min(attempts, 20)), MAX_DELAY)


def _checked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    unknown = set(headers) - set(safe.ALLOWED_EXTRA)
    if unknown:
        raise Refused(f"en-têtes non permis : {', '.join(sorted(unknown))}")
    return {key: safe.address(value) if key == "Reply-To" else safe.text(value, 998)
            for key, value in headers.items()}


def queue(db: Database, to: list[str], subject: str, text: str, html: str | None = None,
          headers: dict[str, str] | None = None, *, about: list[int] | None = None,
          reader: str | None = None, only_if_reader: bool = False) -> int:
    """Put a message in the outbox; returns its id. Nothing touches the network here.

    Each recipient is one checked address (MailError otherwise). `about` names the comments the message
    quotes and `reader` the reader it concerns, so that erasing that reader removes it; `only_if_reader`
    makes the sender drop it unless `reader` has left a comment (the request path does the same work for
    known and unknown addresses).
    """
    if not to:
        raise MailError("aucun destinataire")
    try:
        recipients = [safe.address(r) for r in to]
        extra = _checked_headers(headers or {})
    except safe.BadHeader as exc:
        raise Refused(str(exc)) from None
    return outbox.enqueue(db, recipients, safe.text(subject), text, html, extra, about=about, reader=reader,
                          only_if_reader=only_if_reader)


def _message(settings: SmtpSettings, item: outbox.OutboxMessage) -> tuple[EmailMessage, list[str]]:
    """The message and its envelope recipients; Refused when anything in it does not pass."""
    try:
        recipients = [safe.address(r) for r in item.recipients]
        extra = _checked_headers(item.headers)
        msg = EmailMessage(policy=_POLICY)
        msg["From"] = settings.sender  # ours, from the settings: never a reader's
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = safe.text(item.subject)
        msg["Date"] = formatdate(localtime=False)
        domain = settings.sender.rpartition("@")[2] or "localhost"
        msg["Message-ID"] = f"<outbox-{item.id}@{domain}>"  # the same on every attempt
        for key, value in extra.items():
            msg[key] = value
        msg.set_content(item.text)
        if item.html:
            msg.add_alternative(item.html, subtype="html")
        safe.check_built(msg)
    except (safe.BadHeader, ValueError) as exc:
        raise Refused(str(exc)) from None
    return msg, recipients


def deliver(settings: SmtpSettings, msg: EmailMessage, recipients: list[str] | None = None) -> None:
    """Send one message; the envelope goes to `recipients` only (never to addresses read from its headers)."""
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(msg, to_addrs=recipients)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"envoi impossible via {settings.host}:{settings.port} ({exc})") from exc


def send_due(db: Database, settings: SmtpSettings) -> tuple[int, int]:
    """Send every message due now; returns (sent, failed). Failures are retried later, with back-off."""
    done = failed = 0
    while True:
        batch = outbox.claim_due(db, LEASE)
        if not batch:
            return done, failed
        for item in batch:
            try:
                msg, recipients = _message(settings, item)
            except Refused as exc:  # not the server's fault: the rest of the batch goes on
                log.error("mail %s refused, not sent: %s", item.id, exc)
                outbox.mark_refused(db, item.id, str(exc))
                continue
            try:
                deliver(settings, msg, recipients)
            except MailError as exc:
                failed += 1
                log.warning("mail %s not sent (attempt %s): %s", item.id, item.attempts + 1, exc)
                outbox.mark_failed(db, item.id, str(exc), settings.delay(item.attempts))
            else:
                done += 1
                outbox.mark_sent(db, item.id)
        if failed:
            return done, failed  # the server is unwell: the rest waits for the next round


class OutboxSender:
    """A daemon thread that sends the outbox every `interval` seconds, and at once when `kick()`ed.

    `each_round`, if given, runs before each round with the sender's connection: work that queues messages
    when their time comes (reply notifications grouped by the hour).
    """

    def __init__(self, open_db: Callable[[], Database], settings: SmtpSettings, interval: float = 10.0,
                 each_round: Callable[[Database], object] | None = None):
        self.open_db, self.settings, self.interval, self.each_round = open_db, settings, interval, each_round
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="boucle-outbox", daemon=True)

    def start(self) -> OutboxSender:
        self._thread.start()
        return self

    def kick(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        db = self.open_db()
        try:
            while not self._stop.is_set():
                if self.each_round is not None:
                    try:
                        self.each_round(db)
                    except comments_store.StoreError as exc:  # as below: the database will answer again
                        log.warning("outbox: %s", exc)
                    except Exception:  # whatever else goes wrong there, what is already queued must still go out
                        log.exception("outbox: the round's own work failed")
                try:
                    send_due(db, self.settings)
                    due = outbox.next_attempt(db)
                except comments_store.StoreError as exc:  # a full disk: try again next round
                    log.warning("outbox: %s", exc)
                    due = None
                # Sleep until the next retry is due (back-off), at most `interval`, or until kicked.
                pause = self.interval if due is None else (due - dt.datetime.now(dt.timezone.utc)).total_seconds()
                self._wake.wait(min(self.interval, max(0.05, pause)))
                self._wake.clear()
        finally:
            db.close()
