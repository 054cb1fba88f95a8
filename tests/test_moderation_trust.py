"""Moderation keeps its promises: an edit never hides a published comment and is published only as read,
`first` moderation trusts only an address its owner proved, and a wrong edit secret reveals nothing."""
from __future__ import annotations

import email
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

import comments_store
from conftest import ADMIN_TOKEN, wait_for

pytestmark = pytest.mark.both_databases

SLUG = "negocier-son-salaire"
URL = f"/api/threads/{SLUG}/comments"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
ORIGINAL = "Le texte publié d'origine."


def post(client, url=URL, **fields):
    """A reader's JSON post, with the fill-time token the page's script sends."""
    token = client.get("/api/form-token").get_json()["token"]
    return client.post(url, json={"author": "Samir", "body": ORIGINAL, "ts": token, **fields})


def published(client, **fields) -> dict:
    """A comment approved by a moderator: its public answer with the edit secret."""
    created = post(client, **fields).get_json()
    assert client.post(f"/api/admin/comments/{created['id']}/approve", headers=ADMIN).status_code == 200
    return created


def patch(client, created, body):
    return client.patch(f"{URL}/{created['id']}", json={"body": body}, headers={"X-Edit-Token": created["edit_token"]})


def shown(client) -> list[str]:
    return [c["html"] for c in client.get(URL).get_json()["comments"]]


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def admin_login(client):
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(page)})
    return csrf_of(client.get("/admin/").get_data(as_text=True))


# --- An edit waits apart; approval publishes exactly the version read ---------------------------------------------

@pytest.mark.parametrize("mode", ["all", "first"])
def test_an_edit_of_a_published_comment_leaves_it_on_the_page(make_app, mode):
    """The author's answer says the edit waits; the page, its ETag and the API keep the published version."""
    client = make_app(moderation=mode).test_client()
    created = published(client)
    before = client.get(URL)
    answer = patch(client, created, "Le texte *corrigé*.")
    after = client.get(URL)
    body = answer.get_json()
    assert (200, "approved", "pending") == (answer.status_code, body["status"], body["edit_status"])
    assert "d'origine" in body["html"] and "<em>corrigé</em>" in body["pending_html"]
    assert (before.headers["ETag"], shown(client)) == (after.headers["ETag"], [f"<p>{ORIGINAL}</p>"])


def test_the_admin_api_shows_the_waiting_edit_with_its_difference(client):
    created = published(client)
    patch(client, created, "Le texte <script>corrigé</script>.")
    listed = client.get("/api/admin/edits", headers=ADMIN).get_json()
    one = client.get(f"/api/admin/comments/{created['id']}", headers=ADMIN).get_json()["pending_edit"]
    assert (1, [one]) == (listed["total"], listed["edits"])
    assert ["insert", "<script>corrigé</script>."] in one["diff"] and one["published_body"] == ORIGINAL
    assert "<script>" not in one["html"]


def test_approving_the_version_read_publishes_it(client):
    created = published(client)
    patch(client, created, "Version relue.")
    edit_id = client.get("/api/admin/edits", headers=ADMIN).get_json()["edits"][0]["id"]
    answer = client.post(f"/api/admin/comments/{created['id']}/edit/approve", json={"edit_id": edit_id}, headers=ADMIN)
    assert (200, "Version relue.", ["<p>Version relue.</p>"]) == (answer.status_code, answer.get_json()["body"],
                                                                  shown(client))
    assert 0 == client.get("/api/admin/edits", headers=ADMIN).get_json()["total"]


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_an_edit_changed_while_the_moderator_read_is_refused_with_409(client, action):
    """The reader edits again after the moderator loaded the queue: nothing is published or dropped."""
    created = published(client)
    patch(client, created, "Première correction, lue.")
    seen = client.get("/api/admin/edits", headers=ADMIN).get_json()["edits"][0]["id"]
    patch(client, created, "Seconde correction, jamais lue.")
    answer = client.post(f"/api/admin/comments/{created['id']}/edit/{action}", json={"edit_id": seen}, headers=ADMIN)
    waiting = client.get("/api/admin/edits", headers=ADMIN).get_json()["edits"]
    assert (409, "edit_changed") == (answer.status_code, answer.get_json()["error"]["code"])
    assert ([f"<p>{ORIGINAL}</p>"], ["Seconde correction, jamais lue."]) == (shown(client), [e["body"] for e in waiting])


