"""Old page addresses to our articles: by URL path first, then by the page's own name."""
from __future__ import annotations

import posixpath
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from ..records import Thread

_INDEX_FILES = ("index.html", "index.htm", "index.php")
_PAGE_EXTENSIONS = (".html", ".htm", ".php")


def path_key(uri: str, prefix: str = "") -> str:
    """'https://blog.example.ma/blog/mon-article/index.html?x#c' with prefix '/blog' -> 'mon-article'."""
    parts = urlsplit(uri.strip())
    path = unquote(parts.path or "")
    path = posixpath.normpath("/" + path.lstrip("/")) if path else "/"
    prefix = "/" + unquote(prefix).strip("/")
    if prefix != "/" and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix):] or "/"
    if posixpath.basename(path) in _INDEX_FILES:
        path = posixpath.dirname(path)
    return path.strip("/")


def _last_name(key: str) -> str:
    name = key.rsplit("/", 1)[-1]
    for ext in _PAGE_EXTENSIONS:
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


class ThreadMatcher:
    """Finds the article an old address belongs to, and says how it was found."""

    def __init__(self, threads: Iterable[Thread], prefix: str = "", overrides: dict[str, str] | None = None):
        self.prefix = prefix
        self.threads = list(threads)
        self.by_slug = {t.slug: t for t in self.threads}
        self.by_path = {path_key(t.url): t for t in self.threads if t.url}
        self.overrides = {path_key(old, prefix): slug for old, slug in (overrides or {}).items()}

    def match(self, uri: str, slug_hint: str | None = None, *,
              slug_first: bool = False) -> tuple[Thread | None, str]:
        """The article and the rule that found it ('map', 'path', 'name', 'slug'), or (None, '')."""
        if slug_first and slug_hint in self.by_slug:
            return self.by_slug[slug_hint], "slug"
        key = path_key(uri, self.prefix)
        if key in self.overrides:
            return self.by_slug.get(self.overrides[key]), "map"
        if key in self.by_path:
            return self.by_path[key], "path"
        name = _last_name(key)
        if name in self.by_slug:
            return self.by_slug[name], "name"
        if slug_hint and slug_hint in self.by_slug:
            return self.by_slug[slug_hint], "slug"
        return None, ""
