"""Product owners review feedback in /admin/feedback, and readers hear back when their item is done."""
from __future__ import annotations

import html
import re
import time
from email import message_from_bytes
from email.policy import default

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
    """Opening the review page logged out leads to the log-in, carrying the page to come back to."""
    response = client.get("/admin/feedback")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/?next=/admin/feedback")


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


# --- The review page for a long week ----------------------------------------------------------------------------


def store_comments(client, bodies: list[str], slug: str = "negocier-son-salaire") -> list[int]:
    """Published comments written straight into the store (faster than the API for a long week)."""
    db = db_of(client)
    ids = []
    for n, body in enumerate(bodies):
        stored, _ = comments_store.add_comment(db, slug, comments_store.NewComment(author=f"Lecteur {n}", body=body),
                                               moderation="none", duplicate_window=__import__("datetime").timedelta(0))
        ids.append(stored.id)
    return ids


def set_created_at(client, comment_id: int, when: str) -> None:
    db = db_of(client)
    with comments_store.write(db):
        db.execute("UPDATE comments SET created_at = ? WHERE id = ?", [when, comment_id])


def add_theme(client, name: str, ids: list[int]) -> int:
    """A theme as the themes work stores it, written into its tables directly."""
    db = db_of(client)
    now = "2026-11-30T08:00:00Z"
    with comments_store.write(db):
        theme_id = db.execute("INSERT INTO feedback_themes (name, named_by, created_at, updated_at) "
                              "VALUES (?, 'human', ?, ?) RETURNING id", [name, now, now]).fetchone()[0]
        for cid in ids:
            db.execute("INSERT INTO feedback_theme_items (comment_id, theme_id, source, placed_at) "
                       "VALUES (?, ?, 'auto', ?)", [cid, theme_id, now])
    return theme_id


def item_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'<li class="item" id="item-(\d+)"', page)]


def test_each_item_is_one_line_with_its_details_on_demand(client):
    """One line: date, label, status, language, the article linked to the comment on the site, an excerpt;
    the full text, history and forms wait in a <details>."""
    cid = comment(client, "L'appli plante quand je postule, à chaque fois que j'ajoute mon CV en PDF")
    login(client)
    page = review_page(client)
    line = page.split(f'id="item-{cid}"', 1)[1].split("<details>", 1)[0]
    assert "Problème" in line and "Nouveau" in line and ">fr<" in line
    assert f'href="http://blog.test/negocier-son-salaire/#comment-{cid}">Négocier son salaire sans gêne</a>' in line
    assert "L&#39;appli plante quand je postule" in line
    details = page.split(f'id="item-{cid}"', 1)[1].split("</details>", 1)[0].split("<details>", 1)[1]
    assert f'action="/admin/feedback/{cid}/status"' in details and f'action="/admin/feedback/{cid}/tags"' in details


@pytest.mark.parametrize(("zone", "expected"), [
    ("Africa/Casablanca", "2026-11-27 00:30"), ("Asia/Tokyo", "2026-11-27 08:30"), ("UTC", "2026-11-26 23:30"),
])
def test_dates_are_in_the_sites_time_zone(make_app, zone, expected):
    """A comment stored at 23:30 UTC shows at the local time of BOUCLE_TIMEZONE."""
    client = make_app(moderation="none", timezone=zone).test_client()
    cid = comment(client, "L'appli plante quand je postule")
    set_created_at(client, cid, "2026-11-26T23:30:00Z")
    login(client)
    line = review_page(client).split(f'id="item-{cid}"', 1)[1].split("<details>", 1)[0]
    assert f'<time datetime="2026-11-26T23:30:00Z">{expected}</time>' in line


def test_a_bad_time_zone_stops_the_app_at_start_up():
    """BOUCLE_TIMEZONE must name a real zone: the service refuses to start, naming the variable."""
    from comments_api.config import ConfigError, from_environ

    with pytest.raises(ConfigError, match="BOUCLE_TIMEZONE"):
        from_environ({"BOUCLE_TIMEZONE": "Mars/Olympus"}, root=".")


