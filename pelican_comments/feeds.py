"""Atom feeds of approved comments: one per article and one for the whole site."""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from feedgenerator.django.utils.feedgenerator import rfc3339_date
from markupsafe import Markup

from comments_store import Comment
from comments_store.clock import parse_iso


def _absolute(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}/{path.lstrip('/')}"


def _element(name: str, text: str) -> str:
    return f"<{name}>{escape(text)}</{name}>"


def _link(href: str, rel: str) -> str:
    return f"<link href={quoteattr(href)} rel={quoteattr(rel)}/>"


def write_feed(path: str, title: str, link: str, feed_url: str, entries: Iterable[tuple[Comment, str, str]],
               lang: str, updated_if_empty: dt.datetime | None = None) -> None:
    """Write an Atom feed; `entries` are (comment, article title, article URL), newest first.

    The XML is what feedgenerator's Atom1Feed writes (same elements, order and escaping), put together directly:
    a large blog has thousands of these feeds, and the SAX writer behind feedgenerator took a tenth of the whole
    build. An empty feed is dated `updated_if_empty` (feedgenerator writes the time of the build), so that two
    builds of the same comments give the same files.
    """
    items = []
    latest = None
    titles: dict[str, str] = {}  # each article's title escaped once, not once per comment
    for comment, article_title, article_url in entries:
        published = parse_iso(comment.created_at)
        updated = parse_iso(comment.edited_at) if comment.edited_at else published
        latest = updated if latest is None or updated > latest else latest
        permalink = f"{article_url}#comment-{comment.id}"
        escaped_title = titles.get(article_title)
        if escaped_title is None:
            escaped_title = titles[article_title] = escape(article_title)
        author = escape(comment.author)
        # (Escaping is character by character, so the pieces are escaped apart; RFC 3339 dates hold nothing to
        # escape.)
        published_text = rfc3339_date(published)
        items.append("".join((
            "<entry><title>", author, " — ", escaped_title, "</title><link href=", quoteattr(permalink),
            ' rel="alternate"/><published>', published_text, "</published><updated>",
            published_text if updated is published else rfc3339_date(updated), "</updated><author><name>", author,
            "</name></author><id>", escape(permalink), '</id><summary type="html">', escape(str(Markup(comment.html))),
            "</summary></entry>",
        )))
    if latest is None:
        latest = updated_if_empty or dt.datetime.now(tz=dt.timezone.utc)
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xml:lang={quoteattr(lang)} '
            f'xmlns="http://www.w3.org/2005/Atom">{_element("title", title)}{_link(link, "alternate")}'
            f'{_link(feed_url, "self")}{_element("id", link)}{_element("updated", rfc3339_date(latest))}')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(head + "".join(items) + "</feed>")


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
