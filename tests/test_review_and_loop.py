"""Product owners review feedback in /admin/feedback, and readers hear back when their item is done."""
from __future__ import annotations

import re
import time

import pytest

import comments_store
from conftest import ADMIN_TOKEN, with_ts
from feedback import store as feedback_store

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"




@pytest.fixture
def client(make_app, smtp):
    _, port = smtp
    app = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, moderation="none")
    return app.test_client()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def login(client, who="Samira"):
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(page), "who": who})


def comment(client, body, email=None, notify=False):
    payload = {"author": "Nadia Benali", "body": body, "notify": notify}
    if email:
        payload["email"] = email
    return client.post(URL, json=with_ts(client, payload)).get_json()["id"]


def review_page(client, query=""):
    return client.get("/admin/feedback" + query).get_data(as_text=True)


def db_of(client):
    return feedback_store.prepare(comments_store.open_db(client.application.config["DB_PATH"]))


def test_review_page_needs_the_moderator_login(client):
    response = client.get("/admin/feedback")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")


def test_review_page_tags_new_comments_and_lists_problems_and_suggestions(client):
    comment(client, "L'appli plante quand je postule")
    comment(client, "Merci pour cet article")
    login(client)
    page = review_page(client)
    assert "L'appli plante quand je postule" in page and "Merci pour cet article" not in page
    assert "Problème" in page and "Nadia" in page and "Benali" not in page
    assert "Merci pour cet article" in review_page(client, "?label=none")


def test_filters(client):
    comment(client, "Il faudrait un filtre par ville")
    comment(client, "The app keeps crashing")
    login(client)
    assert "The app keeps crashing" not in review_page(client, "?lang=fr")
    assert "filtre par ville" not in review_page(client, "?label=problem")
    assert "Rien à revoir" in review_page(client, "?status=done")
    assert "semaine invalide" in review_page(client, "?week=hier")


def test_correcting_tags_is_recorded_with_who_and_when(client):
    cid = comment(client, "L'appli plante quand je postule")
    login(client, who="Samira")
    page = review_page(client)
    client.post(f"/admin/feedback/{cid}/tags", data={"csrf": csrf_of(page), "suggestion": "1"})
    tagged = feedback_store.get(db_of(client), cid)
    assert tagged.labels == ["suggestion"] and tagged.source == "human"
    history = feedback_store.history(db_of(client), cid)
    assert history[-1]["author"] == "Samira" and history[-1]["change"] == "tags" and history[-1]["at"].endswith("Z")


def test_status_moves_along_with_a_note(client):
    cid = comment(client, "L'appli plante quand je postule")
    login(client)
    csrf = csrf_of(review_page(client))
    for status in ("triaged", "planned"):
        client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": status, "note": "sprint 12"})
    assert feedback_store.status_of(db_of(client), cid) == ("planned", "sprint 12")
    assert [h["new"] for h in feedback_store.history(db_of(client), cid)] == ["triaged", "planned"]


def test_impossible_status_change_is_refused(client):
    cid = comment(client, "L'appli plante quand je postule")
    login(client)
    csrf = csrf_of(review_page(client))
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "done"})
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "new"})
    assert feedback_store.status_of(db_of(client), cid)[0] == "done"
    assert "Statut refusé" in review_page(client)


def test_forms_without_csrf_are_refused(client):
    cid = comment(client, "L'appli plante quand je postule")
    login(client)
    review_page(client)
    assert client.post(f"/admin/feedback/{cid}/tags", data={"problem": "1"}).status_code == 400
    assert client.post(f"/admin/feedback/{cid}/status", data={"status": "triaged"}).status_code == 400


def test_done_with_a_public_reply_tells_the_reader_once(client, smtp):
    """The team reply appears under the comment; the opted-in reader gets one e-mail with an unsubscribe link."""
    inbox, _ = smtp
    cid = comment(client, "Le filtre par ville ne marche pas", email="nadia@exemple.ma", notify=True)
    login(client)
    csrf = csrf_of(review_page(client))
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "done",
                                                         "reply": "Corrigé dans la version 3.4, merci Nadia !"})
    thread = client.get(URL).get_json()["comments"]
    reply = [c for c in thread if c["parent_id"] == cid]
    assert len(reply) == 1 and reply[0]["team"] is True and reply[0]["author"] == "Équipe"
    inbox.wait()
    assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["nadia@exemple.ma"]
    text = inbox.messages[0].content.decode("utf-8", "replace")
    assert "List-Unsubscribe" in text
    # Reopened and done again: a second public reply, but no second e-mail.
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "planned"})
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "done", "reply": "Encore mieux."})
    time.sleep(0.3)
    assert len(inbox.messages) == 1


