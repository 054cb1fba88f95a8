"""Links e-mailed to readers: opaque, one-click unsubscribe by POST only, and privacy requests that reveal nothing."""
from __future__ import annotations

import base64
import html
import datetime as dt
import re
from email import message_from_bytes
from email.policy import default

import pytest

import comments_store
from comments_store import clock, reader_links

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"
ORIGIN = {"Origin": "http://blog.test"}
EMAIL = "nadia@exemple.ma"


def post(client, email=EMAIL, notify=False):
    ts = client.get("/api/form-token").get_json()["token"]
    response = client.post(URL, json={"author": "Nadia", "body": "Le filtre ne marche pas", "email": email,
                                      "notify": notify, "ts": ts})
    assert response.status_code == 201
    return response.get_json()["id"]


def db_of(client):
    return comments_store.open_db(client.application.config["DB_PATH"])


def mail_app(make_app, smtp):
    return make_app(smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_starttls=False)


def told(client, inbox):
    """A reader with notify on gets the team's one e-mail; returns it, parsed."""
    cid = post(client, notify=True)
    db = db_of(client)
    with client.application.test_request_context():
        from comments_api import loop

        reply = comments_store.add_team_reply(db, cid, "Corrigé, merci !")
        loop.tell_reader(comments_store.get_comment(db, cid), "Négocier", "/negocier-son-salaire/", reply)
    assert inbox.wait(1)
    return message_from_bytes(inbox.messages[0].content, policy=default)


def unsubscribe_url(message) -> str:
    return re.fullmatch(r"<http://blog\.test(/api/unsubscribe\?token=[^>]+)>", message["List-Unsubscribe"]).group(1)


def notified(client) -> bool:
    return any(c.notify for c in comments_store.comments_of(db_of(client), EMAIL))


# --- One-click unsubscribe (RFC 8058) ----------------------------------------------------------------------------

def test_the_mail_announces_one_click(make_app, smtp):
    """The reader mail carries List-Unsubscribe with an https-or-site link and List-Unsubscribe-Post."""
    message = told(mail_app(make_app, smtp).test_client(), smtp[0])
    assert "List-Unsubscribe=One-Click" == message["List-Unsubscribe-Post"]
    assert unsubscribe_url(message)


def test_a_one_click_post_unsubscribes(make_app, smtp):
    """A mail client's POST of List-Unsubscribe=One-Click (no cookie, no Origin) unsubscribes and answers 200."""
    client = mail_app(make_app, smtp).test_client()
    url = unsubscribe_url(told(client, smtp[0]))
    assert notified(client)
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert 200 == response.status_code
    assert not notified(client)


def test_a_get_only_asks_for_confirmation(make_app, smtp):
    """Opening the link (as a link scanner does) changes nothing and shows a button that POSTs."""
    client = mail_app(make_app, smtp).test_client()
    url = unsubscribe_url(told(client, smtp[0]))
    response = client.get(url)
    html = response.get_data(as_text=True)
    assert 200 == response.status_code
    assert notified(client)
    assert re.search(r'<form method="post"', html) and 'name="List-Unsubscribe" value="One-Click"' in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    # the page's own button, from the blog's origin
    assert 200 == client.post("/api/unsubscribe", data={"token": token, "List-Unsubscribe": "One-Click"},
                              headers=ORIGIN).status_code
    assert not notified(client)


@pytest.mark.parametrize("data", [{}, {"List-Unsubscribe": "yes"}])
def test_a_post_without_the_one_click_body_changes_nothing(make_app, smtp, data):
    """RFC 8058's body is required: any other POST is refused."""
    client = mail_app(make_app, smtp).test_client()
    url = unsubscribe_url(told(client, smtp[0]))
    assert 400 == client.post(url, data=data).status_code
    assert notified(client)


@pytest.mark.parametrize("token", ["forged", "x" * 43, "", "é" * 43])
def test_a_forged_unsubscribe_link_is_refused(make_app, smtp, token):
    """A made-up token is refused for GET and POST, and changes nothing."""
    client = mail_app(make_app, smtp).test_client()
    told(client, smtp[0])
    assert 400 == client.get("/api/unsubscribe", query_string={"token": token}).status_code
    assert 400 == client.post("/api/unsubscribe", query_string={"token": token},
                              data={"List-Unsubscribe": "One-Click"}).status_code
    assert notified(client)


