"""gunicorn's settings for Boucle's API, shared by `make run` and the systemd unit (boucle-api.service).

gunicorn reads this file with `-c deploy/gunicorn.conf.py`; the environment gives the address and the size.
"""
import os

bind = f"{os.environ.get('BOUCLE_HOST', '127.0.0.1')}:{os.environ.get('BOUCLE_PORT', '8000')}"
# Threads rather than processes by default: SQLite takes one writer at a time anyway, and rate-limit counters
# kept in memory (BOUCLE_RATE_LIMIT_STORAGE=memory://) are only shared within one process. With Redis as that
# storage, more workers use more cores.
workers = int(os.environ.get("BOUCLE_WORKERS", "1"))
threads = int(os.environ.get("BOUCLE_THREADS", "8"))
worker_class = "gthread"
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
