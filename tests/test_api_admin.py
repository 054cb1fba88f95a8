"""Moderation: the admin API with a bearer token, and the /admin/ page with a session and CSRF."""
from __future__ import annotations

import re

import pytest

from conftest import ADMIN_TOKEN

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"


@pytest.fixture
def client(app):
    return app.test_client()


def create(client, body="Un avis à modérer", **fields):
    return client.post(URL, json={"author": "Samir", "body": body, **fields}).get_json()["id"]


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