def test_an_expired_unsubscribe_link_is_refused(make_app, smtp):
    """Once its time is over, a link no longer works."""
    client = mail_app(make_app, smtp).test_client()
    told(client, smtp[0])
    token = reader_links.create(db_of(client), EMAIL, "unsubscribe", dt.timedelta(seconds=-1))
    assert 400 == client.post("/api/unsubscribe", query_string={"token": token},
                              data={"List-Unsubscribe": "One-Click"}).status_code
    assert notified(client)


def test_a_link_for_another_purpose_is_refused(make_app, smtp):
    """An export link does not unsubscribe, and an unsubscribe link does not export."""
    client = mail_app(make_app, smtp).test_client()
    url = unsubscribe_url(told(client, smtp[0]))
    export = reader_links.create(db_of(client), EMAIL, "export", dt.timedelta(hours=1))
    assert 400 == client.post("/api/unsubscribe", query_string={"token": export},
                              data={"List-Unsubscribe": "One-Click"}).status_code
    assert 400 == client.get(url.replace("/api/unsubscribe", "/api/privacy/export")).status_code
    assert notified(client)


# --- No address in a link ----------------------------------------------------------------------------------------

def _decodings(token: str) -> bytes:
    out = token.encode()
    for part in re.split(r"[.]", token):
        for pad in ("", "=", "=="):
            try:
                out += base64.urlsafe_b64decode(part + pad)
            except ValueError:
                pass
    return out.lower()


def test_links_carry_no_address(make_app, smtp):
    """Neither the unsubscribe link nor the privacy links hold the address, in clear or base64."""
    inbox, _ = smtp
    client = mail_app(make_app, smtp).test_client()
    message = told(client, inbox)
    client.post("/api/privacy", data={"email": EMAIL}, headers=ORIGIN)
    assert inbox.wait(2)
    text = message_from_bytes(inbox.messages[1].content, policy=default).get_content()
    tokens = [unsubscribe_url(message).split("token=")[1]] + re.findall(r"token=(\S+)", text)
    assert 3 == len(tokens)
    for token in tokens:
        assert b"nadia" not in _decodings(token) and b"exemple.ma" not in _decodings(token)


def test_tokens_are_stored_hashed(make_app, smtp):
    """The database holds a token's hash, never the token a link carries."""
    client = mail_app(make_app, smtp).test_client()
    token = unsubscribe_url(told(client, smtp[0])).split("token=")[1]
    stored = [r[0] for r in db_of(client).execute("SELECT token_hash FROM reader_links").fetchall()]
    assert stored and token not in stored


# --- Privacy requests: the same answer, the same work, a limit -----------------------------------------------------

def _answer(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k.lower() not in ("date", "set-cookie")}
    return response.status_code, response.get_data(), headers


def _requests(db) -> int:
    return db.execute("SELECT count(*) FROM reader_requests").fetchone()[0]


def test_known_and_unknown_addresses_get_the_same_answer_after_the_same_work(make_app, smtp):
    """Status, body and headers are identical and each request is counted and queued alike; only a known
    address ever receives the e-mail (the sender, not the request, looks it up)."""
    from conftest import wait_for

    inbox, _ = smtp
    client = mail_app(make_app, smtp).test_client()
    post(client)
    db = db_of(client)
    known = client.post("/api/privacy", data={"email": EMAIL}, headers=ORIGIN)
    assert 1 == _requests(db)
    unknown = client.post("/api/privacy", data={"email": "inconnu@exemple.ma"}, headers=ORIGIN)
    assert 2 == _requests(db)
    assert _answer(known) == _answer(unknown)
    assert inbox.wait(1)
    assert wait_for(lambda: db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0] == 0)
    assert [[EMAIL]] == [m.rcpt_tos for m in inbox.messages]
    # the unknown address's links went with its message
    assert 0 == db.execute("SELECT count(*) FROM reader_links WHERE email = 'inconnu@exemple.ma'").fetchone()[0]


def test_the_request_path_queues_for_unknown_addresses_too(make_app, smtp):
    """With the sender not yet running, an unknown address's request leaves the same rows as a known one's."""
    import mailer

    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_starttls=False)
    # This process's sender, created but not started: what the request leaves stays to be seen.
    app.extensions["boucle_outbox"] = mailer.OutboxSender(lambda: None, mailer.SmtpSettings(host="127.0.0.1"))
    client = app.test_client()
    db = db_of(client)
    with client.application.test_request_context():
        from comments_api import loop

        loop.request_privacy_links("inconnu@exemple.ma")
    rows = db.execute("SELECT recipients, only_if_reader FROM outbox").fetchall()
    assert [('["inconnu@exemple.ma"]', 1)] == [tuple(r) for r in rows]
    assert 2 == db.execute("SELECT count(*) FROM reader_links").fetchone()[0]


