"""Atom feeds of approved comments: one per article and one for the whole site."""
from __future__ import annotations

import os
from collections.abc import Iterable

from feedgenerator import Atom1Feed
from markupsafe import Markup

from comments_store import Comment
from comments_store.clock import parse_iso


def _absolute(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}/{path.lstrip('/')}"


def write_feed(path: str, title: str, link: str, feed_url: str, entries: Iterable[tuple[Comment, str, str]],
               lang: str) -> None:
    """Write an Atom feed; `entries` are (comment, article title, article URL), newest first."""
    feed = Atom1Feed(title=title, link=link, description="", feed_url=feed_url, language=lang)
    for comment, article_title, article_url in entries:
        feed.add_item(
            title=f"{comment.author} — {article_title}",
            link=f"{article_url}#comment-{comment.id}",
            unique_id=f"{article_url}#comment-{comment.id}",
            description=str(Markup(comment.html)),
            author_name=comment.author,
            pubdate=parse_iso(comment.created_at),
            updateddate=parse_iso(comment.edited_at) if comment.edited_at else None,
        )
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        feed.write(f, "utf-8")


def write_all(output_path: str, site_url: str, site_name: str, lang: str, articles, settings: dict) -> list[str]:
    """Write the site-wide feed and one per commented article; return the paths written."""
    written = []
    everything = []
    for article in articles:
        comments = [c for c in getattr(article, "comments_flat", []) if not c.deleted]
        url = _absolute(site_url, article.url)
        entries = [(c, article.title, url) for c in reversed(comments)]
        everything.extend(entries)
        rel = settings["article_feed"].format(slug=article.slug)
        path = os.path.join(output_path, rel)
        write_feed(path, f"{settings['feed_title']} — {article.title}", url, _absolute(site_url, rel), entries, lang)
        written.append(path)
    everything.sort(key=lambda e: (e[0].created_at, e[0].id), reverse=True)
    rel = settings["site_feed"]
    path = os.path.join(output_path, rel)
    write_feed(path, f"{settings['feed_title']} — {site_name}", _absolute(site_url, ""), _absolute(site_url, rel),
               everything[: settings["site_feed_size"]], lang)
    written.append(path)
    return written
