"""Keep the static site in step with published comments while `make run` is running.

A background thread watches a fingerprint of the published comments and
bakes the pages that show them again (Pelican with its cache, in a child
process, writing only what changed): at once after a quiet spell, else once
changes have settled, and never more than `max_delay` seconds after the first. In production the same job is a timer
or a hook running `invoke rebuild`.
"""
from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import comments_store
from comments_store import site_state
from feedback import store as feedback_store

log = logging.getLogger(__name__)


def pelican_build(root: Path, settings_file: str = "pelicanconf.py", only_changed: bool = True,
                  extra: Sequence[str] = ()) -> Callable[[], bool]:
    """A build function: Pelican with its content cache, in a child process so a crash stays contained.

    With `only_changed` it writes only the pages whose comments changed since the last bake (the plugin decides,
    and bakes every page when it cannot trust its record); if that build fails, a full one follows at once.
    """

    def run(selective: bool) -> subprocess.CompletedProcess:
        # A selective bake writes into the last output: it must not be emptied first (publishconf.py empties it).
        keep = ["COMMENTS_ONLY_CHANGED=true", "DELETE_OUTPUT_DIRECTORY=false"] if selective else []
        return subprocess.run(
            [sys.executable, "-m", "pelican", "-q", "-s", settings_file, "-e", "CACHE_CONTENT=true",
             "LOAD_CONTENT_CACHE=true", *extra, *keep],
            cwd=root, capture_output=True, text=True, timeout=600,
        )

    def build() -> bool:
        started = time.monotonic()
        result = run(only_changed)
        if result.returncode != 0 and only_changed:
            log.error("pelican_comments: the selective bake failed; baking every page:\n%s", result.stderr[-2000:])
            result = run(False)
        elif only_changed and "baking every page" in result.stdout + result.stderr \
                and _empties_output(root, settings_file):
            # It built every page without emptying the output first: once more as the settings want it, so the
            # pages of removed posts go too.
            result = run(False)
        if result.returncode != 0:
            log.error("pelican_comments: rebuild failed:\n%s", result.stderr[-2000:])
            return False
        print(f"  Site reconstruit avec les derniers commentaires ({time.monotonic() - started:.1f} s)", flush=True)
        return True

    return build


def _empties_output(root: Path, settings_file: str) -> bool:
    from pelican.settings import read_settings

    return bool(read_settings(str(Path(root) / settings_file)).get("DELETE_OUTPUT_DIRECTORY"))


class WarmBaker:
    """A build function that keeps the last build in memory and then writes only what the comments changed.

    The first call builds every page in this process (Pelican with its content cache) and keeps Pelican's
    articles, templates and the plugin's record; each later call reads what changed in the store and renders
    those pages again with the same objects, in a fraction of a second even on a large blog. When the record
    cannot be trusted (content, theme or settings changed, an output file is missing) it builds every page
    again; when the selective step fails, it says so and builds every page in a child process.
    """

    def __init__(self, root: Path, settings_file: str = "pelicanconf.py", overrides: dict | None = None):
        self.root, self.settings_file = Path(root), settings_file
        self.overrides = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, **(overrides or {})}
        self.plan = None
        self.full_builds = self.selective_bakes = 0

    def __call__(self) -> bool:
        started = time.monotonic()
        try:
            if not self._bake_changes():
                self._build_everything()
        except Exception as exc:  # noqa: BLE001  (any failure of the step: the site must still be built)
            log.error("pelican_comments: the selective bake failed (%s: %s); baking every page",
                      type(exc).__name__, exc)
            self.plan = None
            return pelican_build(self.root, self.settings_file, only_changed=False,
                                 extra=[f"{k}={json.dumps(v)}" for k, v in self.overrides.items()])()
        print(f"  Site reconstruit avec les derniers commentaires ({time.monotonic() - started:.2f} s)", flush=True)
        return True

    def _build_everything(self) -> None:
        from pelican import Pelican
        from pelican.settings import read_settings

        from . import plugin

        settings = read_settings(str(self.root / self.settings_file), override=dict(self.overrides))
        output = os.path.abspath(settings["OUTPUT_PATH"])
        plugin.finished[output] = None  # keep this build once it has finished
        self.plan = None
        Pelican(settings).run()
        self.plan = plugin.finished.get(output)
        self.full_builds += 1

    def _bake_changes(self) -> bool:
        """Write the pages whose comments changed; False when every page must be built instead."""
        from . import plugin, selective

        if self.plan is None or self.plan.generator is None or not self.plan.record:
            return False
        gen = self.plan.generator
        output = os.path.abspath(gen.output_path)
        db = comments_store.open_db(plugin.settings_of(gen.settings)["db"])
        try:
            changes = comments_store.thread_changes(db)
            try:
                plan = plugin.plan_changes(gen, db, self.plan.record, changes)
            except selective.NotSelective as exc:
                log.warning("pelican_comments: %s; baking every page of %s", exc, output)
                return False
        finally:
            db.close()
        from pelican import signals

        writer = selective.writer_for(plan)(gen.output_path, settings=gen.settings)
        write = functools.partial(writer.write_file, relative_urls=gen.settings["RELATIVE_URLS"])
        # Outside a Pelican run nobody collects "page written" (the sitemap plugin would keep them for the next
        # full build, which then lists pages twice); the sitemap itself does not change with comments.
        with signals.content_written.muted():
            for article in itertools.chain(gen.translations, gen.articles):
                if article.slug in plan.changed:  # the same call as Pelican's ArticlesGenerator.generate_articles
                    write(article.save_as, gen.get_template(article.template), gen.context, article=article,
                          category=getattr(article, "category", None),
                          override_output=hasattr(article, "override_save_as"), url=article.url, blog=True)
            if plan.recounted:  # listing pages: the writer renders only those showing a recounted article
                gen.generate_direct_templates(write)
                _write_listings(gen, write, plan.recounted)
        plugin._plans[output] = plan
        try:
            plugin.write_feeds(gen, writer)
        finally:
            plugin._plans.pop(output, None)
        plan.record = selective.write_record(plan, selective.record_path(gen.settings), gen.output_path)
        self.plan = plan
        self.selective_bakes += 1
        return True