def test_filter_by_theme(client):
    """?theme=N shows the items of that theme; ?theme=none those in no theme."""
    crash, upload, city = store_comments(client, ["L'appli plante quand je postule", "Le téléversement du CV échoue",
                                                  "Il faudrait un filtre par ville"])
    login(client)
    review_page(client)  # tags them
    theme = add_theme(client, "Candidature qui échoue", [crash, upload])
    assert sorted(item_ids(review_page(client, f"?theme={theme}"))) == [crash, upload]
    assert item_ids(review_page(client, "?theme=none")) == [city]
    assert "Candidature qui échoue" in review_page(client, f"?theme={theme}").split("<details>", 1)[0]


def test_filter_by_age(client):
    """?age=7 keeps the last week's items; ?age=older the old backlog."""
    old, new = store_comments(client, ["L'appli plante quand je postule", "Le téléversement du CV échoue"])
    from comments_store import clock

    set_created_at(client, old, clock.to_iso(clock.now() - __import__("datetime").timedelta(days=120)))
    login(client)
    assert item_ids(review_page(client, "?age=7")) == [new]
    assert item_ids(review_page(client, "?age=older")) == [old]
    assert item_ids(review_page(client, "?age=30&status=new")) == [new]


def test_filter_by_status_label_and_language_together(client):
    crash, idea, english = store_comments(client, ["L'appli plante quand je postule",
                                                   "Il faudrait un filtre par ville", "The app keeps crashing"])
    login(client)
    csrf = csrf_of(review_page(client))
    client.post(f"/admin/feedback/{crash}/status", data={"csrf": csrf, "status": "triaged"})
    assert item_ids(review_page(client, "?status=triaged&label=problem&lang=fr")) == [crash]
    assert item_ids(review_page(client, "?label=suggestion")) == [idea]
    assert item_ids(review_page(client, "?lang=en")) == [english]


