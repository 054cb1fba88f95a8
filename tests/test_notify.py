"""Moderators get an e-mail for each comment that waits, through a real (local) SMTP server."""
from __future__ import annotations

import time

import pytest

import comments_store
from comments_store import outbox
from conftest import wait_for, with_ts

pytestmark = pytest.mark.both_databases


URL = "/api/threads/negocier-son-salaire/comments"


def test_pending_comment_notifies_moderators(make_app, smtp):
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                      moderator_emails=["modo@atlas.example"], smtp_from="blog@atlas.example").test_client()
    client.post(URL, json=with_ts(client, {"author": "Samir", "body": "Le formulaire ne marche pas"}))
    assert wait_for(lambda: inbox.messages)
    message = inbox.messages[0]
    assert message.rcpt_tos == ["modo@atlas.example"]
    text = message.content.decode()
    assert "Samir" in text and "/admin/" in text


def test_pending_comment_and_its_notice_are_one_write(make_app, smtp):
    """A comment that waits for moderation and the moderators' notice are stored in one write transaction."""
    from comments_api import db as request_db

    inbox, port = smtp
    app = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                   moderator_emails=["modo@atlas.example"], smtp_from="blog@atlas.example")
    client = app.test_client()
    comment = with_ts(client, {"author": "Samir", "body": "Une seule écriture"})
    connection = request_db.borrow(app)  # the one the next request takes from the pool
    if comments_store.db.is_postgres(connection):
        request_db.give_back(app, connection)
        pytest.skip("counted with SQLite's statement trace")
    statements = []
    connection.conn.set_trace_callback(statements.append)
    request_db.give_back(app, connection)
    assert 201 == client.post(URL, json=comment).status_code
    connection.conn.set_trace_callback(None)
    assert 1 == sum(statement.startswith("BEGIN") for statement in statements)
    assert wait_for(lambda: inbox.messages)
    assert "Une seule écriture" in inbox.messages[0].content.decode()


def test_published_comments_send_nothing(make_app, smtp):
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, moderation="none",
                      moderator_emails=["modo@atlas.example"]).test_client()
    client.post(URL, json=with_ts(client, {"author": "Samir", "body": "Un avis publié"}))
    time.sleep(0.5)
    assert inbox.messages == []


def test_mail_server_down_then_up_the_mail_waits_and_goes_once(make_app, free_port):
    """Server away: the comment is stored and answered at once; the e-mail waits in the outbox, is retried with
    back-off, and leaves exactly once when the server comes back."""
    from aiosmtpd.controller import Controller

    from conftest import Inbox

    app = make_app(smtp_host="127.0.0.1", smtp_port=free_port, smtp_starttls=False, mail_retry_seconds=0.2,
                   moderator_emails=["modo@atlas.example"])
    client = app.test_client()
    started = time.monotonic()
    response = client.post(URL, json=with_ts(client, {"author": "Samir", "body": "Toujours stocké"}))
    # well under the mailer's 20-second SMTP timeout, with room for a busy CI host
    assert response.status_code == 201 and time.monotonic() - started < 10
    db = comments_store.open_db(app.config["DB_PATH"])
    # retried on its back-off (0.2 s, 0.4 s…), not on the sender's 10-second round; still waiting
    assert wait_for(lambda: (outbox.waiting(db) or [{}])[0].get("attempts", 0) >= 2, 5)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
    controller.start()
    try:
        assert wait_for(lambda: outbox.sent(db) == 1, 30)
        time.sleep(1.0)  # more rounds of the sender: nothing goes twice
        assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["modo@atlas.example"]
        assert outbox.waiting(db) == []
    finally:
        controller.stop()


def test_a_slow_mail_server_does_not_slow_the_reader(make_app, free_port):
    """A server that accepts the connection and never answers: the comment is still answered at once."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port))
    listener.listen(5)  # accepts, says nothing
    try:
        client = make_app(smtp_host="127.0.0.1", smtp_port=free_port, smtp_starttls=False,
                          moderator_emails=["modo@atlas.example"]).test_client()
        started = time.monotonic()
        for i in range(3):
            assert client.post(URL, json=with_ts(client, {"author": "Samir", "body": f"Vite {i}"})).status_code == 201
        assert time.monotonic() - started < 10  # waiting on the server would take 3 × 20 s (its timeout)
    finally:
        listener.close()


def test_two_senders_never_send_the_same_message_twice(tmp_path, smtp):
    import threading

    import mailer

    inbox, port = smtp
    path = tmp_path / "two.db"
    db = comments_store.open_db(path)
    for i in range(30):
        mailer.queue(db, ["modo@atlas.example"], f"Message {i}", "texte")
    settings = mailer.SmtpSettings(host="127.0.0.1", port=port, starttls=False)
    threads = [threading.Thread(target=mailer.send_due, args=(comments_store.open_db(path), settings))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert inbox.wait(30)
    subjects = sorted(m.content.decode().split("Subject: ")[1].split("\r\n")[0] for m in inbox.messages)
    assert len(subjects) == 30 and len(set(subjects)) == 30
    assert outbox.sent(db) == 30 and outbox.waiting(db) == []


def test_python_m_mailer_sends_what_waits(tmp_path, smtp):
    import subprocess
    import sys

    import mailer
    from conftest import ROOT

    inbox, port = smtp
    path = tmp_path / "cli.db"
    mailer.queue(comments_store.open_db(path), ["po@atlas.example"], "Résumé", "texte")
    env = {"BOUCLE_SMTP_HOST": "127.0.0.1", "BOUCLE_SMTP_PORT": str(port), "BOUCLE_SMTP_STARTTLS": "0",
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "mailer", "--db", str(path)], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0 and "1 envoyé(s)" in result.stdout, result.stderr
    assert inbox.wait(1)


def test_notifications_off_without_smtp_settings(app):
    from comments_api import notify

    with app.test_request_context():
        assert notify.new_pending(None) is None