def test_rejecting_an_edit_keeps_the_published_text(client):
    created = published(client)
    patch(client, created, "Correction refusée.")
    edit_id = client.get("/api/admin/edits", headers=ADMIN).get_json()["edits"][0]["id"]
    answer = client.post(f"/api/admin/comments/{created['id']}/edit/reject", json={"edit_id": edit_id}, headers=ADMIN)
    assert (200, [f"<p>{ORIGINAL}</p>"], 0) == (answer.status_code, shown(client),
                                                client.get("/api/admin/edits", headers=ADMIN).get_json()["total"])


@pytest.mark.parametrize(("payload", "status", "code"), [
    (None, 422, "parameter_invalid"), ({}, 422, "parameter_invalid"), ({"edit_id": "1"}, 422, "parameter_invalid"),
    ({"edit_id": True}, 422, "parameter_invalid"), ({"edit_id": -1}, 422, "parameter_invalid"),
    ({"edit_id": 10**30}, 422, "parameter_invalid"), ({"edit_id": 999}, 409, "edit_changed"),
])
def test_edit_moderation_needs_the_version_it_acts_on(client, payload, status, code):
    created = published(client)
    patch(client, created, "Une correction.")
    answer = client.post(f"/api/admin/comments/{created['id']}/edit/approve", json=payload, headers=ADMIN)
    assert (status, code, [f"<p>{ORIGINAL}</p>"]) == (answer.status_code, answer.get_json()["error"]["code"],
                                                      shown(client))


def test_edit_moderation_of_an_unknown_comment_is_404_and_needs_the_token(client):
    assert 404 == client.post("/api/admin/comments/999/edit/approve", json={"edit_id": 1}, headers=ADMIN).status_code
    assert 401 == client.post("/api/admin/comments/1/edit/approve", json={"edit_id": 1}).status_code
    assert 401 == client.get("/api/admin/edits").status_code


def test_with_moderation_off_an_edit_is_published_at_once(make_app):
    client = make_app(moderation="none").test_client()
    created = post(client).get_json()
    body = patch(client, created, "Publié tout de suite.").get_json()
    assert ("approved", "applied", ["<p>Publié tout de suite.</p>"]) == (body["status"], body["edit_status"],
                                                                          shown(client))


def test_an_edit_of_a_comment_not_yet_published_simply_changes_it(client):
    created = post(client).get_json()
    body = patch(client, created, "Corrigé avant publication.").get_json()
    stored = client.get(f"/api/admin/comments/{created['id']}", headers=ADMIN).get_json()
    assert ("pending", "applied", "pending_html" in body) == (body["status"], body["edit_status"], False)
    assert ("Corrigé avant publication.", None) == (stored["body"], stored["pending_edit"])


def test_the_moderation_page_shows_the_escaped_difference_and_refuses_a_stale_approval(client):
    """/admin/ lists the waiting edit with <del>/<ins>; approving a version the reader replaced meanwhile shows a
    notice and publishes nothing; approving the version shown publishes it."""
    created = published(client)
    patch(client, created, "Le texte publié <img src=x onerror=alert(1)>.")
    csrf = admin_login(client)
    page = client.get("/admin/?status=pending").get_data(as_text=True)
    seen = re.search(r'name="edit_id" value="(\d+)"', page).group(1)
    assert "<del" in page and "<ins" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page
    patch(client, created, "Une autre version, jamais lue.")
    refused = client.post(f"/admin/comments/{created['id']}/edit/approve", follow_redirects=True,
                          data={"csrf": csrf, "back": "/admin/", "edit_id": seen}).get_data(as_text=True)
    assert "rien n&#39;a été publié" in refused and shown(client) == [f"<p>{ORIGINAL}</p>"]
    current = re.search(r'name="edit_id" value="(\d+)"', client.get("/admin/?status=pending").get_data(as_text=True))
    client.post(f"/admin/comments/{created['id']}/edit/approve",
                data={"csrf": csrf, "back": "/admin/", "edit_id": current.group(1)})
    assert ["<p>Une autre version, jamais lue.</p>"] == shown(client)