def _write_listings(gen, write, recounted: set[str]) -> None:
    """The tag and category pages of the recounted articles, with the calls of Pelican's generate_tags and
    generate_categories (which compare every tag's articles with every article: seconds on a large blog)."""
    for kind, listing in (("tag", gen.tags.items()), ("category", gen.categories)):
        template = gen.get_template(kind)
        for group, articles in listing:
            if not any(a.slug in recounted for a in articles):
                continue
            members = set(map(id, articles))
            write(group.save_as, template, gen.context, **{kind: group}, url=group.url, articles=articles,
                  dates=[a for a in gen.dates if id(a) in members], template_name=kind, blog=True,
                  page_name=group.page_name, all_articles=gen.articles)


def recording(build: Callable[[], bool], state: Callable[[], tuple | None], record_path: str | Path):
    """`build`, noting afterwards the published state it was built from (comments_store.site_state)."""

    def run() -> bool:
        read_at, current = time.time(), state()
        ok = build()
        if ok and current is not None:
            site_state.record(record_path, current, read_at)
        return ok

    return run


def refresh(build: Callable[[], bool], state: Callable[[], tuple | None], record_path: str | Path,
            index: str | Path) -> bool | None:
    """Build once if published comments changed since the last recorded build (or the site is missing).

    Returns None when nothing was due, else whether the build succeeded.
    """
    current = state()
    if current is not None and Path(index).exists() and site_state.shows(record_path, current):
        return None
    return recording(build, state, record_path)()


def store_state(db_path: str) -> Callable[[], tuple | None]:
    def state() -> tuple | None:
        try:
            db = comments_store.open_db(db_path, migrate=False)
            try:
                # The done page shows feedback items: closing one is due a rebuild like a published comment.
                return comments_store.published_state(db) + feedback_store.public_state(db)
            finally:
                db.close()
        except (sqlite3.Error, comments_store.StoreError):
            return None  # a missing table or a busy file: look again at the next tick

    return state


class SiteRebuilder:
    """Rebuilds when `state()` changes; `rebuild_now()` for callers that must wait for one.

    A change after a quiet spell is built at once (a selective bake takes well under a second); changes that
    follow a build closely are gathered: built once they settle (`quiet` seconds without a change), and never
    more than `max_delay` seconds after the first.
    """

    def __init__(self, state: Callable[[], object], build: Callable[[], bool], *, poll: float = 0.2,
                 quiet: float = 1.0, max_delay: float = 20.0):
        self.state, self.build = state, build
        self.poll, self.quiet, self.max_delay = poll, quiet, max_delay
        self._cond = threading.Condition()
        self._requested = self._built = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="site-rebuilder", daemon=True)
        self.builds = 0

    def start(self) -> SiteRebuilder:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def rebuild_now(self, timeout: float = 30.0) -> bool:
        """Ask for a build and wait until one that started after this call has finished."""
        with self._cond:
            self._requested += 1
            wanted = self._requested
            return self._cond.wait_for(lambda: self._built >= wanted, timeout=timeout)

    def _run(self) -> None:
        last = self.state()
        first_change = last_change = None
        built_at = float("-inf")
        while not self._stop.wait(self.poll):
            now = time.monotonic()
            current = self.state()
            if current is not None and current != last:
                last, last_change = current, now
                first_change = first_change or now
            with self._cond:
                wanted = self._requested
            due = first_change is not None and (
                now - last_change >= self.quiet or now - first_change >= self.max_delay
                or (first_change == last_change and now - built_at >= self.quiet))  # the first after a quiet spell
            if wanted > self._built or due:
                first_change = last_change = None
                try:
                    self.build()
                    self.builds += 1
                except (OSError, subprocess.SubprocessError) as exc:
                    log.error("pelican_comments: rebuild failed (%s)", exc)
                built_at = time.monotonic()
                with self._cond:
                    self._built = wanted
                    self._cond.notify_all()
