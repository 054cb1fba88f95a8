"""Thread reads are cached and carry an ETag, yet a change shows on the very next read."""
from __future__ import annotations

import json

import pytest

from conftest import with_ts

pytestmark = pytest.mark.both_databases

SLUG = "negocier-son-salaire"
URL = f"/api/threads/{SLUG}/comments"


def post(client, body):
    comment = with_ts(client, {"author": "Sara", "body": body})
    return client.post(URL, data=json.dumps(comment), content_type="application/json")


def test_an_approved_comment_shows_on_the_next_read(client, admin_headers):
    assert client.get(URL).get_json()["comments"] == []
    created = post(client, "En attente").get_json()
    assert client.get(URL).get_json()["comments"] == []  # pending: not shown
    assert client.post(f"/api/admin/comments/{created['id']}/approve", headers=admin_headers).status_code == 200
    assert [c["id"] for c in client.get(URL).get_json()["comments"]] == [created["id"]]
    assert client.post(f"/api/admin/comments/{created['id']}/reject", headers=admin_headers).status_code == 200
    assert client.get(URL).get_json()["comments"] == []  # even within the same second


def test_etag_gives_304_until_something_changes(client, admin_headers):
    first = client.get(URL)
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(URL, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    created = post(client, "Nouveau commentaire").get_json()
    client.post(f"/api/admin/comments/{created['id']}/approve", headers=admin_headers)
    changed = client.get(URL, headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert changed.get_json()["count"] == 1


def test_edits_and_deletes_change_the_answer(client, admin_headers, make_app):
    app = make_app(moderation="none")
    client = app.test_client()
    created = post(client, "Premier jet").get_json()
    headers = {"X-Edit-Token": created["edit_token"]}
    assert "Premier jet" in client.get(URL).get_json()["comments"][0]["html"]
    client.patch(f"{URL}/{created['id']}", json={"body": "Corrigé"}, headers=headers)
    assert "Corrigé" in client.get(URL).get_json()["comments"][0]["html"]
    client.delete(f"{URL}/{created['id']}", headers=headers)
    assert client.get(URL).get_json()["count"] == 0


def test_after_is_answered_fresh_and_not_cached(client, make_app):
    client = make_app(moderation="none").test_client()
    ids = [post(client, f"Commentaire {i}").get_json()["id"] for i in range(3)]
    assert [c["id"] for c in client.get(f"{URL}?after={ids[0]}").get_json()["comments"]] == ids[1:]
    assert len(client.get(URL).get_json()["comments"]) == 3


def test_the_cached_answer_is_the_same_bytes_and_headers_as_the_first(client, admin_headers):
    created = post(client, "Un commentaire publié").get_json()
    client.post(f"/api/admin/comments/{created['id']}/approve", headers=admin_headers)
    first = client.get(URL)  # built by the Flask view, which keeps it
    second = client.get(URL)  # answered from the cache, before Flask
    assert first.data == second.data
    for header in ("Content-Type", "ETag", "Cache-Control", "Content-Security-Policy", "X-Content-Type-Options"):
        assert first.headers.get(header) == second.headers.get(header), header
    assert client.get(URL, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304


def test_unknown_threads_still_get_the_apis_404(client):
    for _ in range(2):
        response = client.get("/api/threads/nulle-part/comments")
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "thread_not_found"