@pytest.mark.parametrize(("query", "message"), [
    ("?status=closed", "statut inconnu"), ("?label=bug", "étiquette inconnue"), ("?lang=de", "langue inconnue"),
    ("?age=3", "âge inconnu"), ("?theme=999", "thème inconnu"), ("?theme=abc", "thème inconnu"),
    ("?page=0", "page invalide"), ("?page=deux", "page invalide"), ("?week=hier", "semaine invalide"),
    ("?thread=nulle-part", "article inconnu"), ("?comment=x", "numéro de commentaire invalide"),
])
def test_bad_filter_values_are_refused_with_a_message(client, query, message):
    """A value the page does not offer is a 400 that names it, and lists nothing."""
    cid = comment(client, "L'appli plante quand je postule")
    login(client)
    response = client.get("/admin/feedback" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "Filtre refusé" in page
    assert item_ids(page) == [] and feedback_store.status_of(db_of(client), cid) == ("new", "")


def test_paging_is_fifty_a_page_newest_first_and_stable(client):
    """Two pages for 53 items: 50 then 3, newest first, none twice, none missing; filters stay in the links."""
    ids = store_comments(client, [f"L'appli plante quand je postule (essai n°{n})" for n in range(53)])
    for cid in ids:  # all at the same second: the id keeps the order stable
        set_created_at(client, cid, "2026-11-26T10:00:00Z")
    login(client)
    first = review_page(client, "?label=problem")
    second = review_page(client, "?label=problem&page=2")
    assert item_ids(first) == sorted(ids, reverse=True)[:50] and item_ids(second) == sorted(ids, reverse=True)[50:]
    assert "page 1 sur 2" in first and 'href="/admin/feedback/?label=problem&amp;page=2" rel="next"' in first
    assert item_ids(review_page(client, "?label=problem&page=3")) == []


def bulk(client, ids, **form):
    csrf = csrf_of(review_page(client))
    return client.post("/admin/feedback/bulk", data={"csrf": csrf, "ids": [str(i) for i in ids], **form})


def test_bulk_status_change(client):
    """Checked lines move together, each with its history line."""
    a, b, c = store_comments(client, ["L'appli plante quand je postule", "Le téléversement du CV échoue",
                                      "Il faudrait un filtre par ville"])
    login(client, who="Samira")
    response = bulk(client, [a, b], action="status", status="planned")
    assert response.status_code == 303
    db = db_of(client)
    assert [feedback_store.status_of(db, x)[0] for x in (a, b, c)] == ["planned", "planned", "new"]
    assert feedback_store.history(db, a)[-1]["author"] == "Samira"
    assert "2 élément(s) : Prévu." in review_page(client)


def test_bulk_tags_are_added_and_removed_as_human_decisions(client):
    a, b = store_comments(client, ["L'appli plante quand je postule", "Le téléversement du CV échoue"])
    login(client)
    bulk(client, [a, b], action="tag_add", label="suggestion")
    db = db_of(client)
    assert [feedback_store.get(db, x).labels for x in (a, b)] == [["problem", "suggestion"]] * 2
    bulk(client, [a], action="tag_remove", label="problem")
    assert (feedback_store.get(db, a).labels, feedback_store.get(db, a).source) == (["suggestion"], "human")


def test_bulk_theme_placement_and_removal(client):
    a, b = store_comments(client, ["L'appli plante quand je postule", "Le téléversement du CV échoue"])
    login(client)
    review_page(client)
    theme = add_theme(client, "Candidature", [])
    bulk(client, [a, b], action="theme", theme=str(theme))
    db = db_of(client)
    assert feedback_store.theme_names(db, [a, b]) == {a: (theme, "Candidature"), b: (theme, "Candidature")}
    bulk(client, [b], action="theme", theme="none")
    assert feedback_store.theme_names(db, [a, b]) == {a: (theme, "Candidature")}


def test_bulk_status_refused_for_one_item_changes_none(client):
    """If one checked item cannot take the status, none of them does, and the page says which."""
    a, b = store_comments(client, ["L'appli plante quand je postule", "Le téléversement du CV échoue"])
    login(client)
    bulk(client, [b], action="status", status="done")
    response = bulk(client, [a, b], action="status", status="wontfix")
    assert response.status_code == 400 and f"n°{b} done → wontfix" in response.get_data(as_text=True)
    db = db_of(client)
    assert [feedback_store.status_of(db, x)[0] for x in (a, b)] == ["new", "done"]


@pytest.mark.parametrize(("form", "message"), [
    ({"ids": [], "action": "status", "status": "triaged"}, "Aucun élément choisi"),
    ({"ids": ["abc"], "action": "status", "status": "triaged"}, "Liste d&#39;éléments invalide"),
    ({"ids": ["999999"], "action": "status", "status": "triaged"}, "n&#39;existe plus"),
    ({"action": "erase"}, "Action inconnue"),
    ({"action": "status", "status": "closed"}, "Statut inconnu"),
    ({"action": "tag_add", "label": "bug"}, "Étiquette inconnue"),
    ({"action": "theme", "theme": "999"}, "Thème inconnu"),
    ({"action": "theme", "theme": "x"}, "Thème inconnu"),
])
def test_bulk_failures_change_nothing(client, form, message):
    """Each refusal is a 400 that says why; the items keep their status, tags and theme."""
    a, b = store_comments(client, ["L'appli plante quand je postule", "Le téléversement du CV échoue"])
    login(client)
    csrf = csrf_of(review_page(client))
    db = db_of(client)
    before = [(feedback_store.status_of(db, x), feedback_store.get(db, x).labels) for x in (a, b)]
    existing = [999999] if form.get("ids") == ["999999"] else []
    data = {"csrf": csrf, "ids": [str(a), str(b)], **form}
    if existing:
        data["ids"] = [str(a), "999999"]
    response = client.post("/admin/feedback/bulk", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    after = [(feedback_store.status_of(db, x), feedback_store.get(db, x).labels) for x in (a, b)]
    assert before == after and feedback_store.theme_names(db, [a, b]) == {}
    assert [h for x in (a, b) for h in feedback_store.history(db, x)] == []


def test_bulk_without_csrf_is_refused(client):
    (a,) = store_comments(client, ["L'appli plante quand je postule"])
    login(client)
    review_page(client)
    response = client.post("/admin/feedback/bulk", data={"ids": [str(a)], "action": "status", "status": "triaged"})
    assert response.status_code == 400 and feedback_store.status_of(db_of(client), a) == ("new", "")


def test_bulk_needs_the_login(client):
    (a,) = store_comments(client, ["L'appli plante quand je postule"])
    response = client.post("/admin/feedback/bulk", data={"ids": [str(a)], "action": "status", "status": "triaged"})
    assert response.status_code == 303 and feedback_store.status_of(db_of(client), a) == ("new", "")


def test_the_sentence_that_decided_the_tag_is_highlighted(client):
    """feedback_items.evidence (filled by the tagger) is marked in the text and named next to the cues."""
    cid = comment(client, "Bonjour. L'appli plante quand je postule. Merci <b>quand même</b>.")
    login(client)
    review_page(client)
    db = db_of(client)
    with comments_store.write(db):
        db.execute("UPDATE feedback_items SET evidence = ? WHERE comment_id = ?",
                   ['{"problem": "L\'appli plante quand je postule."}', cid])
    details = review_page(client).split(f'id="item-{cid}"', 1)[1].split("</details>", 1)[0]
    body = details.split('<div class="body" dir="auto">', 1)[1].split("</div>", 1)[0]
    assert "<mark>" in body and re.sub(r"<mark>(.*?)</mark>", r"\1", body) == re.sub(r"<mark>(.*?)</mark>", r"\1", body)
    assert re.search(r"<mark>L(&#39;|'|’)appli plante quand je postule\.</mark>", body)
    assert "<b>" not in body  # the reader's markup stays escaped
    assert "Phrase décisive (problème) : <mark>L&#39;appli plante quand je postule.</mark>" in details


def test_a_damaged_evidence_value_hides_only_the_highlight(client):
    cid = comment(client, "L'appli plante quand je postule")
    login(client)
    review_page(client)
    db = db_of(client)
    with comments_store.write(db):
        db.execute("UPDATE feedback_items SET evidence = 'pas du JSON' WHERE comment_id = ?", [cid])
    page = review_page(client)
    assert item_ids(page) == [cid] and "<mark>" not in page


# --- Log-in returns to the link that was opened -------------------------------------------------------------------


def log_in_from(client, target: str):
    """Open `target` logged out, follow to the log-in form, log in with the `next` it carries."""
    to_login = client.get(target)
    assert to_login.status_code == 303
    page = client.get(to_login.headers["Location"]).get_data(as_text=True)
    nxt = re.search(r'name="next" id="next" value="([^"]*)"', page)
    data = {"token": ADMIN_TOKEN, "csrf": csrf_of(page), "who": "Samira"}
    if nxt:
        import html

        data["next"] = html.unescape(nxt.group(1))
    return client.post("/admin/login", data=data)


def test_log_in_returns_to_the_opened_link_with_its_filters(client):
    """The digest's "Revoir" link, opened logged out, is where the log-in leads."""
    target = "/admin/feedback?status=new&label=problem&comment=7"
    response = log_in_from(client, target)
    assert response.status_code == 303 and response.headers["Location"] == target


def test_log_in_keeps_the_anchor_sent_back_by_the_page(client):
    """The anchor never reaches the server; the log-in page's script adds it to `next`, and it is kept."""
    page = client.get("/admin/?next=/admin/feedback?comment%3D7").get_data(as_text=True)
    assert "login-return.js" in page
    response = client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(page),
                                                 "next": "/admin/feedback?comment=7#item-7"})
    assert response.headers["Location"] == "/admin/feedback?comment=7#item-7"


