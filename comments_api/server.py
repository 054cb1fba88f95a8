"""The HTTP server `make run` starts: waitress, whose own refusals answer in the API's JSON error shape.

waitress reads every request whole (headers and body, in its event loop) before a thread runs the app, so
readers who send slowly, on purpose or not, hold no thread: on one machine with nothing in front, that is what
keeps the blog answering. Behind nginx (deploy/), nginx does this buffering and gunicorn serves the API.

    python -m comments_api.server     # BOUCLE_HOST, BOUCLE_PORT, BOUCLE_THREADS
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from .errors import server_refusal
from .site import SECURITY_HEADERS

__all__ = ["JSONErrorChannel", "main", "serve"]

log = logging.getLogger(__name__)

# A reader's no-JavaScript form may wait for the site rebuild (up to 30 s) before its redirect: a stop waits
# that long for the answers in flight, as gunicorn's graceful_timeout did.
GRACE_SECONDS = 35.0
# Connections cost a few kilobytes each while they send; the limit only has to stay far above what slow or
# idle clients can hold open (waitress's default, 100, would let 100 of them lock everyone else out).
CONNECTION_LIMIT = 1000


class JSONErrorTask(ErrorTask):
    """waitress's answer to a request it could not parse (bad chunk, header too large…), in our JSON shape."""

    def execute(self):
        error = self.request.error
        status, lang, body = server_refusal(error.code, self.request.headers.get("ACCEPT_LANGUAGE", ""))
        reason = error.reason if status == error.code else "Bad Request"
        self.status = f"{status} {reason}"
        self.response_headers.extend([("Content-Type", "application/json"), ("Content-Language", lang),
                                      *SECURITY_HEADERS.items()])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JSONErrorChannel(HTTPChannel):
    error_task_class = JSONErrorTask


def _busy(sockets: dict) -> bool:
    """Whether a request is being answered or an answer is still leaving (half-sent requests do not count)."""
    return any(isinstance(c, HTTPChannel) and (c.requests or c.total_outbufs_len) for c in list(sockets.values()))


def serve(app, host: str, port: int, threads: int, stop: threading.Event, grace: float = GRACE_SECONDS) -> None:
    """Serve `app` until `stop` is set, then stop accepting and let the answers in flight finish."""
    sockets: dict = {}
    limit = app.config.get("MAX_CONTENT_LENGTH") or 0
    server = create_server(
        app, map=sockets, host=host, port=port, threads=threads, connection_limit=CONNECTION_LIMIT,
        # The app refuses a body over its own limit (413 in JSON, or the form's page); past twice that, waitress
        # refuses it itself instead of spooling it to a temporary file.
        max_request_body_size=max(2 * limit, 1 << 20),
        # BOUCLE_PROXIES (ProxyFix in the app) decides which forwarded headers to trust, as under gunicorn.
        clear_untrusted_proxy_headers=False, ident="boucle",
    )
    server.channel_class = JSONErrorChannel
    log.info("Serving on http://%s:%s", server.effective_host, server.effective_port)
    while not stop.is_set():
        wasyncore.loop(timeout=0.5, map=sockets, use_poll=True, count=1)
    wasyncore.dispatcher.close(server)  # the listening socket only; the loop's trigger still wakes it
    deadline = time.monotonic() + grace
    while _busy(sockets) and time.monotonic() < deadline:
        wasyncore.loop(timeout=0.1, map=sockets, use_poll=True, count=1)
    server.task_dispatcher.shutdown(timeout=1)
    wasyncore.close_all(sockets)


def main() -> None:
    from . import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s [%(name)s] %(message)s")
    stop = threading.Event()
    # SIGTERM from `invoke run`'s stop or systemd, SIGINT from Ctrl-C in the terminal: the same graceful stop.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    serve(create_app(), os.environ.get("BOUCLE_HOST", "127.0.0.1"), int(os.environ.get("BOUCLE_PORT", "8000")),
          int(os.environ.get("BOUCLE_THREADS", "8")), stop)


if __name__ == "__main__":
    main()
