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

from . import feeds, selective
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
    "only_changed": False,  # write only the pages whose comments changed since the last bake (also the
    # top-level setting COMMENTS_ONLY_CHANGED, which the rebuilder passes on Pelican's command line)
    "always_write": [],  # output paths that show other data of the database: rendered in every bake
}


def settings_of(pelican_settings: dict) -> dict:
    merged = {**DEFAULTS, **(pelican_settings.get("COMMENTS") or {})}
    if pelican_settings.get("COMMENTS_ONLY_CHANGED"):
        merged["only_changed"] = True
    return merged


def thread_rows(articles) -> list[dict]:
    return [{"slug": a.slug, "title": a.title, "url": "/" + a.url, "lang": a.lang, "category": str(a.category)}
            for a in articles]


def _attach(article, comments: list) -> None:
    article.comments_flat = comments
    article.comments = build_tree(comments)
    article.comment_count = count_visible(comments)


# The plan of the build under way, by output folder: the writer and the last receivers need it (Pelican gives
# them the Pelican object, not the generators' context).
_plans: dict[str, selective.Plan] = {}


def _every_article(generator) -> list:
    return [*generator.articles, *generator.translations, *getattr(generator, "drafts", []),
            *getattr(generator, "drafts_translations", []), *getattr(generator, "hidden_articles", []),
            *getattr(generator, "hidden_translations", [])]


def bake_comments(generator) -> None:
    """Receiver of article_generator_finalized: register threads, then attach approved comments.

    With COMMENTS_ONLY_CHANGED, only the threads that changed since the last bake get their comments (the others
    only their count) and only the pages showing them are written; anything that makes that unsafe bakes all.
    """
    settings = settings_of(generator.settings)
    generator.context["COMMENTS_SETTINGS"] = settings  # for the templates
    output = os.path.abspath(generator.output_path)
    plan = _plans[output] = selective.Plan(False, always=set(settings["always_write"]), generator=generator)
    every = list(generator.articles) + list(generator.translations)
    for article in every:
        _attach(article, [])
        # Pelican computes an article's URL from its settings at every use (the cards, the feeds, the sitemap:
        # tens of thousands of times on a large blog); its override_url, made for this, keeps the same value.
        if not hasattr(article, "override_url"):
            article.override_url = article.url
    path = settings["db"]
    record_at = selective.record_path(generator.settings)
    keep_record = settings["bake"] and bool(settings["only_changed"] or generator.settings.get("CACHE_CONTENT"))
    previous = None
    if settings["only_changed"]:
        try:
            previous = selective.read_record(record_at)
        except selective.NotSelective as exc:
            log.warning("pelican_comments: %s; baking every page of %s", exc, output)
    if keep_record:
        selective.forget_record(record_at)  # until this build has finished, the output matches no record
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
        if previous is not None:
            # Counters first: a change landing while we read is baked now or, at worst, again next time.
            changes = comments_store.thread_changes(db)
            try:
                chosen = plan_changes(generator, db, previous, changes)
            except selective.NotSelective as exc:
                log.warning("pelican_comments: %s; baking every page of %s", exc, output)
            except (sqlite3.Error, comments_store.StoreError) as exc:
                log.warning("pelican_comments: the selective bake could not read %s (%s); baking every page of %s",
                            path, exc, output)
            else:
                plan = _plans[output] = chosen
                return
        if settings["register_threads"]:
            count = comments_store.register_threads(db, thread_rows(generator.articles))
            log.info("pelican_comments: %d articles open for comments", count)
        if settings["bake"]:
            changes = comments_store.thread_changes(db)  # after registering: new articles are threads now
            by_thread = comments_store.approved_by_thread(db)
            for article in every:  # a translation shows the thread of its original (same slug)
                _attach(article, by_thread.get(article.slug, []))
            if keep_record:
                counts = {slug: count_visible(comments) for slug, comments in by_thread.items()}
                plan.record = selective.new_record(output, path, selective.sources_fingerprint(
                    generator.settings, _every_article(generator)), changes, counts, selective.extra_state(db))
    except (sqlite3.Error, comments_store.StoreError) as exc:
        log.warning("pelican_comments: could not read %s (%s); building without comments", path, exc)
        plan.record = {}
    finally:
        db.close()


