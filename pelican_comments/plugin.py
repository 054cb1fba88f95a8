"""Pelican plugin: connects the blog's articles to the comment store at build time.

It registers every published article as a thread, bakes its approved comments
into the page (`article.comments`, `article.comment_count`) and writes Atom
feeds of comments. Settings: one dict, COMMENTS, merged with DEFAULTS. The
build never fails because of comments: problems are logged with the
"pelican_comments:" prefix and the site is built without them.
"""
from __future__ import annotations

import logging
import os
import sqlite3

from pelican import signals

import comments_store

from . import feeds
from .tree import build_tree, count_visible

log = logging.getLogger(__name__)

DEFAULTS = {
    "db": "instance/boucle.db",  # path of the comment database
    "register_threads": True,  # record each article as a thread the API accepts comments for
    "bake": True,  # put approved comments into the static pages
    "feeds": True,
    "article_feed": "feeds/commentaires/{slug}.atom.xml",
    "site_feed": "feeds/commentaires.atom.xml",
    "site_feed_size": 50,
    "feed_title": "Commentaires",
    "max_depth": 3,  # no reply link below this depth (the API's BOUCLE_MAX_DEPTH)
}


def settings_of(pelican_settings: dict) -> dict:
    return {**DEFAULTS, **(pelican_settings.get("COMMENTS") or {})}


def thread_rows(articles) -> list[dict]:
    return [{"slug": a.slug, "title": a.title, "url": "/" + a.url, "lang": a.lang, "category": str(a.category)}
            for a in articles]


def _attach(article, comments: list) -> None:
    article.comments_flat = comments
    article.comments = build_tree(comments)
    article.comment_count = count_visible(comments)


def bake_comments(generator) -> None:
    """Receiver of article_generator_finalized: register threads, then attach approved comments."""
    settings = settings_of(generator.settings)
    generator.context["COMMENTS_SETTINGS"] = settings  # for the templates
    every = list(generator.articles) + list(generator.translations)
    for article in every:
        _attach(article, [])
    path = settings["db"]
    if not comments_store.postgres.is_url(path) and not os.path.exists(path) and not settings["register_threads"]:
        # Registering threads creates the database, so only a build that may not create it has nothing to read.
        log.warning("pelican_comments: no comment database at %s yet; building without comments", path)
        return
    try:
        db = comments_store.open_db(path)
    except (sqlite3.Error, OSError, comments_store.StoreError) as exc:
        log.warning("pelican_comments: cannot open the comment database %s (%s); building without comments",
                    path, exc)
        return
    try:
        if settings["register_threads"]:
            count = comments_store.register_threads(db, thread_rows(generator.articles))
            log.info("pelican_comments: %d articles open for comments", count)
        if settings["bake"]:
            by_thread = comments_store.approved_by_thread(db)
            for article in every:  # a translation shows the thread of its original (same slug)
                _attach(article, by_thread.get(article.slug, []))
    except (sqlite3.Error, comments_store.StoreError) as exc:
        log.warning("pelican_comments: could not read %s (%s); building without comments", path, exc)
    finally:
        db.close()


def write_feeds(generator, writer) -> None:
    """Receiver of article_writer_finalized: Atom feeds of comments."""
    settings = settings_of(generator.settings)
    if not settings["feeds"]:
        return
    site_url = generator.settings.get("FEED_DOMAIN") or generator.settings.get("SITEURL", "")
    try:
        feeds.write_all(generator.output_path, site_url, generator.settings["SITENAME"],
                        generator.settings["DEFAULT_LANG"], generator.articles, settings)
    except OSError as exc:
        log.warning("pelican_comments: could not write comment feeds (%s)", exc)


def register() -> None:
    signals.article_generator_finalized.connect(bake_comments)
    signals.article_writer_finalized.connect(write_feeds)
