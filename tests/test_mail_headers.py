"""No text a reader types reaches a mail header, and every address field names one mailbox: checked on the wire."""
from __future__ import annotations

import base64
import json
from email import message_from_bytes
from email.parser import BytesParser
from email.policy import default

import pytest

import comments_store
import mailer
from comments_store import outbox
from conftest import wait_for

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"
MODERATOR = "modo@atlas.example"
PLAIN_HEADERS = ["from", "to", "subject", "date", "message-id", "content-type", "content-transfer-encoding",
                 "mime-version"]


def _b(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


HOSTILE_NAMES = [
    "=?UTF-8?Q?x=0D=0ABcc:_evil@evil.example?=",
    "=?utf-8?q?x=0D=0AReply-To:_evil@evil.example?=",
    "=?UTF-8?Q?x=0D=0A=0D=0AFaux_corps?=",  # a blank line: the headers would end there
    "=?UTF-8?Q?x=0ABcc:_evil@evil.example?=",
    "=?UTF-8?Q?x=0DBcc:_evil@evil.example?=",
    f"=?utf-8?b?{_b('x' + chr(13) + chr(10) + 'Bcc: evil@evil.example')}?=",
    f"=?UTF-8?B?{_b('x' + chr(10) + 'Reply-To: evil@evil.example')}?=",
    f"=?iso-8859-1?b?{_b('x' + chr(13) + chr(10) + chr(13) + chr(10) + 'corps')}?=",
    "=?UTF-8?Q?x?= =?UTF-8?Q?=0D=0ABcc:_evil@evil.example?=",  # split over two encoded-words
    "=?UTF-8?Q?x=C2=85Bcc:_evil@evil.example?=",  # NEL, encoded
    "=?UTF-8?Q?x=E2=80=A8Bcc:_evil@evil.example?=",  # U+2028, encoded
    "Samir\rBcc: evil@evil.example",
    "Samir\nBcc: evil@evil.example",
    "Samir\r\nBcc: evil@evil.example",
    "Samir\r\n Bcc: evil@evil.example",  # folded
    "Samir\u0085Bcc: evil@evil.example",
    "Samir\u2028Bcc: evil@evil.example",
    "Samir\u2029\u2029Faux corps",
]


def received(inbox, count: int = 1):
    assert inbox.wait(count), "no e-mail arrived"
    return inbox.messages[count - 1]


def header_names(envelope) -> list[str]:
    parsed = BytesParser(policy=default).parsebytes(envelope.content, headersonly=True)
    return [name.lower() for name in parsed.keys()]


def form_token(client) -> str:
    return client.get("/api/form-token").get_json()["token"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_adds_no_header_or_recipient_to_the_moderator_mail(make_app, smtp, name):
    """Whatever the reader's name, the moderator mail has exactly our headers and goes to the moderator only."""
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, moderator_emails=[MODERATOR],
                      smtp_from="blog@atlas.example").test_client()
    response = client.post(URL, json={"author": name, "body": "Le formulaire ne marche pas", "ts": form_token(client)})
    assert response.status_code == 201
    envelope = received(inbox)
    assert PLAIN_HEADERS == header_names(envelope)
    assert [MODERATOR] == envelope.rcpt_tos
    message = message_from_bytes(envelope.content, policy=default)
    assert ("blog@atlas.example", MODERATOR) == (message["From"], message["To"])
    assert "[Blog] Commentaire à modérer sur « Négocier son salaire sans gêne »" == message["Subject"]
    assert "Le formulaire ne marche pas" in message.get_content()


HOSTILE_SUBJECTS = [
    "=?UTF-8?Q?R=C3=A9sum=C3=A9=0D=0ABcc:_evil@evil.example?=",
    f"=?utf-8?b?{_b('x' + chr(13) + chr(10) + chr(13) + chr(10) + 'corps')}?=",
    "Résumé\r\nBcc: evil@evil.example",
    "Résumé\u0085Bcc: evil@evil.example",
    "Résumé\u2028Reply-To: evil@evil.example",
    "R" * 5000,
]


@pytest.mark.parametrize("subject", HOSTILE_SUBJECTS)
def test_the_mailer_itself_makes_any_subject_inert(db, smtp, subject):
    """Whatever a caller passes as subject, the message leaves with our headers only, its subject on one line."""
    inbox, port = smtp
    mailer.queue(db, ["po@atlas.example"], subject, "texte")
    assert (1, 0) == mailer.send_due(db, mailer.SmtpSettings(host="127.0.0.1", port=port, starttls=False))
    envelope = received(inbox)
    assert PLAIN_HEADERS == header_names(envelope)
    assert ["po@atlas.example"] == envelope.rcpt_tos
    shown = message_from_bytes(envelope.content, policy=default)["Subject"]
    assert "=?" not in shown and "\n" not in shown and "\r" not in shown and len(shown) <= 150


def test_extra_headers_are_an_allow_list_with_a_checked_reply_to(db, smtp):
    """A Reply-To naming two addresses, or a header outside the allow-list, is refused when queued."""
    with pytest.raises(mailer.Refused):
        mailer.queue(db, ["po@atlas.example"], "Sujet", "texte", headers={"Reply-To": "a@b.co, evil@evil.example"})
    with pytest.raises(mailer.Refused):
        mailer.queue(db, ["po@atlas.example"], "Sujet", "texte", headers={"Bcc": "evil@evil.example"})
    assert [] == outbox.waiting(db)


@pytest.mark.parametrize("recipient", ["a@b.co,root", "a@b.co, root@evil.example", "a@b.co;b@c.co",
                                       '"x" <a@b.co>', "x <a@b.co>", "a@b.co (c)", "g: a@b.co;",
                                       "=?utf-8?q?a?=@b.co", "a@b.co\r\nBcc: evil@evil.example"])
def test_the_mailer_refuses_a_recipient_that_is_not_one_mailbox(db, recipient):
    """Each recipient is one address: a list, a display name, a comment or a group is refused."""
    with pytest.raises(mailer.Refused):
        mailer.queue(db, [recipient], "Sujet", "texte")
    assert [] == outbox.waiting(db)


def test_a_stored_message_with_a_bad_recipient_is_refused_once_and_the_rest_goes(db, smtp):
    """A row queued before addresses were checked is set aside with the reason; the others are sent."""
    inbox, port = smtp
    bad = outbox.enqueue(db, ["a@b.co,root@evil.example"], "Ancien", "texte")
    mailer.queue(db, ["po@atlas.example"], "Nouveau", "texte")
    settings = mailer.SmtpSettings(host="127.0.0.1", port=port, starttls=False, retry_base=0)
    assert (1, 0) == mailer.send_due(db, settings)
    assert (0, 0) == mailer.send_due(db, settings)  # not tried again
    assert received(inbox).rcpt_tos == ["po@atlas.example"]
    left = outbox.waiting(db)
    assert [bad] == [row["id"] for row in left] and left[0]["last_error"].startswith("refusé")
    assert outbox.next_attempt(db) is None


MANY_RECIPIENTS = ["a@b.co,root", "nadia@exemple.ma,root@evil.example", "nadia@exemple.ma;b@c.co",
                   "nadia@exemple.ma, b@c.co", '"Nadia" <nadia@exemple.ma>', "Nadia <nadia@exemple.ma>",
                   "nadia@exemple.ma (Nadia)", "lecteurs: nadia@exemple.ma;", "=?utf-8?q?nadia?=@exemple.ma",
                   "nadia@[127.0.0.1]", '"a,b"@exemple.ma']


@pytest.mark.parametrize("email", MANY_RECIPIENTS)
def test_a_comment_email_naming_several_recipients_is_refused(client, email):
    """The comment's e-mail field takes one mailbox; anything else gets the clear email_invalid error."""
    response = client.post(URL, json={"author": "Nadia", "body": "Bonjour", "email": email, "ts": form_token(client)})
    assert 422 == response.status_code
    assert ("email_invalid", "email") == (response.get_json()["error"]["code"], response.get_json()["error"]["field"])


@pytest.mark.parametrize("email", MANY_RECIPIENTS)
def test_a_privacy_request_naming_several_recipients_is_refused(make_app, smtp, email):
    """The privacy form refuses a field naming several recipients, and nothing is queued."""
    inbox, port = smtp
    app = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    client = app.test_client()
    client.post(URL, json={"author": "Nadia", "body": "Bonjour", "email": "nadia@exemple.ma",
                           "ts": form_token(client)})
    response = client.post("/api/privacy", data={"email": email}, headers={"Origin": "http://blog.test"})
    assert 422 == response.status_code
    db = comments_store.open_db(app.config["DB_PATH"])
    assert 0 == db.execute("SELECT count(*) FROM outbox").fetchone()[0]


def test_the_privacy_mail_goes_to_the_one_address_asked(make_app, smtp):
    """A privacy request for a known address sends one mail, to that address only, with our headers."""
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False).test_client()
    client.post(URL, json={"author": "=?UTF-8?Q?x=0D=0ABcc:_evil@evil.example?=", "body": "Bonjour",
                           "email": "nadia@exemple.ma", "ts": form_token(client)})
    client.post("/api/privacy", data={"email": "nadia@exemple.ma"}, headers={"Origin": "http://blog.test"})
    envelope = received(inbox)
    assert ["nadia@exemple.ma"] == envelope.rcpt_tos
    assert PLAIN_HEADERS == header_names(envelope)


