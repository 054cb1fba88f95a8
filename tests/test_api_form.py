"""The comment form works with JavaScript off: form post, 303 back to the article, nothing lost on error."""
from __future__ import annotations

import time

import pytest

from conftest import ADMIN_TOKEN, with_ts

pytestmark = pytest.mark.both_databases

SLUG = "negocier-son-salaire"
URL = f"/api/threads/{SLUG}/comments"
ARTICLE = "http://blog.test/negocier-son-salaire/"


@pytest.fixture
def client(app):
    return app.test_client()


def token(client) -> str:
    return client.get("/api/form-token").get_json()["token"]


def form(client, token_value, **fields):
    data = {"author": "Leila", "body": "Merci pour ces conseils.", "ts": token_value, **fields}
    return client.post(URL, data=data, headers={"Origin": "http://blog.test", "Referer": ARTICLE})


def test_form_post_redirects_to_the_thank_you_notice(client):
    """A valid form answers 303 to the article's #merci notice (moderation on)."""
    response = form(client, token(client))
    assert response.status_code == 303
    assert response.headers["Location"] == ARTICLE + "#merci"


def test_form_post_links_to_the_comment_when_published_at_once(make_app):
    client = make_app(moderation="none").test_client()
    response = form(client, token(client))
    comment_id = client.get(URL).get_json()["comments"][0]["id"]
    assert response.headers["Location"] == f"{ARTICLE}#comment-{comment_id}"


def test_redirect_ignores_a_foreign_referer(client):
    response = client.post(URL, data={"author": "L", "body": "Bonjour à tous", "ts": token(client)},
                           headers={"Referer": "https://ailleurs.example/page"})
    assert response.status_code == 403


def test_redirect_without_referer_goes_to_the_article_url(client):
    response = client.post(URL, data={"author": "L", "body": "Bonjour à tous", "ts": token(client)})
    assert response.headers["Location"] == ARTICLE + "#merci"


@pytest.mark.parametrize(
    ("fields", "code_text"),
    [({"author": ""}, "Indiquez votre nom."), ({"body": "x"}, "au moins 2 caractères"),
     ({"email": "pas-valide"}, "adresse e-mail")],
)
def test_form_error_page_keeps_what_the_reader_wrote(client, fields, code_text):
    """On a mistake the reader gets a page with the message and the form filled in again."""
    response = form(client, token(client), website="https://monsite.ma", **{
        "body": "Un long texte que je ne veux pas perdre.", **fields})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert code_text in page
    assert "monsite.ma" in page
    if "body" not in fields:
        assert "Un long texte que je ne veux pas perdre." in page
    assert 'name="ts"' in page and response.mimetype == "text/html"


def test_form_sent_too_fast_is_held_back(make_app):
    client = make_app(min_fill_seconds=30).test_client()
    response = form(client, token(client))
    assert response.status_code == 422
    assert "trop rapide" in response.get_data(as_text=True)


def test_form_without_token_shows_a_preview_to_confirm(client):
    """Without JavaScript the page has no fresh token: the reader sees a preview and confirms; nothing stored yet."""
    response = form(client, "", body="Un **avis** sans script")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>avis</strong>" in page and "Confirmer l&#39;envoi" in page
    assert "Un **avis** sans script" in page  # still in the textarea
    assert client.get("/api/admin/comments", headers={"Authorization": "Bearer jeton-de-test-0123456789"}
                      ).get_json()["total"] == 0


def test_preview_step_reports_mistakes_first(client):
    response = form(client, "", author="")
    assert response.status_code == 422 and "Indiquez votre nom." in response.get_data(as_text=True)


def test_preview_step_for_an_unknown_article_is_404(client):
    response = client.post("/api/threads/inconnu/comments", data={"author": "A", "body": "Bonjour"})
    assert response.status_code == 404