def test_a_wrong_token_keeps_the_return_target(client):
    page = client.get("/admin/?next=/admin/feedback?status%3Dnew").get_data(as_text=True)
    response = client.post("/admin/login", data={"token": "faux", "csrf": csrf_of(page),
                                                 "next": "/admin/feedback?status=new"})
    assert response.headers["Location"] == "/admin/?next=/admin/feedback?status%3Dnew"


@pytest.mark.parametrize("target", [
    "//evil.example/admin/", "https://evil.example/admin/", "/\\evil.example", "/admin/\\..\\\\evil.example",
    "/\tevil.example", "/admin/\r\nLocation: https://evil.example", "/admin/\x00", "javascript:alert(1)",
    "/api/threads", "admin/feedback", "/admin//evil.example", " /admin/feedback", "/admin/\x7f",
])
def test_log_in_refuses_return_targets_off_the_admin_pages(client, target):
    """Only a relative /admin/ path is a return target: anything else leads to the moderation page."""
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(page), "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    shown = client.get("/admin/?next=" + __import__("urllib.parse").parse.quote(target, safe=""))
    assert "evil" not in shown.headers.get("Location", "")


def test_a_logged_in_moderator_opening_a_return_link_goes_straight_there(client):
    login(client)
    response = client.get("/admin/?next=/admin/feedback?status%3Dnew")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/feedback?status=new"