def plan_changes(generator, db, previous: dict, changes: dict[str, int]) -> selective.Plan:
    """The selective plan against the record `previous`, with the changed threads' comments attached.

    Raises NotSelective when the output may not match that record.
    """
    settings = settings_of(generator.settings)
    output = os.path.abspath(generator.output_path)
    counts = comments_store.visible_counts(db)
    current = selective.new_record(output, settings["db"], selective.sources_fingerprint(
        generator.settings, _every_article(generator)), changes, counts, selective.extra_state(db))
    chosen = selective.plan_selective(previous, current, output, set(settings["always_write"]))
    chosen.latest = _latest(db, generator.articles, settings["site_feed_size"])
    by_thread = comments_store.approved_of(db, chosen.changed)
    for article in [*generator.articles, *generator.translations]:
        if article.slug in chosen.changed:
            _attach(article, by_thread.get(article.slug, []))
        else:
            article.comment_count = counts.get(article.slug, 0)
    # (The output folder in the message: Pelican's loggers drop a message already logged once.)
    log.info("pelican_comments: %d thread(s) changed since the last bake of %s; writing only their pages",
             len(chosen.changed), output)
    chosen.generator = generator
    return chosen


def _latest(db, articles, size: int) -> list:
    """The newest visible comments of this build's articles, for the site-wide feed."""
    shown = {a.slug for a in articles}
    latest = []
    for comment in comments_store.latest_approved(db):
        if comment.thread_slug in shown:
            latest.append(comment)
            if len(latest) >= size:
                break
    return latest


def choose_writer(pelican):
    """Receiver of get_writer: Pelican's writer, told which pages to write and noting the files it wrote."""
    plan = _plans.get(os.path.abspath(pelican.output_path))
    return selective.writer_for(plan) if plan is not None else None


def write_feeds(generator, writer) -> None:
    """Receiver of article_writer_finalized: Atom feeds of comments."""
    settings = settings_of(generator.settings)
    if not settings["feeds"]:
        return
    plan = _plans.get(os.path.abspath(generator.output_path))
    site_url = generator.settings.get("FEED_DOMAIN") or generator.settings.get("SITEURL", "")
    try:
        written = feeds.write_all(
            generator.output_path, site_url, generator.settings["SITENAME"], generator.settings["DEFAULT_LANG"],
            generator.articles, settings,
            only=plan.changed if plan is not None and plan.selective else None,
            latest=plan.latest if plan is not None and plan.selective else None)
    except OSError as exc:
        log.warning("pelican_comments: could not write comment feeds (%s)", exc)
        if plan is not None:
            plan.record = {}
        return
    if plan is not None:
        plan.extra_files.extend(written)


def note_written(output_path: str, paths: list[str]) -> None:
    """Files another generator wrote outside Pelican's writer (the done page's feeds): the record lists them too."""
    plan = _plans.get(os.path.abspath(output_path))
    if plan is not None:
        plan.extra_files.extend(paths)


def record_bake(pelican) -> None:
    """Receiver of finalized: note what the output now shows, for the next selective bake."""
    output = os.path.abspath(pelican.output_path)
    plan = _plans.pop(output, None)
    if plan is not None and plan.record:
        try:
            plan.record = selective.write_record(plan, selective.record_path(pelican.settings), pelican.output_path)
        except OSError as exc:
            log.warning("pelican_comments: could not record this bake (%s); the next one writes every page", exc)
            return
        if output in finished:  # a warm baker (rebuild.WarmBaker) keeps this build to bake the next changes
            finished[output] = plan


# Builds kept in memory after they finish, by output folder: only for the folders a warm baker asked for.
finished: dict[str, selective.Plan | None] = {}


def register() -> None:
    signals.article_generator_finalized.connect(bake_comments)
    signals.get_writer.connect(choose_writer)
    signals.article_writer_finalized.connect(write_feeds)
    signals.finalized.connect(record_bake)
