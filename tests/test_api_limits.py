"""Rate limits per address, and bad settings refused at start-up."""
from __future__ import annotations

import pytest

from comments_api.config import ConfigError, from_environ

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"


def test_rate_limit_answers_429_with_retry_after(make_app):
    """The third comment within a minute from one address is refused, in JSON, with Retry-After."""
    client = make_app(rate_limit="2/minute").test_client()
    statuses = [client.post(URL, json={"author": "A", "body": f"Commentaire {i}"}).status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    response = client.post(URL, json={"author": "A", "body": "Encore un"})
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_rate_limit_is_per_address(make_app):
    client = make_app(rate_limit="1/minute").test_client()
    assert client.post(URL, json={"author": "A", "body": "Premier"}, environ_base={"REMOTE_ADDR": "198.51.100.1"}
                       ).status_code == 201
    assert client.post(URL, json={"author": "B", "body": "Deuxième"}, environ_base={"REMOTE_ADDR": "198.51.100.1"}
                       ).status_code == 429
    assert client.post(URL, json={"author": "C", "body": "Troisième"}, environ_base={"REMOTE_ADDR": "198.51.100.2"}
                       ).status_code == 201


def test_refused_comments_do_not_use_up_the_limit(make_app):
    """A reader correcting mistakes the API pointed out is not locked out."""
    client = make_app(rate_limit="1/minute").test_client()
    for _ in range(3):
        assert client.post(URL, json={"author": "", "body": "Sans nom"}).status_code == 422
    assert client.post(URL, json={"author": "A", "body": "Enfin bon"}).status_code == 201


def test_rate_limit_off(make_app):
    client = make_app(rate_limit="off").test_client()
    assert all(client.post(URL, json={"author": "A", "body": f"Texte {i}"}).status_code == 201 for i in range(12))


def test_rate_limited_form_post_keeps_the_text(make_app):
    client = make_app(rate_limit="1/minute").test_client()
    for i in range(2):
        token = client.get("/api/form-token").get_json()["token"]
        response = client.post(URL, data={"author": "A", "body": f"Mon texte numéro {i}", "ts": token})
    assert response.status_code == 429 and "Mon texte numéro 1" in response.get_data(as_text=True)


def test_reading_is_not_limited(make_app):
    client = make_app(rate_limit="1/minute").test_client()
    assert all(client.get(URL).status_code == 200 for _ in range(10))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOUCLE_MODERATION": "parfois"}, "BOUCLE_MODERATION"),
        ({"BOUCLE_RATE_LIMIT": "beaucoup"}, "BOUCLE_RATE_LIMIT"),
        ({"BOUCLE_PORT": "huit mille"}, "BOUCLE_PORT"),
        ({"BOUCLE_EDIT_WINDOW": "-5"}, "BOUCLE_EDIT_WINDOW"),
        ({"BOUCLE_SERVE_SITE": "peut-être"}, "BOUCLE_SERVE_SITE"),
        ({"BOUCLE_MAX_REQUEST_BYTES": "10"}, "BOUCLE_MAX_REQUEST_BYTES"),
    ],
)
def test_bad_settings_stop_the_service_with_a_clear_message(env, message):
    with pytest.raises(ConfigError, match=message):
        from_environ(env, root="/tmp")


@pytest.mark.parametrize(("value", "expected"), [("ALL", "all"), ("first", "first"), (" none ", "none")])
def test_moderation_setting(value, expected):
    assert from_environ({"BOUCLE_MODERATION": value}, root="/tmp")["MODERATION"] == expected


def test_cors_allows_only_listed_origins(make_app):
    """A blog served from another origin may call the public API; other sites may not; the admin never."""
    client = make_app(cors_origins=["https://www.atlas-emploi.example"]).test_client()
    allowed = client.options(URL, headers={"Origin": "https://www.atlas-emploi.example",
                                           "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "Content-Type"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://www.atlas-emploi.example"
    other = client.get(URL, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    admin = client.get("/api/admin/comments", headers={"Origin": "https://www.atlas-emploi.example"})
    assert "Access-Control-Allow-Origin" not in admin.headers


def test_no_cors_headers_by_default(app):
    response = app.test_client().get(URL, headers={"Origin": "https://www.atlas-emploi.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
