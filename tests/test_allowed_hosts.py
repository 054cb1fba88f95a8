"""Only the site's own host names are served: a forged Host steers no redirect, no link and no origin check."""
from __future__ import annotations

import pytest

from comments_api.config import allowed_hosts, from_environ
from conftest import with_ts

pytestmark = pytest.mark.both_databases

SLUG = "negocier-son-salaire"
URL = f"/api/threads/{SLUG}/comments"
EVIL = {"base_url": "http://evil.example"}


@pytest.mark.parametrize("path", ["/api/health", URL, "/api/nulle-part", "/api/form-token"])
def test_api_requests_for_another_host_get_400_in_the_json_error_shape(client, path):
    response = client.get(path, **EVIL)
    error = response.get_json()["error"]
    assert (400, "host_not_allowed") == (response.status_code, error["code"]) and error["message"]


def test_the_cached_thread_read_is_refused_too(client):
    """The thread read answered before Flask (thread_cache.FastThreadReads) checks the host as well."""
    assert client.get(URL).status_code == 200  # now kept in the cache
    assert 400 == client.get(URL, **EVIL).status_code
    assert b"negocier" not in client.get(URL, **EVIL).data


@pytest.mark.parametrize("path", ["/", "/pages/a-propos", "/admin/", "/negocier-son-salaire/"])
def test_pages_for_another_host_get_a_short_400_page_and_no_redirect(client, path):
    response = client.get(path, **EVIL)
    assert (400, "text/html", None) == (response.status_code, response.mimetype, response.headers.get("Location"))
    assert "evil.example" not in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"  # the security headers are still there


def test_a_form_posted_under_a_forged_host_from_that_host_is_refused(client):
    """Host: evil.example with Origin: http://evil.example used to pass the form's origin check."""
    token = client.get("/api/form-token").get_json()["token"]
    response = client.post(URL, data={"author": "X", "body": "Bonjour à tous", "ts": token},
                           headers={"Origin": "http://evil.example", "Referer": "http://evil.example/"}, **EVIL)
    assert response.status_code == 400
    assert client.get("/api/admin/comments", headers={"Authorization": "Bearer jeton-de-test-0123456789"}
                      ).get_json()["total"] == 0


def test_the_site_host_is_served_whatever_its_case_and_port(client):
    for base in ("http://blog.test", "http://BLOG.test", "http://blog.test:8080", "http://blog.test."):
        assert 200 == client.get("/api/health", base_url=base).status_code, base


@pytest.mark.parametrize("host", ["evil.example", "blog.test.evil.example", "blog.test:80@evil.example",
                                  "evil.example#blog.test", "blog.test:x", "blog.test:80:80", "[blog.test]"])
def test_hosts_that_only_look_like_the_site_are_refused(client, host):
    assert 400 == client.get("/api/health", headers={"Host": host}).status_code


def test_x_forwarded_host_is_ignored_without_a_configured_proxy(client):
    """Without BOUCLE_PROXIES anyone can send X-Forwarded-Host: it changes nothing."""
    response = client.get("/pages/a-propos", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 301 and response.headers["Location"] in ("/pages/a-propos/",
                                                                            "http://blog.test/pages/a-propos/")


def test_behind_a_configured_proxy_the_forwarded_host_is_checked(make_app):
    client = make_app(proxy_count=1).test_client()
    assert 400 == client.get("/api/health", headers={"X-Forwarded-Host": "evil.example"}).status_code
    assert 200 == client.get("/api/health", headers={"X-Forwarded-Host": "blog.test"}).status_code


def test_listed_hosts_are_served_and_their_forms_accepted(make_app):
    """BOUCLE_ALLOWED_HOSTS lists every name the blog answers to; a form from one of them is from the blog."""
    client = make_app(allowed_hosts=["blog.test", "www.blog.test"]).test_client()
    assert 200 == client.get("/api/health", base_url="http://www.blog.test").status_code
    token = client.get("/api/form-token").get_json()["token"]
    response = client.post(URL, data={"author": "Lina", "body": "Bonjour à tous", "ts": token},
                           headers={"Origin": "http://www.blog.test"}, base_url="http://www.blog.test")
    assert response.status_code == 303
    assert 400 == client.get("/api/health", base_url="http://autre.blog.test").status_code


def test_json_posts_are_served_only_under_the_site_host(client):
    assert client.post(URL, json=with_ts(client, {"author": "A", "body": "Bonjour"}), **EVIL).status_code == 400
    assert client.post(URL, json=with_ts(client, {"author": "A", "body": "Bonjour"})).status_code == 201


@pytest.mark.parametrize(("listed", "site_url", "expected"), [
    ([], "https://blog.example.ma", ["blog.example.ma"]),
    ([], "https://Blog.Example.ma:8443/", ["blog.example.ma"]),
    ([], "http://127.0.0.1:8000", ["127.0.0.1", "localhost", "[::1]"]),
    ([], "http://localhost:8000", ["localhost", "127.0.0.1", "[::1]"]),
    (["blog.example.ma", " WWW.blog.example.ma "], "https://blog.example.ma",
     ["blog.example.ma", "www.blog.example.ma"]),
])
def test_the_default_is_the_site_host(listed, site_url, expected):
    assert expected == allowed_hosts(listed, site_url)


def test_the_setting_is_a_comma_separated_list():
    assert ["blog.example.ma", "www.blog.example.ma"] == from_environ(
        {"BOUCLE_ALLOWED_HOSTS": "blog.example.ma, www.blog.example.ma"}, root="/tmp")["ALLOWED_HOSTS"]


def test_make_run_answers_on_localhost_and_the_loopback_address(make_app):
    client = make_app(siteurl="http://127.0.0.1:8000").test_client()
    for base in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        assert 200 == client.get("/api/health", base_url=base).status_code, base
