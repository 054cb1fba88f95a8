"""`make run` keeps answering readers while strangers send slowly or send malformed HTTP, and every refusal
under /api/ is one of our JSON errors, whoever makes it (the app or the HTTP server underneath)."""
from __future__ import annotations

import json
import socket
import ssl
import threading
import time

import pytest
import requests

from test_serving import invoke_run

SLOW_CLIENTS = 50
ARTICLE = "negocier-son-salaire"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """One real `invoke run` (what `make run` starts) for the whole module: the build is the slow part."""
    with invoke_run(tmp_path_factory.mktemp("make-run"), _port()) as (base, _proc, _lines):
        yield base


SLOW_STARTS = {
    # A header line now and then, never the blank line that ends the headers.
    "headers": (b"GET /%s/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" % ARTICLE.encode(), b"X-Slow: %d\r\n"),
    # Complete headers announcing a body that comes one byte at a time.
    "body": (b"POST /api/threads/%s/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             b"Content-Length: 60000\r\n\r\n{" % ARTICLE.encode(), b" "),
}


class SlowClients:
    """`count` connections that each send a little every 2 s, for at most `rounds` rounds, until stopped."""

    def __init__(self, port: int, start: bytes, drip: bytes, count: int = SLOW_CLIENTS, rounds: int = 30):
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        self.drip, self.rounds, self.stop = drip, rounds, threading.Event()
        for s in self.sockets:
            s.sendall(start)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        for n in range(self.rounds):
            if self.stop.wait(2):
                return
            for s in self.sockets:
                try:
                    s.sendall(self.drip % n if b"%d" in self.drip else self.drip)
                except OSError:
                    pass  # a server may drop a slow client; that is its right

    def close(self):
        self.stop.set()
        self.thread.join(timeout=10)
        for s in self.sockets:
            s.close()


@pytest.mark.parametrize("kind", sorted(SLOW_STARTS))
def test_fifty_slow_clients_do_not_slow_down_readers(make_run, kind):
    """With 50 connections sending a header line or a body byte every 2 s, each of 20 reads of an article and of
    its comments answers in under a second (the server reads requests whole before a thread takes them)."""
    port = int(make_run.rsplit(":", 1)[1])
    slow = SlowClients(port, *SLOW_STARTS[kind])
    try:
        time.sleep(2.5)  # every slow client has sent something and is waiting to send more
        slowest = 0.0
        with requests.Session() as session:
            for _ in range(20):
                for path in (f"/{ARTICLE}/", f"/api/threads/{ARTICLE}/comments"):
                    started = time.monotonic()
                    answer = session.get(make_run + path, timeout=5)
                    slowest = max(slowest, time.monotonic() - started)
                    assert 200 == answer.status_code
    finally:
        slow.close()
    assert slowest < 1.0, f"slowest read {slowest:.2f} s"


def raw_exchange(port: int, request: bytes, tls: bool = False) -> tuple[int, dict[str, str], bytes]:
    """Send `request` bytes as they are; return the status, headers and body of the answer (read to the end).

    With `tls`, over TLS without checking the certificate (nginx's test one).
    """
    with socket.create_connection(("127.0.0.1", port), timeout=10) as plain:
        s = plain
        if tls:
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            s = context.wrap_socket(plain)
        try:
            s.sendall(request)
            if not tls:
                s.shutdown(socket.SHUT_WR)  # every request below asks to close anyway; TLS cannot half-close
        except OSError:
            pass  # a server may answer and close before an over-long request is all sent: its answer counts
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except OSError:
            pass  # a peer that closes without TLS's goodbye, or resets once its answer is out
        finally:
            s.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    if headers.get("transfer-encoding") == "chunked":
        body = _dechunk(body)
    return int(status_line.split()[1]), headers, body


def _dechunk(body: bytes) -> bytes:
    out = b""
    while body:
        size, _, rest = body.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out, body = out + rest[:n], rest[n + 2:]
    return out


def _post(headers: bytes, body: bytes, path: bytes = b"/api/preview") -> bytes:
    return b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + b"\r\n" + body


# Requests an HTTP server may refuse before the app sees them. 256 KiB is waitress's header limit; nginx's is
# 4 × 8 KiB per line, so each over-long case below is over both.
MALFORMED = {
    "over-long thread id": b"GET /api/threads/" + b"a" * 5000 + b"/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Connection: close\r\n\r\n",
    "over-long request line": b"GET /api/threads/" + b"a" * 262_200 + b"/comments HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Connection: close\r\n\r\n",
    "header too large": b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: "
                        + b"a" * 262_200 + b"\r\n\r\n",
    "duplicate Content-Type": _post(b"Content-Type: application/json\r\nContent-Type: text/plain\r\n"
                                    b"Content-Length: 13\r\n", b'{"body": "x"}'),
    "bad chunk size": _post(b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n",
                            b"zz\r\n{\"body\": \"x\"}\r\n0\r\n\r\n"),
    "chunked and Content-Length": _post(b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                        b"Content-Length: 5\r\n", b"3\r\nabc\r\n0\r\n\r\n"),
    "control byte in a header": b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                b"X-Bad: a\x01b\r\n\r\n",
    "invalid header name": b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                           b"X Bad: a\r\n\r\n",
    "unparseable Content-Length": _post(b"Content-Type: application/json\r\nContent-Length: 1x\r\n", b""),
    "declared body far over the limit": _post(b"Content-Type: application/json\r\nContent-Length: 90000000\r\n",
                                              b""),
}


def assert_json_error(status: int, headers: dict[str, str], body: bytes) -> None:
    assert 400 <= status < 500, (status, body[:200])
    assert "application/json" == headers.get("content-type", "").split(";")[0], (headers, body[:200])
    error = json.loads(body)["error"]
    assert {"code", "message"} <= set(error) and error["code"] and error["message"], error


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_requests_under_api_get_a_json_4xx_from_make_run(make_run, name):
    """Whatever the HTTP server cannot or will not parse under /api/ is answered with a 4xx in our JSON shape."""
    port = int(make_run.rsplit(":", 1)[1])
    assert_json_error(*raw_exchange(port, MALFORMED[name]))


def test_the_server_s_own_refusals_speak_the_reader_s_language(make_run):
    """A refusal made before the app still follows Accept-Language, French by default."""
    port = int(make_run.rsplit(":", 1)[1])
    bad = MALFORMED["bad chunk size"]
    _, french_headers, french = raw_exchange(port, bad)
    _, english_headers, english = raw_exchange(port, bad.replace(b"Host:", b"Accept-Language: en\r\nHost:", 1))
    assert ("fr", "Requête invalide.") == (french_headers["content-language"], json.loads(french)["error"]["message"])
    assert ("en", "Bad request.") == (english_headers["content-language"], json.loads(english)["error"]["message"])


def test_a_stop_lets_the_answer_in_flight_finish_and_refuses_new_connections():
    """Stopping make run's server (SIGTERM, Ctrl-C) closes the door but still sends the answer being made."""
    from flask import Flask

    from comments_api.server import serve

    app = Flask(__name__)
    working = threading.Event()

    @app.get("/slow")
    def slow():
        working.set()
        time.sleep(1)
        return "fini"

    port, stop = _port(), threading.Event()
    server = threading.Thread(target=serve, args=(app, "127.0.0.1", port, 2, stop), kwargs={"grace": 10})
    server.start()
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        answers = []
        reader = threading.Thread(target=lambda: answers.append(requests.get(f"http://127.0.0.1:{port}/slow",
                                                                             timeout=10)))
        reader.start()
        assert working.wait(10)
        stop.set()
        reader.join(timeout=15)
        assert ["fini"] == [a.text for a in answers]
        server.join(timeout=15)
        assert not server.is_alive()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        stop.set()
        server.join(timeout=15)
