"""Reply notifications: opt-in on the form, one e-mail per published reply (grouped by the hour), one-click exits."""
from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes
from email.policy import default

import pytest

import comments_store
from comments_store import clock, erasure, subscriptions

pytestmark = pytest.mark.both_databases

SLUG = "negocier-son-salaire"
URL = f"/api/threads/{SLUG}/comments"
ORIGIN = {"Origin": "http://blog.test"}
NADIA = "nadia@exemple.ma"


@pytest.fixture
def world(make_app, smtp, admin_headers):
    """An app that moderates everything and mails through a real SMTP server; (client, inbox, admin headers)."""
    app = make_app(smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_starttls=False)
    return app.test_client(), smtp[0], admin_headers


def db_of(client):
    return comments_store.open_db(client.application.config["DB_PATH"])


def post(client, body, email=None, parent=None, opt_in=False, author="Nadia", slug=SLUG):
    ts = client.get("/api/form-token").get_json()["token"]
    data = {"author": author, "body": body, "ts": ts}
    if email:
        data["email"] = email
    if parent:
        data["parent_id"] = parent
    if opt_in:
        data["notify_replies"] = True
    response = client.post(f"/api/threads/{slug}/comments", json=data)
    assert 201 == response.status_code, response.get_json()
    return response.get_json()["id"]


def approve(client, headers, comment_id):
    assert 200 == client.post(f"/api/admin/comments/{comment_id}/approve", headers=headers).status_code


def published(client, headers, body, **kwargs) -> int:
    comment_id = post(client, body, **kwargs)
    approve(client, headers, comment_id)
    return comment_id


def queued(client) -> int:
    db = db_of(client)
    try:
        return db.execute("SELECT count(*) FROM outbox WHERE subject LIKE 'Nouvelle réponse%'").fetchone()[0]
    finally:
        db.close()


def parsed(envelope):
    return message_from_bytes(envelope.content, policy=default)


def reply_mails(inbox):
    return [parsed(m) for m in inbox.messages if parsed(m)["Subject"].startswith("Nouvelle réponse")]


def test_a_published_reply_sends_one_mail_with_a_link_to_it(world):
    """When a reply to my comment is published by a moderator, I get one e-mail linking to the reply."""
    client, inbox, admin = world
    mine = published(client, admin, "Comment négocier après une promotion ?", email=NADIA, opt_in=True)
    reply = post(client, "Demandez un rendez-vous dédié, chiffres en main.", email="sam@exemple.ma", parent=mine,
                 author="Sam")
    assert 0 == queued(client)  # waiting for moderation: nothing yet
    approve(client, admin, reply)
    assert inbox.wait(1)
    message = reply_mails(inbox)[0]
    text = message.get_content()
    assert [NADIA] == [r.lower() for r in inbox.messages[0].rcpt_tos]
    assert f"http://blog.test/{SLUG}/#comment-{reply}" in text
    assert "Demandez un rendez-vous dédié" in text
    assert "Nouvelle réponse sous « Négocier son salaire sans gêne »" == message["Subject"]


def test_the_mail_offers_one_click_unsubscribe_for_the_thread_and_for_everything(world):
    """The mail carries List-Unsubscribe (this article) with List-Unsubscribe-Post, and both links in its text."""
    client, inbox, admin = world
    mine = published(client, admin, "Et pour un premier emploi ?", email=NADIA, opt_in=True)
    published(client, admin, "Renseignez-vous sur les grilles du secteur.", parent=mine, author="Sam")
    assert inbox.wait(1)
    message = reply_mails(inbox)[0]
    assert "List-Unsubscribe=One-Click" == message["List-Unsubscribe-Post"]
    assert re.fullmatch(r"<http://blog\.test/api/replies/unsubscribe\?token=\d+\.[0-9a-f]{32}>",
                        message["List-Unsubscribe"])
    text = message.get_content()
    assert message["List-Unsubscribe"][1:-1] in text
    assert re.search(r"http://blog\.test/api/unsubscribe\?token=\S+", text)