# --- Duplicates answered from the review page --------------------------------------------------------------------


def grouped(client, bodies_and_emails) -> list[int]:
    """Comments by opted-in readers, tagged as problems, the later ones marked duplicates of the first."""
    ids = [comment(client, body, email=email, notify=True) for body, email in bodies_and_emails]
    login(client)
    review_page(client)  # tags them
    db = db_of(client)
    for cid in ids:
        feedback_store.set_human_labels(db, cid, ["problem"], author="Samira")
    for cid in ids[1:]:
        feedback_store.mark_duplicate(db, cid, ids[0], author="Samira")
    return ids


DUPLICATES = [("Le téléversement du CV échoue", "nadia@exemple.ma"), ("Impossible de téléverser mon CV", "omar@exemple.ma"),
              ("Mon CV ne se téléverse pas non plus", "nadia@exemple.ma")]


def test_done_with_a_reply_on_a_duplicate_closes_its_whole_group(client, smtp):
    """Marking one duplicate done with a public reply closes the group: every item done, one public reply on the
    article, each reader told once however many of the group's items are theirs; the page said it would."""
    inbox, _ = smtp
    ids = grouped(client, DUPLICATES)
    page = review_page(client)
    details = page.split(f'id="item-{ids[1]}"', 1)[1].split("</details>", 1)[0]
    assert f"ferme tout le groupe (3 éléments : n°{ids[0]}, n°{ids[1]}, n°{ids[2]})" in details
    response = client.post(f"/admin/feedback/{ids[1]}/status", follow_redirects=True, data={
        "csrf": csrf_of(page), "status": "done", "reply": "Corrigé en 3.4 pour tout le monde."})
    assert "Groupe de doublons fermé : 3 éléments faits, 1 réponse(s) publique(s)" in response.get_data(as_text=True)
    db = db_of(client)
    assert [feedback_store.status_of(db, cid)[0] for cid in ids] == ["done", "done", "done"]
    team = [c for c in client.get(URL).get_json()["comments"] if c["team"]]
    assert [c["parent_id"] for c in team] == [ids[0]]
    inbox.wait()
    time.sleep(0.3)
    assert sorted(m.rcpt_tos[0] for m in inbox.messages) == ["nadia@exemple.ma", "omar@exemple.ma"]


def test_a_group_reply_too_short_publishes_nothing_and_says_so(client, smtp):
    inbox, _ = smtp
    ids = grouped(client, DUPLICATES[:2])
    response = client.post(f"/admin/feedback/{ids[1]}/status", follow_redirects=True, data={
        "csrf": csrf_of(review_page(client)), "status": "done", "reply": "x"})
    assert "elle n&#39;a pas été publiée" in response.get_data(as_text=True)
    assert [c for c in client.get(URL).get_json()["comments"] if c["team"]] == []
    assert feedback_store.status_of(db_of(client), ids[0])[0] == "new"
    time.sleep(0.3)
    assert inbox.messages == []


def test_an_item_in_no_group_says_nothing_of_groups(client):
    cid = comment(client, "Le filtre par ville ne marche pas")
    login(client)
    assert "ferme tout le groupe" not in review_page(client).split(f'id="item-{cid}"', 1)[1]


def subjects(inbox, address: str) -> list[str]:
    return [message_from_bytes(m.content, policy=default)["Subject"] for m in inbox.messages if m.rcpt_tos == [address]]


def opted_in_twice(client, body: str, email: str) -> int:
    """A comment whose reader asked both to hear what became of it and to hear of replies on the article."""
    payload = {"author": "Nadia Benali", "body": body, "email": email, "notify": True, "notify_replies": True}
    return client.post(URL, json=with_ts(client, payload)).get_json()["id"]