def test_the_moderation_page_rejects_an_edit(client):
    created = published(client)
    patch(client, created, "Une correction à refuser.")
    csrf = admin_login(client)
    seen = re.search(r'name="edit_id" value="(\d+)"', client.get("/admin/?status=pending").get_data(as_text=True))
    client.post(f"/admin/comments/{created['id']}/edit/reject", data={"csrf": csrf, "edit_id": seen.group(1)})
    assert ([f"<p>{ORIGINAL}</p>"], 0) == (shown(client),
                                           client.get("/api/admin/edits", headers=ADMIN).get_json()["total"])


def test_edit_moderation_on_the_page_needs_a_session_and_csrf(client):
    created = published(client)
    patch(client, created, "Une correction.")
    edit_id = client.get("/api/admin/edits", headers=ADMIN).get_json()["edits"][0]["id"]
    assert 403 == client.post(f"/admin/comments/{created['id']}/edit/approve", data={"edit_id": edit_id}).status_code
    admin_login(client)
    client.post(f"/admin/comments/{created['id']}/edit/approve", data={"csrf": "faux", "edit_id": edit_id})
    assert [f"<p>{ORIGINAL}</p>"] == shown(client)


def test_a_waiting_edit_notifies_the_moderators_with_its_text(make_app, smtp):
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                      moderator_emails=["modo@atlas.example"]).test_client()
    created = published(client)
    assert wait_for(lambda: len(inbox.messages) >= 1)
    patch(client, created, "La correction à relire.")
    assert wait_for(lambda: len(inbox.messages) >= 2)
    assert "La correction" in email.message_from_bytes(inbox.messages[-1].content).get_payload(decode=True).decode()


# --- `first` moderation trusts only a proven address ---------------------------------------------------------------

def first_mode(make_app, smtp=None):
    settings = {"moderation": "first"}
    if smtp:
        settings.update(smtp_host="127.0.0.1", smtp_port=smtp[1], smtp_starttls=False, smtp_from="blog@atlas.example")
    return make_app(**settings)


def link_in(message) -> str:
    text = email.message_from_bytes(message.content).get_payload(decode=True).decode()
    return re.search(r"http://blog\.test(/api/prove\?token=\S+)", text).group(1)


def shape(response) -> tuple:
    """What an answer tells about the address: status code, fields, status, headers that could differ."""
    body = response.get_json()
    return (response.status_code, sorted(body), body["status"], response.headers.get("Set-Cookie"))


@pytest.mark.parametrize("typed", ["amal@exemple.ma", "Amal@Exemple.ma", "AMAL@EXEMPLE.MA"])
def test_a_known_address_typed_by_a_stranger_waits_like_a_new_one(make_app, typed):
    """An address with an approved comment, typed by someone else in any case, gets the same answer as a new one."""
    client = first_mode(make_app).test_client()
    published(client, email="amal@exemple.ma")
    stranger = post(client, body="Je me fais passer pour Amal.", email=typed)
    newcomer = post(client, body="Je suis nouvelle ici.", email="nouvelle@exemple.ma")
    assert shape(newcomer) == shape(stranger) == (201, shape(newcomer)[1], "pending", None)
    assert [f"<p>{ORIGINAL}</p>"] == shown(client)


def test_the_owner_publishes_at_once_after_confirming(make_app, smtp):
    """Approval mails a link; its page (GET) confirms nothing; the button (POST) gives this browser a cookie;
    then the owner's comments, in any letter case, publish at once, and only from this browser."""
    inbox, _ = smtp
    app = first_mode(make_app, smtp)
    reader = app.test_client()
    published(reader, author="Zorglub\nBcc: x@y", email="Amal@exemple.ma")
    assert inbox.wait(1)
    message = email.message_from_bytes(inbox.messages[0].content)
    link = link_in(inbox.messages[0])
    assert (inbox.messages[0].rcpt_tos, "Zorglub" in str(message.items())) == (["Amal@exemple.ma"], False)
    scanned = reader.get(link)
    assert (200, None) == (scanned.status_code, scanned.headers.get("Set-Cookie"))
    assert "pending" == post(reader, body="Avant confirmation.", email="amal@exemple.ma").get_json()["status"]
    token = re.search(r'name="token" value="([^"]+)"', scanned.get_data(as_text=True)).group(1)
    confirmed = reader.post("/api/prove", data={"token": token})
    cookie = confirmed.headers["Set-Cookie"]
    assert confirmed.status_code == 200 and "HttpOnly" in cookie and "Path=/api/threads/" in cookie
    assert "exemple" not in cookie.lower()
    assert "approved" == post(reader, body="Après confirmation.", email="AMAL@exemple.ma").get_json()["status"]
    assert "pending" == post(reader, body="Une autre adresse.", email="autre@exemple.ma").get_json()["status"]
    stranger = app.test_client()
    assert "pending" == post(stranger, body="Sans le cookie.", email="amal@exemple.ma").get_json()["status"]