def test_stored_headers_are_json_of_allowed_names_only(db):
    """What the outbox stores for headers is the checked form (for operators reading the table)."""
    mailer.queue(db, ["po@atlas.example"], "Sujet", "texte",
                 headers={"List-Unsubscribe": "<http://blog.test/u?token=x>\r\nBcc: evil@evil.example"})
    stored = json.loads(db.execute("SELECT headers FROM outbox").fetchone()[0])
    assert {"List-Unsubscribe": "<http://blog.test/u?token=x> Bcc: evil@evil.example"} == stored


@pytest.mark.parametrize("recipients", ["po@atlas.example;evil@evil.example", "PO <po@atlas.example>"])
def test_a_digest_recipient_list_with_a_bad_address_is_refused_before_anything_is_queued(db, smtp, tmp_path,
                                                                                         monkeypatch, capsys,
                                                                                         recipients):
    """`digest --email` with a BOUCLE_DIGEST_TO entry that is not one mailbox says so and sends nothing."""
    from conftest import location_of
    from feedback import cli as feedback_cli
    from feedback import store as feedback_store

    inbox, port = smtp
    feedback_store.prepare(db)
    for key, value in {"BOUCLE_SMTP_HOST": "127.0.0.1", "BOUCLE_SMTP_PORT": str(port), "BOUCLE_SMTP_STARTTLS": "0",
                       "BOUCLE_DIGEST_TO": recipients}.items():
        monkeypatch.setenv(key, value)
    code = feedback_cli.main(["digest", "--week", "2026-W47", "--db", location_of(db), "--out", str(tmp_path),
                              "--email", "--no-tag"])
    assert 3 == code and "BOUCLE_DIGEST_TO" in capsys.readouterr().err
    assert [] == outbox.waiting(db) and [] == inbox.messages
    assert 0 == db.execute("SELECT count(*) FROM feedback_digests").fetchone()[0]


def test_an_operator_address_on_a_private_name_is_one_mailbox_too(db, smtp):
    """Moderators at root@localhost or an intranet's .local name still get their mail; lists there are refused."""
    inbox, port = smtp
    mailer.queue(db, ["root@localhost", "modo@intranet.local"], "Sujet", "texte")
    with pytest.raises(mailer.Refused):
        mailer.queue(db, ["root@localhost,evil@evil.example"], "Sujet", "texte")
    assert (1, 0) == mailer.send_due(db, mailer.SmtpSettings(host="127.0.0.1", port=port, starttls=False))
    assert ["root@localhost", "modo@intranet.local"] == received(inbox).rcpt_tos