@pytest.mark.parametrize("bad", ["forge.1234.abcd", "1700000000.xxxxx"])
def test_form_with_a_forged_token_asks_to_confirm_again(client, bad):
    """A forged or expired token gives the form back with a fresh token, text kept."""
    response = form(client, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Merci pour ces conseils." in page and "expiré" in page


def test_confirming_from_the_preview_page_returns_to_the_article(make_app):
    """The preview's own token is valid, and confirming sends the reader back to the article they came from."""
    import re

    client = make_app(min_fill_seconds=1).test_client()
    page = form(client, "").get_data(as_text=True)
    fresh = re.search(r'name="ts" value="([^"]+)"', page).group(1)
    back = re.search(r'name="back" value="([^"]+)"', page).group(1)
    assert back == ARTICLE
    time.sleep(1.1)
    response = client.post(URL, data={"author": "Leila", "body": "Merci pour ces conseils.", "ts": fresh,
                                      "back": back},
                           headers={"Origin": "http://blog.test", "Referer": "http://blog.test" + URL})
    assert response.status_code == 303 and response.headers["Location"] == ARTICLE + "#merci"


def test_back_field_pointing_elsewhere_is_ignored(client):
    response = client.post(URL, data={"author": "L", "body": "Bonjour à tous", "ts": token(client),
                                      "back": "https://evil.example/phish"})
    assert response.headers["Location"] == ARTICLE + "#merci"


def test_form_from_another_site_is_refused(client):
    """Cross-site form posts are refused (CSRF), and nothing is stored."""
    response = client.post(URL, data={"author": "X", "body": "Pub", "ts": token(client)},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert client.get("/api/counts?threads=" + SLUG).get_json()[SLUG] == 0


def test_null_origin_is_refused(client):
    response = client.post(URL, data={"author": "X", "body": "Pub", "ts": token(client)}, headers={"Origin": "null"})
    assert response.status_code == 403


def test_cors_origin_may_post_forms(make_app):
    client = make_app(cors_origins=["https://www.atlas-emploi.example"]).test_client()
    response = client.post(URL, data={"author": "X", "body": "Bonjour à tous", "ts": token(client)},
                           headers={"Origin": "https://www.atlas-emploi.example"})
    assert response.status_code == 303


def test_honeypot_fills_are_stored_as_spam_silently(client, admin_headers):
    """A bot filling the hidden field sees the usual notice; moderators find it under spam."""
    response = form(client, token(client), telephone="0600000000")
    assert response.status_code == 303 and response.headers["Location"].endswith("#merci")
    spam = client.get("/api/admin/comments?status=spam", headers=admin_headers).get_json()
    assert spam["total"] == 1


def test_too_many_links_is_spam(client, admin_headers):
    body = " ".join(f"https://promo{i}.example" for i in range(5))
    response = client.post(URL, json=with_ts(client, {"author": "Promo", "body": body}))
    assert response.status_code == 201 and response.get_json()["status"] == "pending"
    assert "edit_token" not in response.get_json()
    assert client.get("/api/admin/comments?status=spam", headers=admin_headers).get_json()["total"] == 1


@pytest.mark.parametrize("ts", [None, "", 0, False, [], {"a": 1}, "1700000000", "pas-un-jeton"])
def test_json_posts_without_a_valid_token_are_refused(client, ts):
    """Every JSON post carries the form's signed fill-time token; without one, or with a forged one, it is refused."""
    payload = {"author": "Bot pressé", "body": "Bonjour à tous"}
    if ts is not None:
        payload["ts"] = ts
    response = client.post(URL, json=payload)
    assert (422, "form_expired", "ts") == (response.status_code, response.get_json()["error"]["code"],
                                           response.get_json()["error"]["field"])
    assert client.get(URL).get_json()["count"] == 0 and client.get("/api/admin/comments", headers={
        "Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()["total"] == 0


def test_json_posts_with_the_form_token_are_stored(client):
    """The token from GET /api/form-token is what the page's script sends."""
    assert client.post(URL, json=with_ts(client, {"author": "Lectrice", "body": "Bonjour à tous"})).status_code == 201


def test_json_post_with_a_fresh_token_is_held_to_the_fill_time(make_app):
    client = make_app(min_fill_seconds=30).test_client()
    response = client.post(URL, json={"author": "A", "body": "Bonjour à tous", "ts": token(client)})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "too_fast"