def test_repeated_requests_send_one_mail_and_answer_the_same(make_app, smtp):
    """Eight requests for one address within minutes send one e-mail; every answer is the same."""
    inbox, _ = smtp
    client = mail_app(make_app, smtp).test_client()
    post(client)
    answers = [_answer(client.post("/api/privacy", data={"email": address}, headers=ORIGIN))
               for address in [EMAIL, EMAIL.upper(), *[EMAIL] * 6]]
    assert [answers[0]] * 8 == answers
    assert inbox.wait(1)
    import time

    time.sleep(0.5)
    assert 1 == len(inbox.messages)


def test_the_limit_holds_across_api_machines(make_app, smtp):
    """Two API processes on one database share the count: one e-mail between them."""
    inbox, _ = smtp
    first, second = mail_app(make_app, smtp), mail_app(make_app, smtp)
    assert first.config["DB_PATH"] == second.config["DB_PATH"]
    post(first.test_client())
    for app in (first, second, first, second):
        assert 200 == app.test_client().post("/api/privacy", data={"email": EMAIL}, headers=ORIGIN).status_code
    assert inbox.wait(1)
    import time

    time.sleep(0.5)
    assert 1 == len(inbox.messages)


def test_the_store_allows_one_request_per_ten_minutes_and_three_a_day(db):
    """The counter refuses a second request within ten minutes and a fourth within a day."""
    limits = ((dt.timedelta(minutes=10), 1), (dt.timedelta(days=1), 3))

    def age(minutes):
        db.execute("UPDATE reader_requests SET at = ?",
                   [clock.to_iso(clock.now() - dt.timedelta(minutes=minutes))])

    assert reader_links.allow_request(db, "k", limits)
    assert not reader_links.allow_request(db, "k", limits)
    assert reader_links.allow_request(db, "other", limits)
    db.execute("DELETE FROM reader_requests WHERE address_hash = 'other'")
    age(11)
    assert reader_links.allow_request(db, "k", limits)
    age(11)
    assert reader_links.allow_request(db, "k", limits)
    age(11)
    assert not reader_links.allow_request(db, "k", limits)  # three within the day
    age(24 * 60 + 1)
    assert reader_links.allow_request(db, "k", limits)


# --- The reader's pages speak their language ----------------------------------------------------------------------

@pytest.mark.parametrize(("accept", "lang", "words"), [
    (None, "fr", ["Désinscription", "Me désinscrire", "Revenir au blog"]),
    ("en-GB,en;q=0.9", "en", ["Unsubscribe", "Unsubscribe me", "Back to the blog"]),
])
def test_the_unsubscribe_page_is_in_the_readers_language(make_app, smtp, accept, lang, words):
    """French by default, English for a browser that asks for it; the button's POST keeps the language."""
    client = mail_app(make_app, smtp).test_client()
    url = unsubscribe_url(told(client, smtp[0]))
    headers = {"Accept-Language": accept} if accept else {}
    page = client.get(url, headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and all(w in page for w in words)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    done = client.post("/api/unsubscribe", headers=ORIGIN,
                       data={"token": token, "List-Unsubscribe": "One-Click", "lang": lang}).get_data(as_text=True)
    assert {"fr": "C'est fait", "en": "Done:"}[lang] in html.unescape(done)
    assert f'<html lang="{lang}">' in done


@pytest.mark.parametrize(("accept", "expected"), [
    (None, ["Vos données", "Recevoir le lien", "Indiquez l"]),
    ("en", ["Your data", "Send me the link", "Give the e-mail address"]),
])
def test_the_privacy_pages_are_in_the_readers_language(make_app, smtp, accept, expected):
    """The data request form and its refusals, in French by default and in English on request."""
    client = mail_app(make_app, smtp).test_client()
    headers = {"Accept-Language": accept} if accept else {}
    form = html.unescape(client.get("/api/privacy", headers=headers).get_data(as_text=True))
    assert all(w in form for w in expected)
    refused = client.post("/api/privacy", headers={**ORIGIN, **headers}, data={"email": "pas une adresse"})
    assert 422 == refused.status_code
    assert {None: "n'est pas valide", "en": "is not valid"}[accept] in html.unescape(refused.get_data(as_text=True))
    expired = client.get("/api/privacy/erase?token=nope", headers=headers).get_data(as_text=True)
    assert {None: "Lien expiré", "en": "Link expired"}[accept] in expired
