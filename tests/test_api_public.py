"""The public comment API: the contract external checks rely on."""
from __future__ import annotations

import json

import pytest

from conftest import with_ts

pytestmark = pytest.mark.both_databases

SLUG = "negocier-son-salaire"
URL = f"/api/threads/{SLUG}/comments"


def post(client, payload, **headers):
    return client.post(URL, data=json.dumps(with_ts(client, payload)), content_type="application/json", headers=headers)


def approve(client, admin_headers, comment_id):
    assert client.post(f"/api/admin/comments/{comment_id}/approve", headers=admin_headers).status_code == 200


@pytest.fixture
def client(app):
    return app.test_client()


def test_health(client):
    response = client.get("/api/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_empty_thread(client):
    assert client.get(URL).get_json() == {"thread": SLUG, "count": 0, "comments": []}


def test_post_returns_201_with_status_and_edit_token(client):
    response = post(client, {"author": "Samir", "body": "Très utile, merci !", "email": "samir@exemple.ma"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending" and body["edit_token"] and body["id"] >= 1
    assert body["html"] == "<p>Très utile, merci !</p>"


def test_published_comments_are_listed_with_replies(client, admin_headers):
    """Only approved comments are listed, in order, and replies carry their parent_id."""
    first = post(client, {"author": "Samir", "body": "Première remarque"}).get_json()
    approve(client, admin_headers, first["id"])
    reply = post(client, {"author": "Leila", "body": "Je réponds", "parent_id": first["id"]}).get_json()
    approve(client, admin_headers, reply["id"])
    post(client, {"author": "Omar", "body": "Pas encore modéré"})
    data = client.get(URL).get_json()
    assert data["count"] == 2
    assert [(c["id"], c["parent_id"]) for c in data["comments"]] == [(first["id"], None), (reply["id"], first["id"])]
    assert set(data["comments"][0]) >= {"id", "parent_id", "author", "website", "html", "created_at", "edited_at"}


def test_after_returns_only_newer_comments(client, admin_headers):
    ids = []
    for text in ("Un premier avis", "Un second avis"):
        c = post(client, {"author": "Samir", "body": text}).get_json()
        approve(client, admin_headers, c["id"])
        ids.append(c["id"])
    assert [c["id"] for c in client.get(f"{URL}?after={ids[0]}").get_json()["comments"]] == [ids[1]]


def test_counts(client, admin_headers):
    c = post(client, {"author": "Samir", "body": "Un avis"}).get_json()
    approve(client, admin_headers, c["id"])
    assert client.get("/api/counts?threads=negocier-son-salaire,recruter-a-distance,x").get_json() == {
        "negocier-son-salaire": 1, "recruter-a-distance": 0, "x": 0}
    assert client.get("/api/counts").get_json() == {}


def test_preview_renders_markdown_safely(client):
    response = client.post("/api/preview", json={"body": "**oui** <script>x</script>"})
    assert response.get_json() == {"html": "<p><strong>oui</strong> &lt;script&gt;x&lt;/script&gt;</p>"}


def test_form_token_is_not_cached(client):
    response = client.get("/api/form-token")
    assert response.get_json()["token"] and response.headers["Cache-Control"] == "no-store"


# --- Errors -----------------------------------------------------------------------------------

BAD_POSTS = [
    ({"body": "Sans nom"}, 422, "author_required", "author"),
    ({"author": "A", "body": "x"}, 422, "body_too_short", "body"),
    ({"author": "A", "body": "x" * 5001}, 422, "body_too_long", "body"),
    ({"author": "A" * 81, "body": "Bonjour"}, 422, "author_too_long", "author"),
    ({"author": "A", "body": "Bonjour", "email": "nope"}, 422, "email_invalid", "email"),
    ({"author": "A", "body": "Bonjour", "email": "a@" + "b" * 260 + ".ma"}, 422, "email_too_long", "email"),
    ({"author": "A", "body": "Bonjour", "website": "javascript:alert(1)"}, 422, "website_invalid", "website"),
    ({"author": "A", "body": "Bonjour", "parent_id": "abc"}, 422, "parent_invalid", "parent_id"),
    ({"author": "A", "body": "Bonjour", "parent_id": True}, 422, "parent_invalid", "parent_id"),
    ({"author": "A", "body": "Bonjour", "parent_id": 12345}, 422, "parent_not_found", "parent_id"),
    ({"author": ["A"], "body": "Bonjour"}, 422, "wrong_type", "author"),
    ({"author": "A", "body": {"x": 1}}, 422, "wrong_type", "body"),
    ({"author": "A", "body": "Bonjour", "admin": True}, 422, "parameter_invalid", "admin"),
]


@pytest.mark.parametrize(("payload", "status", "code", "field"), BAD_POSTS)
def test_bad_comments_get_a_clear_error(client, payload, status, code, field):
    response = post(client, payload)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert (error["code"], error.get("field")) == (code, field)
    assert error["message"]
    assert client.get("/api/admin/comments", headers={"Authorization": "Bearer jeton-de-test-0123456789"}
                      ).get_json()["total"] == 0


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        ("{pas du json", "application/json", 400, "invalid_json"),
        ("[1, 2]", "application/json", 400, "invalid_json"),
        ('"texte"', "application/json", 400, "invalid_json"),
        ("author=A&body=B", "text/plain", 415, "unsupported_media_type"),
        ("<xml/>", "application/xml", 415, "unsupported_media_type"),
    ],
)
def test_malformed_requests(client, data, content_type, status, code):
    response = client.post(URL, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_unknown_article_is_404(client):
    response = post(client, {"author": "A", "body": "Bonjour"}).get_json()
    assert response  # sanity: known article works
    for method, url in [("get", "/api/threads/inconnu/comments"), ("post", "/api/threads/inconnu/comments")]:
        payload = with_ts(client, {"author": "A", "body": "Bonjour"}) if method == "post" else None
        r = getattr(client, method)(url, json=payload)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "thread_not_found"


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/nulle-part")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_with_allow(client):
    response = client.put(URL)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_oversized_request_is_413(make_app):
    client = make_app(max_content_length=2048).test_client()
    response = post(client, {"author": "A", "body": "x" * 4000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


def test_bad_after_parameter_is_400(client):
    response = client.get(f"{URL}?after=hier")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "after"
    assert client.get(f"{URL}?after={10**30}").get_json()["comments"] == []


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_huge_comment_ids_are_refused_like_any_wrong_secret(client, method):
    response = getattr(client, method)(f"{URL}/{10**30}", json={"body": "Bonjour"}, headers={"X-Edit-Token": "x"})
    assert (403, "edit_token_invalid") == (response.status_code, response.get_json()["error"]["code"])


def test_duplicate_is_422(client):
    post(client, {"author": "A", "body": "Le même texte"})
    response = post(client, {"author": "B", "body": "Le même texte"})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "duplicate"


def test_messages_are_french_by_default_and_english_on_request(client):
    fr = post(client, {"body": "Sans nom"})
    en = post(client, {"body": "Sans nom"}, **{"Accept-Language": "en-GB,en;q=0.9"})
    assert fr.get_json()["error"]["message"] == "Indiquez votre nom."
    assert en.get_json()["error"]["message"] == "Please enter your name."
    assert en.headers["Content-Language"] == "en"


def test_bad_input_never_causes_a_server_error(client):
    for payload in [None, 0, "", [], {"author": None, "body": None}, {"author": "A", "body": "\x00\x00"},
                    {"author": "A", "body": "ok", "parent_id": 10**30}, {"author": "A", "body": "ok", "lang": 5}]:
        sent = with_ts(client, payload) if isinstance(payload, dict) else payload
        response = client.post(URL, data=json.dumps(sent), content_type="application/json")
        assert response.status_code < 500, payload


# --- Edit and delete one's own comment --------------------------------------------------------

def test_author_edits_then_deletes_with_the_secret(client):
    created = post(client, {"author": "Samir", "body": "Premier jet"}).get_json()
    url = f"{URL}/{created['id']}"
    edited = client.patch(url, json={"body": "Version *corrigée*"}, headers={"X-Edit-Token": created["edit_token"]})
    assert edited.status_code == 200 and "<em>corrigée</em>" in edited.get_json()["html"]
    assert client.delete(url, headers={"X-Edit-Token": created["edit_token"]}).status_code == 204
    # Gone: the secret no longer opens anything, and the answer is the one for any wrong secret.
    assert client.delete(url, headers={"X-Edit-Token": created["edit_token"]}).status_code == 403


def test_edit_without_the_secret_is_403(client):
    created = post(client, {"author": "Samir", "body": "Premier jet"}).get_json()
    response = client.patch(f"{URL}/{created['id']}", json={"body": "Piraté"}, headers={"X-Edit-Token": "faux"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "edit_token_invalid"


def test_edit_after_the_window_is_403(make_app):
    client = make_app(edit_window=0).test_client()
    created = post(client, {"author": "Samir", "body": "Premier jet"}).get_json()
    response = client.patch(f"{URL}/{created['id']}", json={"body": "Trop tard"},
                            headers={"X-Edit-Token": created["edit_token"]})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "edit_window_closed"


def test_edit_with_invalid_body_is_422(client):
    created = post(client, {"author": "Samir", "body": "Premier jet"}).get_json()
    response = client.patch(f"{URL}/{created['id']}", json={"body": "x"}, headers={"X-Edit-Token": created["edit_token"]})
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "body"


# --- Privacy ----------------------------------------------------------------------------------

def test_no_email_or_address_in_any_public_response(client, admin_headers):
    """E-mail and client address never leave through a public route."""
    created = post(client, {"author": "Samir", "body": "Un avis", "email": "samir.secret@exemple.ma"},
                   REMOTE_ADDR="203.0.113.77")
    approve(client, admin_headers, created.get_json()["id"])
    public = [created, client.get(URL), client.get("/api/counts?threads=" + SLUG),
              client.patch(f"{URL}/{created.get_json()['id']}", json={"body": "Un avis modifié"},
                           headers={"X-Edit-Token": created.get_json()["edit_token"]})]
    for response in public:
        text = response.get_data(as_text=True)
        assert "samir.secret" not in text and "203.0.113" not in text and "client_hash" not in text


def test_client_address_is_stored_truncated_and_hashed(app):
    from comments_api.privacy import anonymise, truncate

    assert truncate("203.0.113.77") == "203.0.113.0"
    assert truncate("2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert truncate("::ffff:203.0.113.9") == "203.0.113.0"
    assert anonymise("203.0.113.77", "k") == anonymise("203.0.113.1", "k") != anonymise("198.51.100.1", "k")
    client = app.test_client()
    post(client, {"author": "A", "body": "Un avis"})
    import comments_store

    db = comments_store.open_db(app.config["DB_PATH"])
    stored = db.execute("SELECT client_hash FROM comments").fetchone()[0]
    assert stored and "127.0.0" not in stored


def test_readers_get_no_cookie(client):
    """Reading and commenting set no cookie."""
    for response in [client.get("/"), client.get(URL), post(client, {"author": "A", "body": "Un avis"})]:
        with response:
            assert "Set-Cookie" not in response.headers
