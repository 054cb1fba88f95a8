"""Thread reads without rebuilding the same JSON: the answer is kept per article and per `changes` counter.

The database raises a thread's counter on every change to its comments (a
trigger, comments_store migration 0005), so one indexed look-up tells whether
the kept answer still holds; an approved comment shows on the very next read.
The counter is also the ETag: a browser that has the answer gets a 304.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict

MAX_THREADS = 2000  # answers kept per process; the least recently read go first


class ThreadCache:
    def __init__(self, size: int = MAX_THREADS):
        self.size = size
        self._items: OrderedDict[str, tuple[int, int, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, slug: str, thread_id: int, changes: int) -> bytes | None:
        with self._lock:
            item = self._items.get(slug)
            if item is None or item[:2] != (thread_id, changes):
                return None
            self._items.move_to_end(slug)
            return item[2]

    def put(self, slug: str, thread_id: int, changes: int, answer: dict) -> bytes:
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        with self._lock:
            self._items[slug] = (thread_id, changes, body)
            self._items.move_to_end(slug)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body


def etag(thread_id: int, changes: int) -> str:
    """The entity tag, unquoted (Werkzeug quotes it)."""
    return f"t{thread_id}-{changes}"


class FastThreadReads:
    """WSGI middleware answering `GET /api/threads/<slug>/comments` from the cache before Flask is involved.

    Only the plain case: no query string, no Origin header (CORS answers go through Flask-CORS), a thread
    whose kept answer matches its `changes` counter. Everything else, misses included, goes on to the app,
    which fills the cache. The answer is byte for byte the one the Flask view gives.
    """

    PREFIX, SUFFIX = "/api/threads/", "/comments"

    def __init__(self, wsgi_app, cache: ThreadCache, borrow, give_back):
        # borrow() and give_back(db): the app's connection pool (comments_api.db), used outside a request.
        self.wsgi_app, self.cache, self.borrow, self.give_back = wsgi_app, cache, borrow, give_back

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") == "GET" and path.startswith(self.PREFIX) and path.endswith(self.SUFFIX)
                and not environ.get("QUERY_STRING") and "HTTP_ORIGIN" not in environ):
            slug = path[len(self.PREFIX):-len(self.SUFFIX)]
            if slug and "/" not in slug and slug.isascii():
                answer = self._answer(slug, environ.get("HTTP_IF_NONE_MATCH"))
                if answer is not None:
                    status, body, tag = answer
                    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                            ("ETag", f'"{tag}"'), ("Cache-Control", "no-cache")])
                    return [body]
        return self.wsgi_app(environ, start_response)

    def _answer(self, slug: str, if_none_match: str | None):
        import comments_store

        db = None
        try:
            db = self.borrow()
            thread = comments_store.get_thread(db, slug)
        except comments_store.StoreError:
            return None  # unknown thread, store unavailable: the app answers, in its own words
        finally:
            if db is not None:
                self.give_back(db)
        tag = etag(thread.id, thread.changes)
        if if_none_match and f'"{tag}"' in if_none_match:
            return "304 NOT MODIFIED", b"", tag
        body = self.cache.get(slug, thread.id, thread.changes)
        return None if body is None else ("200 OK", body, tag)
