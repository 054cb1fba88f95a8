"""Hostile requests get a 4xx in the API's error shape, never a server error, and the service stays healthy."""
from __future__ import annotations

import io
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import with_ts

SLUG = "negocier-son-salaire"
URL = f"/api/threads/{SLUG}/comments"
JSON = {"Content-Type": "application/json"}


def assert_error_shape(response, status: int | None = None):
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:200])
    if status is not None:
        assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]["code"]


def assert_healthy(client):
    assert client.get("/api/health").status_code == 200
    ok = client.post(URL, data=json.dumps(with_ts(client, {"author": "Sara", "body": "Toujours là ?"})), headers=JSON)
    assert ok.status_code == 201


# Bodies under the 64 KB request limit, so that the parser itself is what they attack.
HOSTILE_JSON = [
    ("deep array at the top", "[" * 30000 + "]" * 30000, "json_too_deep"),
    ("deep object at the top", '{"a":' * 10000 + "1" + "}" * 10000, "json_too_deep"),
    ("deep array in a field", '{"author": "x", "body": ' + "[" * 30000 + "]" * 30000 + "}", "json_too_deep"),
    ("deep object in a field", '{"author": "x", "body": ' + '{"a":' * 9000 + "1" + "}" * 9000 + "}", "json_too_deep"),
    ("21 levels", "[" * 21 + "]" * 21, "json_too_deep"),
    ("lone high surrogate in the body", '{"author": "x", "body": "bonjour \\ud800 !"}', "invalid_unicode"),
    ("lone low surrogate in the name", '{"author": "\\udfff", "body": "bonjour"}', "invalid_unicode"),
    ("surrogate in a key", '{"\\ud83d": 1, "author": "x", "body": "bonjour"}', "invalid_unicode"),
    ("surrogate in a nested list", '{"author": "x", "body": "ok ok", "lang": ["\\ud800"]}', "invalid_unicode"),
    ("NaN", '{"author": "x", "body": "bonjour", "parent_id": NaN}', "invalid_json"),
    ("Infinity", '{"author": "x", "body": "bonjour", "parent_id": -Infinity}', "invalid_json"),
    ("a 5,000-digit number", '{"author": "x", "body": "bonjour", "parent_id": ' + "9" * 5000 + "}", "invalid_json"),
    ("not UTF-8", b'{"author": "x", "body": "\xff\xfe"}', "invalid_json"),
    ("truncated", '{"author": "x", "body": "bon', "invalid_json"),
]


@pytest.mark.parametrize(("name", "body", "code"), HOSTILE_JSON, ids=[c[0] for c in HOSTILE_JSON])
def test_hostile_json_is_refused_cleanly(client, name, body, code):
    response = client.post(URL, data=body, headers=JSON)
    assert assert_error_shape(response, 400) == code
    assert_healthy(client)


@pytest.mark.parametrize("route", ["/api/preview", f"{URL}/1"])
def test_every_json_route_uses_the_same_guard(client, route):
    method = client.post if route == "/api/preview" else client.patch
    assert assert_error_shape(method(route, data="[" * 30000 + "]" * 30000, headers=JSON)) == "json_too_deep"
    assert assert_error_shape(method(route, data='{"body": "\\ud800"}', headers=JSON)) == "invalid_unicode"


def test_json_nested_a_little_is_still_accepted(client):
    """The guard is about depth, not about brackets inside text."""
    body = {"author": "Sara", "body": "[[[[[[[[[[[[[[[[[[[[[[[[[ des crochets ]]]]]]]]]]]]]]]]]]]]]]]]] {{{{ }}}}"}
    assert client.post(URL, data=json.dumps(with_ts(client, body)), headers=JSON).status_code == 201


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/octet-stream",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_ten_megabytes_get_413_whatever_the_type(client, content_type):
    response = client.post(URL, data=b"a" * (10 << 20), headers={"Content-Type": content_type})
    assert response.status_code == 413
    assert_healthy(client)