def test_a_reader_who_asked_for_both_mails_gets_the_teams_answer_once(client, smtp):
    """Done with a public reply: the reader hears of it once, as the answer to their feedback, not again as a reply
    on the article; a later reply from another reader still comes as a reply notice."""
    inbox, _ = smtp
    cid = opted_in_twice(client, "Le filtre par ville ne marche pas", "nadia@exemple.ma")
    login(client)
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf_of(review_page(client)), "status": "done",
                                                         "reply": "Corrigé dans la version 3.4, merci Nadia !"})
    inbox.wait()
    time.sleep(0.5)
    assert ["Votre retour a été pris en compte"] == subjects(inbox, "nadia@exemple.ma")
    other = {"author": "Omar", "body": "Chez moi aussi, c'est réglé.", "parent_id": cid}
    assert 201 == client.post(URL, json=with_ts(client, other)).status_code
    with client.application.test_request_context():
        from comments_api import replies

        replies.send_now(db_of(client))
    assert inbox.wait(2)
    assert "Nouvelle réponse" in subjects(inbox, "nadia@exemple.ma")[-1]


def test_closing_a_group_tells_a_reader_who_asked_for_both_mails_once(client, smtp):
    """The same when the answer closes a group of duplicates: one mail per reader, whatever they ticked."""
    inbox, _ = smtp
    ids = [opted_in_twice(client, body, email) for body, email in DUPLICATES[:2]]
    login(client)
    review_page(client)
    db = db_of(client)
    for cid in ids:
        feedback_store.set_human_labels(db, cid, ["problem"], author="Samira")
    feedback_store.mark_duplicate(db, ids[1], ids[0], author="Samira")
    client.post(f"/admin/feedback/{ids[1]}/status", data={"csrf": csrf_of(review_page(client)), "status": "done",
                                                            "reply": "Corrigé en 3.4 pour tout le monde."})
    inbox.wait(2)
    time.sleep(0.5)
    assert ["Votre retour a été pris en compte"] == subjects(inbox, "nadia@exemple.ma")
    assert ["Votre retour a été pris en compte"] == subjects(inbox, "omar@exemple.ma")


ENGLISH = {"Accept-Language": "en"}


def test_the_review_page_speaks_english_to_a_browser_that_asks_for_it(client):
    """With Accept-Language: en the review page, its flash messages and its refusals are in English."""
    cid = comment(client, "L'appli plante quand je postule")
    login(client)
    page = html.unescape(client.get("/admin/feedback", headers=ENGLISH).get_data(as_text=True))
    assert '<html lang="en">' in page and "<h1>Readers' feedback</h1>" in page and "1 item(s)" in page
    assert ">Problem</span>" in page and ">New</span>" in page and "Retours des lecteurs" not in page
    client.post(f"/admin/feedback/{cid}/status", headers=ENGLISH,
                data={"csrf": csrf_of(page), "status": "triaged"})
    assert f"#{cid}: Triaged." in html.unescape(client.get("/admin/feedback", headers=ENGLISH).get_data(as_text=True))
    refused = client.post("/admin/feedback/bulk", headers=ENGLISH,
                          data={"csrf": csrf_of(page), "ids": [str(cid)], "action": "status", "status": "closed"})
    text = html.unescape(refused.get_data(as_text=True))
    assert 400 == refused.status_code and '<html lang="en">' in text and "Unknown status: 'closed'." in text
    bad_filter = html.unescape(client.get("/admin/feedback?lang=de", headers=ENGLISH).get_data(as_text=True))
    assert "Filter refused: unknown language: 'de'." in bad_filter


def test_the_review_page_stays_french_by_default(client):
    """Without Accept-Language the review page and the message after a status change are in French."""
    cid = comment(client, "L'appli plante quand je postule")
    login(client)
    page = html.unescape(review_page(client))
    assert '<html lang="fr">' in page and "<h1>Retours des lecteurs</h1>" in page and ">Problème</span>" in page
    client.post(f"/admin/feedback/{cid}/status", data={"csrf": csrf_of(page), "status": "triaged"})
    assert f"N°{cid} : Trié." in html.unescape(review_page(client))