def test_a_second_approval_the_same_week_sends_no_second_link(make_app, smtp):
    inbox, _ = smtp
    client = first_mode(make_app, smtp).test_client()
    published(client, email="amal@exemple.ma")
    published(client, body="Une deuxième remarque.", email="AMAL@exemple.ma")
    published(client, body="Sans adresse.")
    time.sleep(0.5)
    assert inbox.wait(1) and len(inbox.messages) == 1


def forged(app, purpose="link", age=0, key="0" * 64) -> str:
    class Backdated(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - age

    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=f"boucle-proven-{purpose}",
                                  signer=Backdated).dumps(key)


@pytest.mark.parametrize("kind", ["altered", "other_key", "expired", "unknown_address", "cookie_as_link", "empty"])
def test_forged_or_expired_links_are_refused_with_a_clear_page(make_app, smtp, kind):
    inbox, _ = smtp
    app = first_mode(make_app, smtp)
    client = app.test_client()
    published(client, email="amal@exemple.ma")
    assert inbox.wait(1)
    good = link_in(inbox.messages[0]).split("token=")[1]
    with app.app_context():
        key = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="boucle-proven-link").loads(good)
    token = {"altered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
             "other_key": URLSafeTimedSerializer("une-autre-cle", salt="boucle-proven-link").dumps(key),
             "expired": forged(app, age=31 * 24 * 3600, key=key),
             "unknown_address": forged(app, key="0" * 64),
             "cookie_as_link": forged(app, purpose="cookie", key=key),
             "empty": ""}[kind]
    page = client.get("/api/prove", query_string={"token": token})
    confirm = client.post("/api/prove", data={"token": token})
    assert (page.status_code if kind != "unknown_address" else 400, confirm.status_code) == (400, 400)
    assert "pas valide ou a expiré" in confirm.get_data(as_text=True) and "Set-Cookie" not in confirm.headers
    assert "pending" == post(client, body="Toujours en attente.", email="amal@exemple.ma").get_json()["status"]


def test_a_forged_cookie_proves_nothing(make_app):
    """For a proven address, a cookie signed for another purpose, expired or made up is no proof; the real one is."""
    app = first_mode(make_app)
    client = app.test_client()
    db = comments_store.open_db(app.config["DB_PATH"])
    key = comments_store.proven.invite(db, "amal@exemple.ma")
    comments_store.proven.prove(db, key)
    statuses = []
    for i, value in enumerate([forged(app, purpose="link", key=key), "n'importe quoi",
                               forged(app, purpose="cookie", age=400 * 24 * 3600, key=key),
                               forged(app, purpose="cookie", key=key)]):
        client.set_cookie("boucle_proven", value, domain="blog.test", path="/api/threads/")
        statuses.append(post(client, body=f"Essai {i}", email="amal@exemple.ma").get_json()["status"])
    assert ["pending", "pending", "pending", "approved"] == statuses


