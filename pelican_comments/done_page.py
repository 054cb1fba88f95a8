"""The page "Vous nous avez dit — nous l'avons fait", baked from the comment database like the comments are.

It lists the published problems and suggestions that the team marked done, the most recently closed first,
grouped by theme, each with the team's public answer and a link to the comment; it has its own Atom feed, and
an English twin. Every answered comment in a baked thread links to its entry (the templates read DONE_COMMENTS).
Settings: one dict, DONE_PAGE, merged with DEFAULTS. Like the rest of the plugin it never breaks the build: with
no usable database the page says that nothing is listed yet, and the problem is logged with the
"pelican_comments:" prefix.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel.dates import format_date
from feedgenerator import Atom1Feed
from pelican import signals
from pelican.generators import Generator

import comments_store
from comments_store.clock import parse_iso
from comments_store.db import has_table

from . import selective

from .plugin import note_written, settings_of

log = logging.getLogger(__name__)

DEFAULTS = {
    "fr": {"url": "nous-l-avons-fait/", "save_as": "nous-l-avons-fait/index.html",
           "feed": "feeds/nous-l-avons-fait.atom.xml"},
    "en": {"url": "en/we-did-it/", "save_as": "en/we-did-it/index.html", "feed": "feeds/en/we-did-it.atom.xml"},
}

TEXT = {
    "fr": {"title": "Vous nous avez dit — nous l'avons fait",
           "intro": "Les problèmes que vous nous avez signalés et les idées que vous nous avez données en commentaire, "
                    "une fois réglés ou réalisés : avec la réponse de l'équipe, les plus récents d'abord.",
           "empty": "Rien pour le moment : revenez bientôt.", "feed": "Flux Atom de cette page",
           "link": "Vous nous l'avez dit : nous l'avons fait", "answer": "La réponse de l'équipe",
           "done_on": "Fait le {date}", "other": "Autres retours", "read": "Voir le commentaire sous « {title} »",
           "problem": "Problème", "suggestion": "Suggestion", "count": "{n} retour(s)"},
    "en": {"title": "You told us — we did it",
           "intro": "The problems you reported and the ideas you gave us in comments, once fixed or built: with the "
                    "team's answer, the most recent first.",
           "empty": "Nothing yet: come back soon.", "feed": "Atom feed of this page",
           "link": "You told us: we did it", "answer": "The team's answer", "done_on": "Done on {date}",
           "other": "Other feedback", "read": "See the comment under “{title}”", "problem": "Problem",
           "suggestion": "Suggestion", "count": "{n} item(s)"},
}


@dataclass
class Group:
    """The done items of one theme (or of none), newest first."""

    name: str | None
    items: list = field(default_factory=list)


def pages_of(settings: dict) -> dict[str, dict[str, str]]:
    chosen = settings.get("DONE_PAGE") or {}
    return {lang: {**value, **(chosen.get(lang) or {})} for lang, value in DEFAULTS.items()}


def read_done(db_path: str) -> tuple[list, dict[int, tuple[int, str]]]:
    """The done items and their themes; nothing (and a log line) when the database cannot be read."""
    if not comments_store.postgres.is_url(db_path) and not os.path.exists(db_path):
        return [], {}
    try:
        db = comments_store.open_db(db_path)
    except (sqlite3.Error, OSError, comments_store.StoreError) as exc:
        log.warning("pelican_comments: cannot open %s for the done page (%s); it lists nothing", db_path, exc)
        return [], {}
    try:
        if not has_table(db, "feedback_status"):
            # Feedback never tagged nor reviewed: nothing is done. Without loading the feedback modules, whose
            # import (the tagger's cues) took a tenth of a second of every build.
            return [], {}
        from feedback import store as feedback_store

        feedback_store.prepare(db)
        done = feedback_store.done_items(db)
        return done, feedback_store.theme_names(db, [d.comment_id for d in done])
    except (sqlite3.Error, comments_store.StoreError) as exc:
        log.warning("pelican_comments: could not read the done items (%s); the page lists nothing", exc)
        return [], {}
    finally:
        db.close()


def group_by_theme(done: list, themes: dict[int, tuple[int, str]]) -> list[Group]:
    """Themes in the order of their latest closed item; the items in no theme come last."""
    groups: dict[int | None, Group] = {}
    for item in done:  # already newest first
        theme_id, name = themes.get(item.comment_id, (None, None))
        groups.setdefault(theme_id, Group(name)).items.append(item)
    unthemed = groups.pop(None, None)
    return list(groups.values()) + ([unthemed] if unthemed else [])


class DonePageGenerator(Generator):
    """Writes the page in each language and its feed, after the articles have read their comments."""

    def generate_context(self) -> None:
        self.pages = pages_of(self.settings)
        self.done, self.themes = read_done(settings_of(self.settings)["db"])
        self.context["DONE_PAGES"] = {lang: page["url"] for lang, page in self.pages.items()}
        self.context["DONE_TEXT"] = TEXT
        self.context["DONE_COMMENTS"] = {item.comment_id for item in self.done}

    def generate_output(self, writer) -> None:
        template = self.get_template("done")
        groups = group_by_theme(self.done, self.themes)
        zone = ZoneInfo(self.settings.get("TIMEZONE") or "UTC")
        for lang, page in self.pages.items():
            dates = {i.comment_id: format_date(parse_iso(i.done_at).astimezone(zone).date(), "long", locale=lang)
                     for i in self.done}
            writer.write_file(page["save_as"], template, self.context, relative_urls=self.settings["RELATIVE_URLS"],
                              url=page["url"], done_groups=groups, done_lang=lang, done=TEXT[lang], done_page=page,
                              done_dates=dates, page_name="done",
                              # base.html takes its language from `page`; the sitemap plugin reads its url
                              page=SimpleNamespace(lang=lang, url=page["url"]))
            try:
                self._write_feed(lang, page)
            except OSError as exc:
                log.warning("pelican_comments: could not write the done page's feed (%s)", exc)

    def _write_feed(self, lang: str, page: dict[str, str]) -> None:
        site = (self.settings.get("FEED_DOMAIN") or self.settings.get("SITEURL", "")).rstrip("/")
        text = TEXT[lang]
        feed = _DatedFeed(title=f"{self.settings['SITENAME']} — {text['title']}", link=f"{site}/{page['url']}",
                         description=text["intro"], feed_url=f"{site}/{page['feed']}", language=lang)
        # With nothing done yet, the feed is dated by the newest post rather than by the clock, so that two builds
        # of the same data (a full one and a selective one) write the same bytes.
        articles = self.context.get("articles") or []
        feed.fallback_date = max((a.date for a in articles), default=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
        for item in self.done:
            labels = ", ".join(text[label] for label in item.labels)
            answer = f"<h3>{text['answer']}</h3>{item.answer_html}" if item.answer_html else ""
            feed.add_item(
                title=f"{labels} — {item.thread_title}",
                link=f"{site}/{page['url']}#done-{item.comment_id}",
                unique_id=f"{site}{item.thread_url}#comment-{item.comment_id}",
                description=f"{item.html}{answer}",
                pubdate=parse_iso(item.done_at),
                updateddate=parse_iso(item.done_at).astimezone(dt.timezone.utc),
            )
        path = os.path.join(self.output_path, page["feed"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            feed.write(f, "utf-8")
        note_written(self.output_path, [path])


class _DatedFeed(Atom1Feed):
    fallback_date: dt.datetime

    def latest_post_date(self):
        return super().latest_post_date() if self.items else self.fallback_date


def get_generators(_pelican):
    return DonePageGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    # Closing an item moves no thread counter: a selective bake must know the page (and the links to it) changed.
    selective.depends_on(public_state)


def public_state(db) -> tuple:
    """feedback.store's fingerprint of the page, that module loaded only when a selective bake asks for it."""
    from feedback import store as feedback_store

    return feedback_store.public_state(db)
