"""Threads are the site's articles, registered by the build; comments attach only to them."""
from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

from .clock import now_iso
from .db import write
from .errors import InvalidComment, ThreadNotFound
from .records import Thread
from .rules import storable


def register_threads(db: Database, articles: Iterable[dict]) -> int:
    """Insert or update threads from `articles` (dicts with slug, title, url, lang); return how many."""
    stamp = now_iso()
    articles = list(articles)
    for a in articles:
        if not all(storable(a.get(key) or "") for key in ("slug", "title", "url", "lang", "category")):
            raise InvalidComment(code="invalid_text", field="slug", slug=repr(a.get("slug")))
    rows = [
        {"slug": a["slug"], "title": a.get("title", ""), "url": a.get("url", ""), "lang": a.get("lang") or "fr",
         "category": a.get("category") or "", "created_at": stamp, "updated_at": stamp}
        for a in articles
    ]
    with write(db):
        for row in rows:
            db.execute(
                """
                INSERT INTO threads (slug, title, url, lang, category, created_at, updated_at)
                VALUES (:slug, :title, :url, :lang, :category, :created_at, :updated_at)
                ON CONFLICT(slug) DO UPDATE SET
                    title = excluded.title, url = excluded.url, lang = excluded.lang, category = excluded.category,
                    updated_at = excluded.updated_at
                WHERE threads.title != excluded.title OR threads.url != excluded.url
                    OR threads.lang != excluded.lang OR threads.category != excluded.category
                """,
                row,
            )
    return len(rows)


def get_thread(db: Database, slug: str) -> Thread:
    if not storable(slug):
        raise ThreadNotFound(slug=repr(slug))
    row = db.execute("SELECT id, slug, title, url, lang, category, changes FROM threads WHERE slug = ?",
                     [slug]).fetchone()
    if row is None:
        raise ThreadNotFound(slug=slug)
    return Thread(*row)


def list_threads(db: Database) -> list[Thread]:
    return [Thread(*row) for row in db.execute("SELECT id, slug, title, url, lang, category FROM threads ORDER BY slug")]
