"""Moderation: the admin API with a bearer token, and the /admin/ page with a session and CSRF."""
from __future__ import annotations

import re

import pytest

from conftest import ADMIN_TOKEN, with_ts

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"


@pytest.fixture
def client(app):
    return app.test_client()


def create(client, body="Un avis à modérer", **fields):
    return client.post(URL, json=with_ts(client, {"author": "Samir", "body": body, **fields})).get_json()["id"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer faux"}, {"Authorization": ADMIN_TOKEN},
                                     {"Authorization": f"Basic {ADMIN_TOKEN}"}])
def test_admin_api_requires_the_token(client, headers):
    cid = create(client)
    for method, url in [("get", "/api/admin/comments"), ("post", f"/api/admin/comments/{cid}/approve"),
                        ("delete", f"/api/admin/comments/{cid}"), ("get", f"/api/admin/comments/{cid}")]:
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("action", "status"), [("approve", "approved"), ("reject", "rejected"), ("spam", "spam"),
                                                ("pending", "pending")])
def test_moderation_actions(client, admin_headers, action, status):
    cid = create(client)
    response = client.post(f"/api/admin/comments/{cid}/{action}", headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["status"] == status
    listed = client.get(f"/api/admin/comments?status={status}", headers=admin_headers).get_json()
    assert [c["id"] for c in listed["comments"]] == [cid]


def test_admin_sees_private_fields(client, admin_headers):
    cid = create(client, email="samir@exemple.ma")
    data = client.get(f"/api/admin/comments/{cid}", headers=admin_headers).get_json()
    assert data["email"] == "samir@exemple.ma" and "edit_token_hash" not in data


def test_admin_delete(client, admin_headers):
    cid = create(client)
    assert client.delete(f"/api/admin/comments/{cid}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/admin/comments/{cid}", headers=admin_headers).status_code == 404


@pytest.mark.parametrize(("method", "url", "status"), [
    ("post", "/api/admin/comments/999/approve", 404), ("delete", "/api/admin/comments/999", 404),
    ("post", "/api/admin/comments/1/publier", 404), ("get", "/api/admin/comments?status=publie", 400),
    ("get", "/api/admin/comments?limit=0", 400), ("get", "/api/admin/comments?limit=abc", 400),
])
def test_admin_api_errors(client, admin_headers, method, url, status):
    create(client)
    response = getattr(client, method)(url, headers=admin_headers)
    assert response.status_code == status and "error" in response.get_json()


def test_admin_search(client, admin_headers):
    create(client, "Le salaire net")
    create(client, "La visio coupe")
    found = client.get("/api/admin/comments?q=visio", headers=admin_headers).get_json()
    assert [c["body"] for c in found["comments"]] == ["La visio coupe"]


# --- The web page -----------------------------------------------------------------------------

def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def login(client, token=ADMIN_TOKEN):
    page = client.get("/admin/").get_data(as_text=True)
    return client.post("/admin/login", data={"token": token, "csrf": csrf_of(page)})


def test_admin_page_asks_for_the_token(client):
    page = client.get("/admin/").get_data(as_text=True)
    assert 'type="password"' in page and "Jeton d&#39;administration" in page


def test_wrong_token_stays_logged_out(client):
    login(client, "mauvais")
    page = client.get("/admin/").get_data(as_text=True)
    assert "Jeton invalide" in page and 'type="password"' in page


def test_login_without_csrf_is_refused(client):
    client.get("/admin/")
    client.post("/admin/login", data={"token": ADMIN_TOKEN})
    assert 'type="password"' in client.get("/admin/").get_data(as_text=True)


def test_moderator_approves_from_the_queue(client):
    """Log in, see the pending comment, approve it: it is then public."""
    cid = create(client, "Avis en attente")
    login(client)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Avis en attente" in page
    response = client.post(f"/admin/comments/{cid}/approve", data={"csrf": csrf_of(page), "back": "/admin/"})
    assert response.status_code == 303
    assert client.get(URL).get_json()["count"] == 1
    assert "Commentaire n°" in client.get("/admin/").get_data(as_text=True)


def test_action_without_csrf_changes_nothing(client):
    cid = create(client)
    login(client)
    client.post(f"/admin/comments/{cid}/approve", data={"csrf": "faux"})
    assert client.get(URL).get_json()["count"] == 0


def test_action_when_logged_out_is_forbidden(client):
    cid = create(client)
    assert client.post(f"/admin/comments/{cid}/approve", data={"csrf": "x"}).status_code == 403


def test_admin_page_search_and_filters(client):
    create(client, "Problème de connexion")
    create(client, "Merci beaucoup")
    login(client)
    page = client.get("/admin/?status=all&q=connexion").get_data(as_text=True)
    assert "Problème de connexion" in page and "Merci beaucoup" not in page
    page = client.get("/admin/?status=pending&thread=recruter-a-distance").get_data(as_text=True)
    assert "Aucun commentaire" in page


def test_admin_page_in_english(client):
    page = client.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Admin token" in page and 'lang="en"' in page


def test_moderating_a_missing_comment_says_so(client):
    login(client)
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/comments/999/approve", data={"csrf": csrf_of(page)})
    assert "n&#39;existe pas" in client.get("/admin/").get_data(as_text=True)


def test_logout(client):
    login(client)
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf": csrf_of(page)})
    assert 'type="password"' in client.get("/admin/").get_data(as_text=True)


# --- Sessions end on the server --------------------------------------------------------------------------------

COOKIE = "boucle_admin"


def cookie_of(client) -> str:
    return client.get_cookie(COOKIE, domain="blog.test", path="/admin").value


def with_cookie(app, value: str):
    """Another browser (or an attacker) holding a copy of a moderator's cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, value, domain="blog.test", path="/admin")
    return other


def signed_cookie(app, data: dict) -> str:
    """A session cookie signed with the app's key, as Flask would have written it."""
    return app.session_interface.get_signing_serializer(app).dumps(data)


def logged_in(client) -> bool:
    return 'type="password"' not in client.get("/admin/").get_data(as_text=True)


def test_a_copied_cookie_opens_nothing_after_log_out(app):
    """Log-out ends the session on the server: a copy of the cookie taken before is refused after."""
    moderator = app.test_client()
    login(moderator)
    copy = with_cookie(app, cookie_of(moderator))
    assert logged_in(copy)
    page = moderator.get("/admin/").get_data(as_text=True)
    moderator.post("/admin/logout", data={"csrf": csrf_of(page)})
    assert (False, False) == (logged_in(moderator), logged_in(copy))
    assert copy.post("/admin/comments/1/approve", data={"csrf": csrf_of(page)}).status_code == 403


def test_a_new_admin_token_ends_the_sessions_made_with_the_old_one(make_app):
    """A session opened with the old token is refused once the service runs with a new one, and stays refused."""
    old = make_app()
    moderator = old.test_client()
    login(moderator)
    cookie = cookie_of(moderator)
    assert logged_in(with_cookie(make_app(), cookie))  # another machine with the same token: the same session
    assert not logged_in(with_cookie(make_app(admin_token="un-tout-nouveau-jeton-42"), cookie))
    assert not logged_in(with_cookie(make_app(), cookie))  # refused once, deleted for good


@pytest.mark.parametrize(("idle_setting", "idle_minutes", "expected"),
                         [(None, 59, True), (None, 61, False), (5, 4, True), (5, 6, False)])
def test_an_idle_session_ends(make_app, idle_setting, idle_minutes, expected):
    """A session unused for longer than BOUCLE_ADMIN_IDLE_MINUTES (default 60) is refused."""
    import datetime as dt

    import comments_store
    from comments_store import clock

    app = make_app(**({} if idle_setting is None else {"admin_idle_minutes": idle_setting}))
    with app.app_context():
        from comments_api.db import get_db

        sid, _ = comments_store.admin_sessions.open_session(
            get_db(), app.config["ADMIN_TOKEN_FINGERPRINT"], "Nadia", lifetime=dt.timedelta(hours=12),
            now=clock.now() - dt.timedelta(minutes=idle_minutes))
    assert expected == logged_in(with_cookie(app, signed_cookie(app, {"sid": sid})))


def test_a_busy_session_still_ends_after_twelve_hours(app):
    """However recently used, a session opened more than 12 hours ago is refused."""
    import datetime as dt

    import comments_store
    from comments_store import clock

    with app.app_context():
        from comments_api.db import get_db

        db, fingerprint, now = get_db(), app.config["ADMIN_TOKEN_FINGERPRINT"], clock.now()
        sid, _ = comments_store.admin_sessions.open_session(db, fingerprint, "Nadia", lifetime=dt.timedelta(hours=12),
                                                            now=now - dt.timedelta(hours=12, minutes=10))
        for minutes_ago in range(12 * 60, 0, -30):  # used every half hour since
            assert comments_store.admin_sessions.resume(
                db, sid, fingerprint, idle=dt.timedelta(hours=1), lifetime=dt.timedelta(hours=13),
                now=now - dt.timedelta(minutes=minutes_ago)) is not None
    assert not logged_in(with_cookie(app, signed_cookie(app, {"sid": sid})))


def test_the_cookie_holds_only_a_random_id_and_the_database_only_its_hash(app):
    """Nothing in the cookie says who is logged in; a copy of the database (a backup) holds no usable id."""
    import hashlib

    from comments_api.db import get_db

    client = app.test_client()
    login(client)
    data = app.session_interface.get_signing_serializer(app).loads(cookie_of(client))
    assert {"sid", "_permanent"} == set(data) and len(data["sid"]) >= 40
    with app.app_context():
        stored = [row[0] for row in get_db().execute("SELECT key FROM admin_sessions")]
    assert [hashlib.sha256(data["sid"].encode()).hexdigest()] == stored


@pytest.mark.parametrize("data", [{"admin": True, "who": "x"}, {"sid": "inventé"}, {"sid": ["liste"]}])
def test_a_cookie_without_a_live_session_opens_nothing(app, data):
    """Only a session the server holds logs in: a cookie signed by an older version, or with a made-up id, does not."""
    assert not logged_in(with_cookie(app, signed_cookie(app, data)))


# --- Wrong credentials are limited, per network, whatever the way in -------------------------------------------

def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_wrong_bearer_tokens_are_limited_even_with_rate_limits_off(make_app):
    """The 11th wrong token within a minute gets a 429 with Retry-After, though BOUCLE_RATE_LIMIT=off."""
    client = make_app(rate_limit="off").test_client()
    answers = [client.get("/api/admin/comments", headers={"Authorization": f"Bearer faux-{i}"},
                          **from_address(f"198.51.100.{i}")) for i in range(12)]
    assert [401] * 10 + [429, 429] == [a.status_code for a in answers]
    refused = answers[10]
    assert "too_many_attempts" == refused.get_json()["error"]["code"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def test_a_blocked_network_cannot_even_try_the_right_token_but_another_network_can(make_app):
    """While a network is blocked its guesses are not checked at all; moderators elsewhere are not slowed."""
    client = make_app().test_client()
    for i in range(10):
        client.get("/api/admin/comments", headers={"Authorization": f"Bearer faux-{i}"}, **from_address("203.0.113.9"))
    right = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert 429 == client.get("/api/admin/comments", headers=right, **from_address("203.0.113.10")).status_code
    assert 200 == client.get("/api/admin/comments", headers=right, **from_address("203.0.114.10")).status_code


def test_right_tokens_never_count(make_app):
    """A script using the right token all day is never limited, and its calls leave the wrong-token budget whole."""
    client = make_app().test_client()
    right = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert all(client.get("/api/admin/comments", headers=right).status_code == 200 for _ in range(30))
    wrong = [client.get("/api/admin/comments", headers={"Authorization": "Bearer faux"}).status_code
             for _ in range(11)]
    assert [401] * 10 + [429] == wrong


def test_the_log_in_page_and_the_bearer_share_one_limit(make_app):
    """Five wrong tokens on the log-in page and five on the API use up the same ten; the next try on either is 429."""
    app = make_app(rate_limit="off")
    web, api = app.test_client(), app.test_client()
    for _ in range(5):
        login(web, "mauvais")
        api.get("/api/admin/comments", headers={"Authorization": "Bearer faux"})
    assert 429 == api.get("/api/admin/comments", headers={"Authorization": "Bearer faux"}).status_code
    page = web.get("/admin/").get_data(as_text=True)
    refused = web.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(page)})
    assert 429 == refused.status_code and "Trop de tentatives" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0 and not logged_in(web)


