"""Moderators get an e-mail for each comment that waits, through a real (local) SMTP server."""
from __future__ import annotations

import time

from conftest import wait_for


URL = "/api/threads/negocier-son-salaire/comments"


def test_pending_comment_notifies_moderators(make_app, smtp):
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                      moderator_emails=["modo@atlas.example"], smtp_from="blog@atlas.example").test_client()
    client.post(URL, json={"author": "Samir", "body": "Le formulaire ne marche pas"})
    assert wait_for(lambda: inbox.messages)
    message = inbox.messages[0]
    assert message.rcpt_tos == ["modo@atlas.example"]
    text = message.content.decode()
    assert "Samir" in text and "/admin/" in text


def test_published_comments_send_nothing(make_app, smtp):
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, moderation="none",
                      moderator_emails=["modo@atlas.example"]).test_client()
    client.post(URL, json={"author": "Samir", "body": "Un avis publié"})
    time.sleep(0.5)
    assert inbox.messages == []


def test_mail_server_down_never_loses_the_comment(make_app, free_port, caplog):
    """With no SMTP server listening, the comment is stored and the failure logged."""
    client = make_app(smtp_host="127.0.0.1", smtp_port=free_port, smtp_starttls=False,
                      moderator_emails=["modo@atlas.example"]).test_client()
    response = client.post(URL, json={"author": "Samir", "body": "Toujours stocké"})
    assert response.status_code == 201
    assert wait_for(lambda: "notification e-mail to moderators failed" in caplog.text)


def test_notifications_off_without_smtp_settings(app):
    from comments_api import notify

    with app.test_request_context():
        assert notify.new_pending(None) is None
