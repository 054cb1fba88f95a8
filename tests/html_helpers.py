"""Small HTML readers for assertions on built pages."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class Page(HTMLParser):
    """Collects what the tests look at: lang, title, links, assets, elements by id."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.title = ""
        self.links: list[str] = []
        self.assets: list[str] = []
        self.ids: dict[str, dict] = {}
        self.tags: list[tuple[str, dict]] = []
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "title":
            self._in_title = True
        if a.get("id"):
            self.ids[a["id"]] = {"tag": tag, **a}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("img", "script", "source", "iframe", "video", "audio") and a.get("src"):
            self.assets.append(a["src"])
        if tag == "link" and a.get("href"):
            self.assets.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def find_all(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def read_page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))