def test_reader_who_did_not_opt_in_gets_nothing(client, smtp):
    inbox, _ = smtp
    cid = comment(client, "Le filtre par ville ne marche pas", email="omar@exemple.ma", notify=False)
    login(client)
    csrf = csrf_of(review_page(client))
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "done", "reply": "C'est corrigé."})
    time.sleep(0.3)
    assert inbox.messages == []


def test_mail_server_away_the_reader_is_told_once_when_it_returns(make_app, free_port):
    """The reply is published at once; the e-mail waits in the outbox and leaves once the server is back."""
    from aiosmtpd.controller import Controller

    from comments_store import outbox
    from conftest import Inbox, wait_for

    client = make_app(smtp_host="127.0.0.1", smtp_port=free_port, smtp_starttls=False, moderation="none",
                      mail_retry_seconds=0.2).test_client()
    cid = comment(client, "Le filtre par ville ne marche pas", email="nadia@exemple.ma", notify=True)
    login(client)
    csrf = csrf_of(review_page(client))
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "done", "reply": "Corrigé."})
    assert "sera prévenu" in review_page(client)
    db = db_of(client)
    assert wait_for(lambda: (outbox.waiting(db) or [{}])[0].get("attempts", 0) >= 1)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
    controller.start()
    try:
        assert wait_for(lambda: outbox.sent(db) == 1, 30)
        client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "done", "reply": "Encore."})
        time.sleep(1.0)
        assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["nadia@exemple.ma"]
    finally:
        controller.stop()


def unsubscribe_link(inbox) -> str:
    import email
    from email import policy

    message = email.message_from_bytes(inbox.messages[-1].content, policy=policy.default)
    return re.search(r"(/api/unsubscribe\?token=\S+)", message.get_content()).group(1)


def test_one_click_unsubscribe(client, smtp):
    inbox, _ = smtp
    cid = comment(client, "Le filtre par ville ne marche pas", email="nadia@exemple.ma", notify=True)
    other = comment(client, "Et la carte ne charge pas", email="NADIA@exemple.ma", notify=True)
    login(client)
    csrf = csrf_of(review_page(client))
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf, "status": "done", "reply": "Corrigé."})
    inbox.wait()
    client.get("/admin/logout")
    link = unsubscribe_link(inbox)
    db = db_of(client)
    assert client.get(link).status_code == 200 and comments_store.get_comment(db, other).notify  # GET: asks
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "plus d&#39;e-mails" in response.get_data(as_text=True)
    assert not comments_store.get_comment(db, other).notify
    assert client.get("/api/unsubscribe?token=forged").status_code == 400


def test_data_export_and_erasure_by_signed_link(client, smtp):
    inbox, _ = smtp
    cid = comment(client, "Le filtre par ville ne marche pas", email="nadia@exemple.ma")
    db = db_of(client)
    from feedback import tagging
    from feedback.classify import Classifier

    tagging.tag_comments(db, Classifier.load())
    response = client.post("/api/privacy", data={"email": "nadia@exemple.ma"}, headers={"Origin": "http://blog.test"})
    assert response.status_code == 200
    inbox.wait()
    import email
    from email import policy

    body = email.message_from_bytes(inbox.messages[-1].content, policy=policy.default).get_content()
    export = re.search(r"(/api/privacy/export\?token=\S+)", body).group(1)
    erase = re.search(r"(/api/privacy/erase\?token=\S+)", body).group(1)
    data = client.get(export).get_json()
    assert data["comments"][0]["body"] == "Le filtre par ville ne marche pas"
    token = re.search(r'name="token" value="([^"]+)"', client.get(erase).get_data(as_text=True)).group(1)
    assert client.post("/api/privacy/erase", data={"token": token}, headers={"Origin": "http://blog.test"}).status_code == 200
    gone = comments_store.get_comment(db, cid)
    assert (gone.author, gone.email, gone.body, gone.deleted) == ("", None, "", True)
    # The anonymous tally stays.
    assert db.execute("SELECT count(*) FROM feedback_tags WHERE comment_id = ?", [cid]).fetchone()[0] == 1


def test_privacy_request_for_an_unknown_address_looks_the_same(client, smtp):
    inbox, _ = smtp
    response = client.post("/api/privacy", data={"email": "inconnu@exemple.ma"}, headers={"Origin": "http://blog.test"})
    assert response.status_code == 200 and "Si cette adresse" in response.get_data(as_text=True)
    time.sleep(0.2)
    assert inbox.messages == []


@pytest.mark.parametrize("path", ["/api/privacy/export?token=x", "/api/privacy/erase?token=x"])
def test_forged_privacy_links_are_refused(client, path):
    assert client.get(path).status_code == 400


def test_privacy_request_with_a_bad_address(client):
    response = client.post("/api/privacy", data={"email": "nope"}, headers={"Origin": "http://blog.test"})
    assert response.status_code == 422
