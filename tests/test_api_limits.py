"""Rate limits per client network, and bad settings refused at start-up."""
from __future__ import annotations

import pytest

from comments_api.config import ConfigError, from_environ
from conftest import with_ts

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"


def post(client, author="A", body="Un commentaire", address=None, **kwargs):
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return client.post(URL, json=with_ts(client, {"author": author, "body": body}), **extra, **kwargs)


def test_rate_limit_answers_429_with_retry_after(make_app):
    """The third comment within a minute from one address is refused, in JSON, with Retry-After."""
    client = make_app(rate_limit="2/minute").test_client()
    statuses = [post(client, body=f"Commentaire {i}").status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    response = post(client, body="Encore un")
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def test_rate_limit_is_per_network(make_app):
    """Readers of other networks are not held back by one that used up its comments."""
    client = make_app(rate_limit="1/minute").test_client()
    assert post(client, "A", "Premier", "198.51.100.1").status_code == 201
    assert post(client, "B", "Deuxième", "198.51.100.1").status_code == 429
    assert post(client, "C", "Troisième", "198.51.101.1").status_code == 201
    assert post(client, "D", "Quatrième", "2001:db8:1:1::1").status_code == 201


@pytest.mark.parametrize(("addresses", "label"), [
    ([f"198.51.100.{i}" for i in range(1, 9)], "8 addresses of one IPv4 /24"),
    ([f"::ffff:198.51.100.{i}" for i in range(1, 5)] + [f"198.51.100.{i}" for i in range(5, 9)],
     "IPv4-mapped IPv6 addresses count as their IPv4 network"),
    ([f"2001:db8:5:7:{i}::{i}" for i in range(1, 9)], "8 addresses of one IPv6 /64"),
])
def test_addresses_of_one_network_share_the_limit(make_app, addresses, label):
    """Changing address within one's network (IPv4 /24, IPv6 /64, as Isso groups them) does not get round it."""
    client = make_app(rate_limit="5/minute").test_client()
    statuses = [post(client, body=f"Commentaire {i}", address=a).status_code for i, a in enumerate(addresses)]
    assert [201] * 5 + [429] * 3 == statuses, label


def test_behind_a_proxy_the_forwarded_network_counts(make_app):
    """With BOUCLE_PROXIES=1 the limit follows X-Forwarded-For's network, not the proxy's own address."""
    client = make_app(rate_limit="1/minute", proxy_count=1).test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def forwarded(address, body):
        return client.post(URL, json=with_ts(client, {"author": "A", "body": body}), environ_base=proxy,
                           headers={"X-Forwarded-For": address, "X-Forwarded-Host": "blog.test"})

    assert [201, 429, 201] == [forwarded("203.0.113.5", "Un").status_code,
                               forwarded("203.0.113.77", "Deux").status_code,
                               forwarded("192.0.2.8", "Trois").status_code]


def test_refused_comments_do_not_use_up_the_limit(make_app):
    """A reader correcting mistakes the API pointed out is not locked out."""
    client = make_app(rate_limit="1/minute").test_client()
    for _ in range(3):
        assert post(client, author="", body="Sans nom").status_code == 422
    assert post(client, body="Enfin bon").status_code == 201


def test_rate_limit_off(make_app):
    client = make_app(rate_limit="off").test_client()
    assert all(post(client, body=f"Texte {i}").status_code == 201 for i in range(12))


def test_rate_limited_form_post_keeps_the_text(make_app):
    client = make_app(rate_limit="1/minute").test_client()
    for i in range(2):
        token = client.get("/api/form-token").get_json()["token"]
        response = client.post(URL, data={"author": "A", "body": f"Mon texte numéro {i}", "ts": token})
    assert response.status_code == 429 and "Mon texte numéro 1" in response.get_data(as_text=True)


def test_reading_is_not_limited(make_app):
    client = make_app(rate_limit="1/minute").test_client()
    assert all(client.get(URL).status_code == 200 for _ in range(10))


# --- Preview ---------------------------------------------------------------------------------------------------

def preview(client, address="198.51.100.20"):
    return client.post("/api/preview", json={"body": "Un *aperçu*"}, environ_base={"REMOTE_ADDR": address})


def test_previews_are_limited_per_network_even_with_rate_limits_off(make_app):
    """The 61st preview within a minute from one network is refused with Retry-After; other networks go on."""
    client = make_app(rate_limit="off").test_client()
    answers = [preview(client, f"198.51.100.{i % 200}") for i in range(61)]
    assert [200] * 60 + [429] == [a.status_code for a in answers]
    refused = answers[-1].get_json()["error"]
    assert "previews_limited" == refused["code"] and refused["message"]
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert 200 == preview(client, "192.0.2.1").status_code


# --- Settings --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BOUCLE_MODERATION": "parfois"}, "BOUCLE_MODERATION"),
        ({"BOUCLE_RATE_LIMIT": "beaucoup"}, "BOUCLE_RATE_LIMIT"),
        ({"BOUCLE_PORT": "huit mille"}, "BOUCLE_PORT"),
        ({"BOUCLE_EDIT_WINDOW": "-5"}, "BOUCLE_EDIT_WINDOW"),
        ({"BOUCLE_SERVE_SITE": "peut-être"}, "BOUCLE_SERVE_SITE"),
        ({"BOUCLE_MAX_REQUEST_BYTES": "10"}, "BOUCLE_MAX_REQUEST_BYTES"),
        ({"BOUCLE_ADMIN_IDLE_MINUTES": "0"}, "BOUCLE_ADMIN_IDLE_MINUTES"),
        ({"BOUCLE_ADMIN_IDLE_MINUTES": "une heure"}, "BOUCLE_ADMIN_IDLE_MINUTES"),
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


def _count_limit_checks(monkeypatch) -> list:
    """Record every rate-limit check flask-limiter makes (for apps built after this call)."""
    from flask_limiter import Limiter

    calls = []
    check = Limiter._check_request_limit

    def counted(self, *args, **kwargs):
        calls.append(kwargs.get("in_middleware", True))
        return check(self, *args, **kwargs)

    monkeypatch.setattr(Limiter, "_check_request_limit", counted)
    return calls


def test_comment_post_runs_no_rate_limit_check_when_nothing_limits_it(make_app, monkeypatch):
    """With comment limits off and no app-wide limit, a post spends nothing on looking for limits."""
    calls = _count_limit_checks(monkeypatch)
    client = make_app(rate_limit="off").test_client()
    assert 201 == post(client).status_code
    assert [] == calls


def test_comment_limit_still_checked_once_per_post(make_app, monkeypatch):
    """The comment limit is checked by its own view, once a post, and still refuses past it."""
    calls = _count_limit_checks(monkeypatch)
    client = make_app(rate_limit="1/minute").test_client()
    assert [201, 429] == [post(client, body=f"Commentaire {i}").status_code for i in range(2)]
    assert [False, False] == calls


def test_app_wide_limit_from_config_still_applies_to_every_request(make_app):
    """A limit for every request set in the instance's config (flask-limiter's RATELIMIT_DEFAULT) is kept."""
    client = make_app(rate_limit="off", ratelimit_default="2/minute").test_client()
    statuses = [client.get("/api/counts?threads=negocier-son-salaire").status_code for _ in range(3)]
    assert [200, 200, 429] == statuses