def test_no_mail_without_the_opt_in(world):
    """A reader who did not tick the box hears of no reply."""
    client, _, admin = world
    mine = published(client, admin, "Merci pour ces conseils précis.", email=NADIA)
    published(client, admin, "Avec plaisir !", parent=mine, author="Sam")
    assert 0 == queued(client)


def test_no_mail_for_my_own_reply(world):
    """A reply written with my own address (in any letter case) sends me nothing."""
    client, _, admin = world
    mine = published(client, admin, "Première question sur le salaire.", email=NADIA, opt_in=True)
    published(client, admin, "Je complète ma propre question.", email=NADIA.upper(), parent=mine)
    assert 0 == queued(client)


def test_a_rejected_reply_sends_nothing(world):
    """Only published replies count: one rejected by a moderator sends nothing."""
    client, _, admin = world
    mine = published(client, admin, "Une question sur les primes.", email=NADIA, opt_in=True)
    reply = post(client, "Achetez mes pilules miracles", parent=mine, author="Spam")
    assert 200 == client.post(f"/api/admin/comments/{reply}/reject", headers=admin).status_code
    assert 0 == queued(client)


def test_replies_within_the_hour_are_grouped_in_the_next_mail(world, monkeypatch):
    """At most one mail an hour per article: replies published meanwhile go together in the next one."""
    client, inbox, admin = world
    mine = published(client, admin, "Faut-il parler chiffres en premier ?", email=NADIA, opt_in=True)
    published(client, admin, "Oui, ancrez la discussion.", parent=mine, author="Sam")
    assert inbox.wait(1)
    second = published(client, admin, "Non, laissez-les proposer.", parent=mine, author="Lina")
    third = published(client, admin, "Cela dépend du secteur.", parent=mine, author="Omar")
    assert 1 == queued(client)
    later = clock.now() + dt.timedelta(minutes=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    with client.application.app_context():
        from comments_api import notify

        notify.sender().kick()  # the sender's next round queues what waited for its hour
    assert inbox.wait(2)
    text = reply_mails(inbox)[1].get_content()
    assert f"#comment-{second}" in text and f"#comment-{third}" in text
    assert 2 == queued(client)


def test_a_one_click_post_ends_the_thread_subscription(world):
    """The mail client's POST of List-Unsubscribe=One-Click to the article link ends that subscription only."""
    client, inbox, admin = world
    mine = published(client, admin, "Une question sur le télétravail.", email=NADIA, opt_in=True)
    published(client, admin, "Bonne question !", parent=mine, author="Sam")
    assert inbox.wait(1)
    link = reply_mails(inbox)[0]["List-Unsubscribe"][1:-1].replace("http://blog.test", "")
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert 200 == response.status_code
    assert [] == [s for s in _subscriptions(client) if s[0] == NADIA]
    published(client, admin, "Une autre réponse, plus tard.", parent=mine, author="Lina")
    assert 1 == queued(client)


def _subscriptions(client):
    db = db_of(client)
    try:
        return db.execute("SELECT email, thread_id FROM reply_subscriptions ORDER BY id").fetchall()
    finally:
        db.close()


def test_opening_the_link_changes_nothing_and_asks_for_confirmation(world):
    """A GET (a link scanner) shows a page with a button that POSTs; the subscription stays."""
    client, inbox, admin = world
    mine = published(client, admin, "Une question sur les entretiens.", email=NADIA, opt_in=True)
    published(client, admin, "Préparez trois exemples.", parent=mine, author="Sam")
    assert inbox.wait(1)
    link = reply_mails(inbox)[0]["List-Unsubscribe"][1:-1].replace("http://blog.test", "")
    html = client.get(link).get_data(as_text=True)
    assert '<form method="post"' in html and 'name="List-Unsubscribe" value="One-Click"' in html
    assert 1 == len(_subscriptions(client))


@pytest.mark.parametrize("token", ["1.0000000000000000000000000000000", "abc", "", "1." + "f" * 32, "9" * 40])
def test_a_forged_thread_link_is_refused(world, token):
    """A token that is not ours, GET or POST, answers 400 and ends nothing."""
    client, _, admin = world
    published(client, admin, "Une question de plus.", email=NADIA, opt_in=True)
    assert 400 == client.get(f"/api/replies/unsubscribe?token={token}").status_code
    assert 400 == client.post(f"/api/replies/unsubscribe?token={token}",
                              data={"List-Unsubscribe": "One-Click"}).status_code
    assert 1 == len(_subscriptions(client))


def test_a_post_without_the_one_click_body_is_refused(world):
    """RFC 8058: without List-Unsubscribe=One-Click in the body, the POST ends nothing."""
    client, inbox, admin = world
    mine = published(client, admin, "Encore une question.", email=NADIA, opt_in=True)
    published(client, admin, "Encore une réponse.", parent=mine, author="Sam")
    assert inbox.wait(1)
    link = reply_mails(inbox)[0]["List-Unsubscribe"][1:-1].replace("http://blog.test", "")
    assert 400 == client.post(link).status_code
    assert 1 == len(_subscriptions(client))


def test_the_everything_link_ends_every_subscription(world):
    """The mail's second link unsubscribes the address from every article's replies."""
    client, inbox, admin = world
    mine = published(client, admin, "Question sur le salaire.", email=NADIA, opt_in=True)
    published(client, admin, "Question sur le recrutement.", email=NADIA, opt_in=True, slug="recruter-a-distance")
    published(client, admin, "Réponse.", parent=mine, author="Sam")
    assert inbox.wait(1)
    link = re.search(r"http://blog\.test(/api/unsubscribe\?token=\S+)", reply_mails(inbox)[0].get_content()).group(1)
    assert 200 == client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code
    assert [] == _subscriptions(client)


def test_a_team_reply_is_announced_too(world):
    """A reply of the product team under my comment is a published reply: I hear of it."""
    client, inbox, admin = world
    mine = published(client, admin, "Le filtre par ville ne marche pas.", email=NADIA, opt_in=True)
    db = db_of(client)
    with client.application.test_request_context():
        from comments_api import replies

        reply = comments_store.add_team_reply(db, mine, "Corrigé, merci !")
        replies.send_now(db)
    assert inbox.wait(1)
    assert f"#comment-{reply.id}" in reply_mails(inbox)[0].get_content()


def test_the_no_js_form_opts_in(world):
    """The form without JavaScript (preview, then confirm) carries the box, and a ticked box subscribes."""
    client, _, _ = world
    fields = {"author": "Nadia", "body": "Sans JavaScript, je pose ma question.", "email": NADIA,
              "notify_replies": "1", "lang": "fr"}
    html = client.post(URL, data=fields, headers=ORIGIN).get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="notify_replies" value="1" checked>', html)
    token = re.search(r'name="ts" value="([^"]+)"', html).group(1)
    assert 303 == client.post(URL, data={**fields, "ts": token}, headers=ORIGIN).status_code
    assert [(NADIA,)] == [s[:1] for s in _subscriptions(client)]


def test_an_opt_in_without_an_address_subscribes_nobody(world):
    """Ticking the box without an e-mail stores the comment and subscribes nobody."""
    client, _, _ = world
    post(client, "Une question anonyme.", opt_in=True)
    assert [] == _subscriptions(client)


def test_erasure_purges_the_readers_subscriptions(db):
    """Erasing a reader ends their subscriptions and the notices waiting for them."""
    mine, _ = comments_store.add_comment(db, SLUG, comments_store.NewComment(
        author="Nadia", body="Ma question", email=NADIA, notify_replies=True), moderation="none")
    comments_store.add_comment(db, SLUG, comments_store.NewComment(author="Sam", body="Ma réponse", parent_id=mine.id),
                               moderation="none")
    assert 1 == len(subscriptions.due(db))
    erasure.erase_reader(db, NADIA)
    assert (0, 0) == (db.execute("SELECT count(*) FROM reply_subscriptions").fetchone()[0],
                      db.execute("SELECT count(*) FROM reply_notices").fetchone()[0])


def test_the_data_export_lists_the_readers_subscriptions(world):
    """A reader's data export names the articles they hear of replies on."""
    client, _, admin = world
    published(client, admin, "Une question pour l'export.", email=NADIA, opt_in=True)
    with client.application.test_request_context():
        from comments_api import loop

        token = loop.privacy_token(NADIA, "export")
    data = client.get(f"/api/privacy/export?token={token}").get_json()
    assert [SLUG] == [s["article"] for s in data["reply_notifications"]]


def test_two_senders_never_mail_the_same_replies(db):
    """The notices of a mail are claimed once: a second sender finding the same ones due claims nothing."""
    mine, _ = comments_store.add_comment(db, SLUG, comments_store.NewComment(
        author="Nadia", body="Ma question", email=NADIA, notify_replies=True), moderation="none")
    comments_store.add_comment(db, SLUG, comments_store.NewComment(author="Sam", body="Ma réponse", parent_id=mine.id),
                               moderation="none")
    first, second = subscriptions.due(db), subscriptions.due(db)  # both machines read before either writes
    ids = [r.id for r in first[0].replies]
    assert (1, 0) == (subscriptions.mark_mailed(db, first[0].subscription.id, ids),
                      subscriptions.mark_mailed(db, second[0].subscription.id, ids))
    assert [] == subscriptions.due(db)


def test_a_failing_round_does_not_stop_the_sender(db, smtp):
    """If the work done before a round fails, the sender still sends what is queued, and keeps running."""
    import mailer

    inbox, port = smtp

    def broken(_db):
        raise RuntimeError("the round's own work failed")

    mailer.queue(db, [NADIA], "Un message en attente", "Bonjour")
    from conftest import location_of

    # The sender's own connection, as in the API (it closes it when stopped).
    sender = mailer.OutboxSender(lambda: comments_store.open_db(location_of(db)), mailer.SmtpSettings(host="127.0.0.1", port=port, starttls=False),
                                 interval=0.05, each_round=broken).start()
    try:
        assert inbox.wait(1)
        mailer.queue(db, [NADIA], "Un deuxième", "Bonjour")
        sender.kick()
        assert inbox.wait(2)
    finally:
        sender.stop()


def test_without_moderation_a_reply_is_announced_as_it_is_posted(make_app, smtp):
    """Moderation off: a reply is published as it is posted, and its mail goes at once."""
    client = make_app(smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_starttls=False, moderation="none").test_client()
    mine = post(client, "Une question sans modération.", email=NADIA, opt_in=True)
    reply = post(client, "Une réponse publiée tout de suite.", parent=mine, author="Sam")
    assert smtp[0].wait(1)
    assert f"#comment-{reply}" in reply_mails(smtp[0])[0].get_content()


def test_no_reader_text_reaches_a_header(world):
    """The mail's headers are ours only: the replier's name and text appear in its body, never in a header."""
    client, inbox, admin = world
    mine = published(client, admin, "Une question d'en-têtes.", email=NADIA, opt_in=True)
    published(client, admin, "Subject: piège", parent=mine, author="Bcc evil@evil.example")
    assert inbox.wait(1)
    message = reply_mails(inbox)[0]
    extra = {"from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post",
             "auto-submitted", "content-type", "content-transfer-encoding", "mime-version"}
    assert set() == {name.lower() for name in message.keys()} - extra
    headers = "\n".join(str(value) for value in message.values())
    assert "evil" not in headers and "piège" not in headers
    assert "Bcc evil@evil.example" in message.get_content()
