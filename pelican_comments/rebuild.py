"""Keep the static site in step with published comments while `make run` is running.

A background thread watches a fingerprint of the published comments and
bakes the pages that show them again (Pelican with its cache, in a child
process, writing only what changed): at once after a quiet spell, else once
changes have settled, and never more than `max_delay` seconds after the first. In production the same job is a timer
or a hook running `invoke rebuild`.
"""
from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import comments_store
from comments_store import site_state

log = logging.getLogger(__name__)


def pelican_build(root: Path, settings_file: str = "pelicanconf.py", only_changed: bool = True) -> Callable[[], bool]:
    """A build function: Pelican with its content cache, in a child process so a crash stays contained.

    With `only_changed` it writes only the pages whose comments changed since the last bake (the plugin decides,
    and bakes every page when it cannot trust its record); if that build fails, a full one follows at once.
    """

    def run(selective: bool) -> subprocess.CompletedProcess:
        extra = ["COMMENTS_ONLY_CHANGED=true"] if selective else []
        return subprocess.run(
            [sys.executable, "-m", "pelican", "-q", "-s", settings_file, "-e", "CACHE_CONTENT=true",
             "LOAD_CONTENT_CACHE=true", *extra],
            cwd=root, capture_output=True, text=True, timeout=600,
        )

    def build() -> bool:
        started = time.monotonic()
        result = run(only_changed)
        if result.returncode != 0 and only_changed:
            log.error("pelican_comments: the selective bake failed; baking every page:\n%s", result.stderr[-2000:])
            result = run(False)
        if result.returncode != 0:
            log.error("pelican_comments: rebuild failed:\n%s", result.stderr[-2000:])
            return False
        print(f"  Site reconstruit avec les derniers commentaires ({time.monotonic() - started:.1f} s)", flush=True)
        return True

    return build


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
                return comments_store.published_state(db)
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
