"""Threads are the site's articles, registered by the build; comments attach only to them."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlite_utils import Database

from .clock import now_iso
from .db import write
from .errors import InvalidComment, ThreadNotFound
from .records import Thread
from .rules import storable


class ArticleUrlInvalid(InvalidComment):
    """An article's address is not a path of this site: one '/' first, no scheme, host, backslash or control."""

    code = "invalid_text"


def site_path_problem(url: object) -> str | None:
    """Why `url` is not a path of this site (None when it is, or when it is empty: no link at all).

    Digests and e-mails put the site's address before it: "@evil.example/x" or "//evil.example/x" after
    "https://blog.example" would name another host, and a backslash or a control character is read as one
    by some browsers and mail readers.
    """
    if not url:
        return None
    if not isinstance(url, str):
        return "n'est pas un texte"
    if not url.startswith("/"):
        return "ne commence pas par « / »"
    if url.startswith("//"):
        return "commence par « // » (un autre hôte)"
    if "\\" in url:
        return "contient une barre oblique inverse"
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url):
        return "contient un espace ou un caractère de contrôle"
    return None


def register_threads(db: Database, articles: Iterable[dict]) -> int:
    """Insert or update threads from `articles` (dicts with slug, title, url, lang); return how many.

    Raises ArticleUrlInvalid (nothing written) if an article's url is not a path of this site.
    """
    stamp = now_iso()
    articles = list(articles)
    for a in articles:
        if not all(storable(a.get(key) or "") for key in ("slug", "title", "url", "lang", "category")):
            raise InvalidComment(code="invalid_text", field="slug", slug=repr(a.get("slug")))
        problem = site_path_problem(a.get("url") or "")
        if problem:
            raise ArticleUrlInvalid(f"article {a['slug']!r} : adresse {a['url']!r} refusée ({problem})", field="url",
                                    slug=a["slug"])
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


def thread_changes(db: Database) -> dict[str, int]:
    """Every thread's change counter by slug: it moves whenever what the public sees of its comments changes."""
    return dict(db.execute("SELECT slug, changes FROM threads").fetchall())
