"""Atom feeds of approved comments: one per article and one for the whole site."""
from __future__ import annotations

import os
from collections.abc import Iterable

from feedgenerator import Atom1Feed
from markupsafe import Markup

from comments_store import Comment
from comments_store.clock import parse_iso


class _Feed(Atom1Feed):
    """An Atom feed whose <updated> is a date of the site even when it is empty (feedgenerator would write the
    time of the build): two builds of the same comments are the same files, file for file."""

    def __init__(self, *args, updated_if_empty=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.updated_if_empty = updated_if_empty

    def latest_post_date(self):
        if not self.items and self.updated_if_empty is not None:
            return self.updated_if_empty
        return super().latest_post_date()


def _absolute(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}/{path.lstrip('/')}"


def write_feed(path: str, title: str, link: str, feed_url: str, entries: Iterable[tuple[Comment, str, str]],
               lang: str, updated_if_empty=None) -> None:
    """Write an Atom feed; `entries` are (comment, article title, article URL), newest first."""
    feed = _Feed(title=title, link=link, description="", feed_url=feed_url, language=lang,
                 updated_if_empty=updated_if_empty)
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


def write_all(output_path: str, site_url: str, site_name: str, lang: str, articles, settings: dict,
              only: set[str] | None = None, latest: list[Comment] | None = None) -> list[str]:
    """Write the site-wide feed and one per article; return the paths written.

    A selective bake passes `only` (the slugs whose feeds to write again) and `latest` (the site feed's
    comments, newest first, read from the store): the other articles' comments are not loaded then.
    """
    written = []
    everything = []
    by_slug = {}
    newest_article = max((a.date for a in articles if getattr(a, "date", None)), default=None)
    wanted = None if latest is None else {c.thread_slug for c in latest}
    for article in articles:
        if only is not None and article.slug not in only:
            if wanted and article.slug in wanted:  # (an article's URL takes Pelican a while: only those the feed names)
                by_slug[article.slug] = (article.title, _absolute(site_url, article.url))
            continue
        url = _absolute(site_url, article.url)
        by_slug[article.slug] = (article.title, url)
        comments = [c for c in getattr(article, "comments_flat", []) if not c.deleted]
        entries = [(c, article.title, url) for c in reversed(comments)]
        everything.extend(entries)
        rel = settings["article_feed"].format(slug=article.slug)
        path = os.path.join(output_path, rel)
        write_feed(path, f"{settings['feed_title']} — {article.title}", url, _absolute(site_url, rel), entries, lang,
                   updated_if_empty=getattr(article, "date", None))
        written.append(path)
    if latest is not None:
        everything = [(c, *by_slug[c.thread_slug]) for c in latest if c.thread_slug in by_slug]
    everything.sort(key=lambda e: (e[0].created_at, e[0].id), reverse=True)
    rel = settings["site_feed"]
    path = os.path.join(output_path, rel)
    write_feed(path, f"{settings['feed_title']} — {site_name}", _absolute(site_url, ""), _absolute(site_url, rel),
               everything[: settings["site_feed_size"]], lang, updated_if_empty=newest_article)
    written.append(path)
    return written
