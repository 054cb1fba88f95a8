"""gunicorn's settings for Boucle's API behind nginx (the systemd unit boucle-api.service).

gunicorn reads this file with `-c deploy/gunicorn.conf.py`; the environment gives the address and the size.
A gunicorn thread reads its request as it comes, so slow clients can hold every thread: nginx in front reads
each request whole first. `make run`, with nothing in front, uses waitress instead (comments_api/server.py).
"""
import os
from http import HTTPStatus

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

bind = f"{os.environ.get('BOUCLE_HOST', '127.0.0.1')}:{os.environ.get('BOUCLE_PORT', '8000')}"
# Threads rather than processes by default: SQLite takes one writer at a time anyway, and rate-limit counters
# kept in memory (BOUCLE_RATE_LIMIT_STORAGE=memory://) are only shared within one process. With Redis as that
# storage, more workers use more cores.
workers = int(os.environ.get("BOUCLE_WORKERS", "1"))
threads = int(os.environ.get("BOUCLE_THREADS", "8"))


class _Kept:
    """The client's socket, except that what gunicorn writes to it is kept instead of sent."""

    def __init__(self, sock):
        self.sock, self.sent = sock, b""

    def sendall(self, data):
        self.sent += data

    def __getattr__(self, name):
        return getattr(self.sock, name)


class JSONErrorsWorker(ThreadWorker):
    """gunicorn's threaded worker, whose own refusals of malformed requests (a duplicate Content-Type, a request
    line over its limit…) answer in the API's JSON error shape instead of an HTML page."""

    def handle_error(self, req, client, addr, exc):
        from comments_api.errors import server_refusal

        kept = _Kept(client)
        super().handle_error(req, kept, addr, exc)  # gunicorn's own status, log line and access log
        if not kept.sent:
            return
        languages = [v for k, v in getattr(req, "headers", None) or [] if k == "ACCEPT-LANGUAGE"]
        status, lang, body = server_refusal(int(kept.sent.split(b" ", 2)[1]), languages[0] if languages else "")
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nConnection: close\r\n"
                f"Content-Type: application/json\r\nContent-Language: {lang}\r\n"
                f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n")
        try:
            util.write_nonblock(client, head.encode("latin-1") + body)
        except Exception:
            self.log.debug("Failed to send error message.")


worker_class = JSONErrorsWorker
# As long as a request line as nginx passes on (8 KiB buffers): a long, unknown thread id gets the app's own 404.
limit_request_line = 8190
# A reader's no-JavaScript form may wait for the site rebuild (up to 30 s) before its redirect.
timeout = 60
graceful_timeout = 20
accesslog = os.environ.get("BOUCLE_ACCESS_LOG") or None  # "-" for stdout; nginx usually keeps its own
errorlog = "-"
wsgi_app = "comments_api:create_app()"
# gunicorn's control socket lives in the home folder by default: one path shared by every instance on the machine.
control_socket_disable = True


def on_starting(server):
    storage = os.environ.get("BOUCLE_RATE_LIMIT_STORAGE") or "memory://"
    if workers > 1 and storage.startswith("memory://"):
        server.log.warning("BOUCLE_WORKERS=%d with rate limits in memory: each worker counts apart, so the limits "
                           "are %d times looser; set BOUCLE_RATE_LIMIT_STORAGE=redis://…", workers, workers)