def test_a_huge_form_gets_the_html_error_page(client):
    response = client.post(URL, data={"author": "Sara", "body": "x" * (10 << 20)})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "trop volumineuse" in response.get_data(as_text=True)


def test_a_huge_body_without_declared_length_is_cut(client):
    """Chunked bodies have no Content-Length: Werkzeug's limited stream stops them at the limit."""
    body = io.BytesIO(b'{"author": "x", "body": "' + b"a" * (10 << 20) + b'"}')
    response = client.post(URL, input_stream=body, headers=JSON, environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413
    assert_healthy(client)


@pytest.mark.parametrize("path", [f"{URL}?after=%C2%B2", f"{URL}?after=-1", f"{URL}?after=1e3", f"{URL}?after=%D9%A3"])
def test_bad_numbers_in_the_query_are_400(client, path):
    assert assert_error_shape(client.get(path), 400) == "parameter_invalid"


@pytest.mark.parametrize("after", ["9" * 5000, "99999999999999999999", "9223372036854775808"])
def test_numbers_beyond_any_id_mean_nothing_newer(client, after):
    response = client.get(f"{URL}?after={after}")
    assert response.status_code == 200 and response.get_json()["comments"] == []


@pytest.mark.parametrize("path", [f"{URL}/" + "9" * 30, f"{URL}/" + "9" * 5000, f"{URL}/9223372036854775808"])
def test_ids_beyond_sqlite_are_refused(client, path):
    assert_error_shape(client.patch(path, data='{"body": "bonjour"}', headers=JSON))
    assert_error_shape(client.delete(path))
    assert_error_shape(client.get(path + "/reply"), 404)


@pytest.mark.parametrize("parent", ["9" * 5000, "²", "١٢", "99999999999999999999", True, 1.5, [1], {"a": 1}])
def test_bad_parent_ids_are_422(client, parent):
    body = {"author": "Sara", "body": "Une réponse", "parent_id": parent}
    assert assert_error_shape(client.post(URL, data=json.dumps(with_ts(client, body)), headers=JSON), 422) \
        == "parent_invalid"


@pytest.mark.parametrize("path", ["/api/threads/%ED%A0%80/comments", "/api/threads/..%2F..%2Fetc%2Fpasswd/comments",
                                  "/api/threads/" + "a" * 5000 + "/comments", "/api/threads/%00/comments"])
def test_odd_thread_ids_are_404(client, path):
    assert assert_error_shape(client.get(path), 404) in ("thread_not_found", "not_found")


def test_admin_paging_refuses_overflowing_numbers(client, admin_headers):
    for query in ("offset=" + "9" * 30, "limit=" + "9" * 5000, "offset=%C2%B2"):
        assert_error_shape(client.get(f"/api/admin/comments?{query}", headers=admin_headers), 400)


NETWORKS = itertools.count()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["author", "body", "email", "website", "parent_id", "lang", "notify", "ts", "x"]),
        children, max_size=6),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values)
def test_any_json_gets_an_answer_below_500(client, body):
    # Objects without a ts get a valid one, so that they reach the store; each example from its own network,
    # so that the preview's rate limit does not answer in their place.
    if isinstance(body, dict) and "ts" not in body:
        body = with_ts(client, body)
    n = next(NETWORKS)
    address = {"REMOTE_ADDR": f"10.{n // 256 % 256}.{n % 256}.1"}
    for route in (URL, "/api/preview"):
        response = client.post(route, data=json.dumps(body), headers=JSON, environ_base=address)
        assert response.status_code < 500, (route, body, response.data[:200])


@pytest.mark.parametrize("comment_id", ["9" * 30, "9223372036854775808", "0"])
def test_admin_routes_with_ids_beyond_sqlite_are_404(client, admin_headers, comment_id):
    base = f"/api/admin/comments/{comment_id}"
    for response in (client.get(base, headers=admin_headers), client.delete(base, headers=admin_headers),
                     client.post(f"{base}/approve", headers=admin_headers)):
        assert assert_error_shape(response, 404) == "comment_not_found"