def test_the_confirmation_page_answers_in_english_on_request(make_app, smtp):
    inbox, _ = smtp
    client = first_mode(make_app, smtp).test_client()
    published(client, email="amal@exemple.ma")
    assert inbox.wait(1)
    page = client.get(link_in(inbox.messages[0]), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Confirm my address" in page


def test_erasure_ends_the_trust_of_a_confirmed_browser(make_app, smtp):
    inbox, _ = smtp
    app = first_mode(make_app, smtp)
    client = app.test_client()
    published(client, email="amal@exemple.ma")
    assert inbox.wait(1)
    link = link_in(inbox.messages[0])
    token = re.search(r'name="token" value="([^"]+)"', client.get(link).get_data(as_text=True)).group(1)
    client.post("/api/prove", data={"token": token})
    comments_store.erase_person(comments_store.open_db(app.config["DB_PATH"]), "amal@exemple.ma")
    assert "pending" == post(client, body="Après effacement.", email="amal@exemple.ma").get_json()["status"]
    assert 400 == client.post("/api/prove", data={"token": token}).status_code


# --- A wrong edit secret tells nothing ----------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["missing", "other_thread", "pending", "published", "deleted", "placeholder",
                                    "huge"])
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_a_wrong_secret_gets_one_answer_whatever_the_comment(client, target, method):
    """Missing, in another thread, pending, published or deleted: the same status, code and body."""
    pending = post(client, body="En attente.").get_json()
    shown_one = published(client, body="Publié.")
    gone = post(client, body="Supprimé.").get_json()
    client.delete(f"{URL}/{gone['id']}", headers={"X-Edit-Token": gone["edit_token"]})
    parent = published(client, body="Parent supprimé.")
    post(client, body="Une réponse.", parent_id=parent["id"])
    client.delete(f"{URL}/{parent['id']}", headers={"X-Edit-Token": parent["edit_token"]})
    other = post(client, "/api/threads/recruter-a-distance/comments", body="Ailleurs.").get_json()
    url = {"missing": f"{URL}/999", "other_thread": f"{URL}/{other['id']}", "pending": f"{URL}/{pending['id']}",
           "published": f"{URL}/{shown_one['id']}", "deleted": f"{URL}/{gone['id']}",
           "placeholder": f"{URL}/{parent['id']}", "huge": f"{URL}/{10**30}"}[target]
    response = getattr(client, method)(url, json={"body": "Piraté !"}, headers={"X-Edit-Token": "faux-secret"})
    reference = client.patch(f"{URL}/999", json={"body": "Piraté !"}, headers={"X-Edit-Token": "faux-secret"})
    assert (403, "edit_token_invalid") == (response.status_code, response.get_json()["error"]["code"])
    assert reference.get_data() == response.get_data()


def test_the_right_secret_of_another_comment_opens_nothing(client):
    mine = post(client, body="Le mien.").get_json()
    theirs = post(client, body="Le sien.").get_json()
    response = client.patch(f"{URL}/{theirs['id']}", json={"body": "Piraté !"},
                            headers={"X-Edit-Token": mine["edit_token"]})
    moved = client.patch(f"/api/threads/recruter-a-distance/comments/{mine['id']}", json={"body": "Piraté !"},
                         headers={"X-Edit-Token": mine["edit_token"]})
    assert (403, 403) == (response.status_code, moved.status_code)


# --- Moving the blog keeps both ------------------------------------------------------------------------------------

def test_a_transfer_keeps_waiting_edits_and_proven_addresses(tmp_path, pg_cluster):
    """SQLite to PostgreSQL: the waiting edit keeps its version id, the proof still matches its address."""
    import datetime as dt

    from comments_store.transfer import TABLES, copy_all
    from conftest import THREADS

    source = comments_store.open_db(tmp_path / "blog.db")
    comments_store.register_threads(source, THREADS)
    comment, token = comments_store.add_comment(source, SLUG, comments_store.NewComment(author="Salma", body=ORIGINAL))
    comments_store.set_status(source, comment.id, "approved")
    waiting = comments_store.edit_own(source, SLUG, comment.id, token, "Corrigé.", window=dt.timedelta(hours=1)).waiting
    comments_store.proven.prove(source, comments_store.proven.invite(source, "salma@example.ma"))
    target = comments_store.open_db(pg_cluster.create())
    counts = copy_all(source, target, TABLES)
    key = comments_store.proven.address_hash(target, "SALMA@example.ma")
    assert (1, 1, 1) == (counts["comment_edits"], counts["proven_addresses"], counts["store_keys"])
    assert (True, waiting) == (comments_store.proven.is_proven(target, key), comments_store.pending_edit(target, comment.id))
    assert "Corrigé." == comments_store.approve_edit(target, comment.id, waiting.id).body
