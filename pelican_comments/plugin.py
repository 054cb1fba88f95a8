"""Register every published article as a comment thread when the site is built.

Settings: one dict, COMMENTS, merged with DEFAULTS. The build never fails
because of comments: problems are logged with the "pelican_comments:" prefix.
"""
from __future__ import annotations

import logging
import sqlite3

from pelican import signals

import comments_store

log = logging.getLogger(__name__)

DEFAULTS = {
    "db": "instance/boucle.db",  # path of the comment database
    "register_threads": True,  # record each article as a thread the API accepts comments for
}


def settings_of(pelican_settings: dict) -> dict:
    return {**DEFAULTS, **(pelican_settings.get("COMMENTS") or {})}


def thread_rows(articles) -> list[dict]:
    return [{"slug": a.slug, "title": a.title, "url": "/" + a.url, "lang": a.lang} for a in articles]


def register_threads(generator) -> None:
    """Receiver of article_generator_finalized: store slug, title, URL and language of each article."""
    settings = settings_of(generator.settings)
    if not settings["register_threads"]:
        return
    try:
        db = comments_store.open_db(settings["db"])
    except (sqlite3.Error, OSError) as exc:
        log.warning("pelican_comments: cannot open the comment database %s (%s); threads not registered",
                    settings["db"], exc)
        return
    try:
        count = comments_store.register_threads(db, thread_rows(generator.articles))
        log.info("pelican_comments: %d articles open for comments", count)
    except sqlite3.Error as exc:
        log.warning("pelican_comments: could not register threads in %s (%s)", settings["db"], exc)
    finally:
        db.close()


def register() -> None:
    signals.article_generator_finalized.connect(register_threads)