def test_machines_sharing_redis_share_the_wrong_token_limit(make_app, redis_url, backend):
    """With BOUCLE_RATE_LIMIT_STORAGE=redis://…, wrong tokens sent to two API machines add up."""
    address = {"sqlite": "192.0.2.7", "postgresql": "198.18.0.7"}[backend]  # the Redis server outlives each test
    apps = [make_app(ratelimit_storage_uri=redis_url) for _ in range(2)]
    try:
        machines = [app.test_client() for app in apps]
        answers = [machines[i % 2].get("/api/admin/comments", headers={"Authorization": "Bearer faux"},
                                       **from_address(address)).status_code for i in range(12)]
    finally:
        for app in apps:  # the limiter's Redis connections, which nothing else closes
            app.extensions["boucle_limiter"].storage.get_connection().close()
    assert [401] * 10 + [429, 429] == answers


def test_a_right_log_in_does_not_count(make_app):
    """Logging in with the right token, many times, uses up nothing (whatever the readers' comment limit)."""
    client = make_app(rate_limit="5/minute").test_client()
    for _ in range(15):
        assert login(client).status_code == 303
    assert logged_in(client)


def test_admin_token_is_generated_once_into_instance(tmp_path, site):
    """Without BOUCLE_ADMIN_TOKEN, a token is created in instance/ and reused on the next start."""
    import os

    from comments_api import create_app

    old = os.environ.get("BOUCLE_INSTANCE")
    os.environ["BOUCLE_INSTANCE"] = str(tmp_path / "instance")
    try:
        settings = {"TESTING": True, "SITE_DIR": str(site), "ADMIN_TOKEN": None, "SECRET_KEY": None}
        first = create_app(settings)
        second = create_app(settings)
    finally:
        if old is None:
            del os.environ["BOUCLE_INSTANCE"]
        else:
            os.environ["BOUCLE_INSTANCE"] = old
    token_file = tmp_path / "instance" / "admin_token"
    token = first.config["ADMIN_TOKEN_NEW"]
    assert token and second.config["ADMIN_TOKEN_NEW"] is None
    assert token not in token_file.read_text() and token_file.read_text().startswith("sha256:")
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    for app in (first, second):
        response = app.test_client().get("/api/admin/comments", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
    assert "ADMIN_TOKEN" not in first.config  # the token itself is not kept in memory


def test_a_token_file_in_clear_from_an_older_version_is_hashed_and_keeps_working(tmp_path, site, monkeypatch):
    from comments_api import create_app

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "admin_token").write_text("ancien-jeton-en-clair\n")
    monkeypatch.setenv("BOUCLE_INSTANCE", str(instance))
    app = create_app({"TESTING": True, "SITE_DIR": str(site), "ADMIN_TOKEN": None, "SECRET_KEY": None})
    assert "ancien-jeton-en-clair" not in (instance / "admin_token").read_text()
    response = app.test_client().get("/api/admin/comments", headers={"Authorization": "Bearer ancien-jeton-en-clair"})
    assert response.status_code == 200
