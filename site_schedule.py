"""Scheduled posts: an article dated in the future stays off the site until its time, in the site's time zone.

Two halves. As a Pelican plugin (in pelicanconf's PLUGINS) it turns every article whose `Date:` is still to come
into a draft for this build: no listing, feed or sitemap entry, only the local preview under /brouillons/, and
nothing at all in a production build (publishconf writes no drafts). For the timed rebuilds (`invoke refresh`
and the watcher of `make run`) it reads the posts' front matter and adds to the published-comments state the time
of the latest post that has come due: when a scheduled post's time passes, that state changes and the site is
rebuilt even if no comment did. `invoke schedule` lists the posts still to come from the same reading.

"Now" is the real clock unless BOUCLE_NOW holds an ISO 8601 time, so a test runs the real build before and after
a post's time; the same variable lets an editor preview the site as it will be on a given day.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.contents import Article
from pelican.utils import get_date

__all__ = ["NOW_VARIABLE", "BadTime", "ScheduledPost", "now", "parse_site_time", "posts", "pending",
           "latest_due", "with_schedule", "register"]

log = logging.getLogger(__name__)
NOW_VARIABLE = "BOUCLE_NOW"
HELD_STATUSES = {"draft", "hidden", "skip"}  # never published by the clock: an editor must change them


class BadTime(ValueError):
    """A time that cannot be read (BOUCLE_NOW, `newpost --at`, or a post's Date:)."""


@dataclass(frozen=True)
class ScheduledPost:
    """A post's file, title and slug, and the moment it goes on the site."""

    path: Path
    title: str
    slug: str
    at: dt.datetime


def parse_site_time(text: str, tz: dt.tzinfo) -> dt.datetime:
    """An ISO-like time ("2026-12-08 09:00", "2026-12-08T09:00+01:00"); without an offset it is in `tz`."""
    try:
        value = get_date(text.strip().replace("_", " "))
    except (ValueError, OverflowError):
        raise BadTime(f"heure illisible : « {text} » (attendu : AAAA-MM-JJ HH:MM)") from None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def now(tz: dt.tzinfo) -> dt.datetime:
    """The current time in `tz`, or BOUCLE_NOW when it is set (a fake clock for tests and previews)."""
    fake = os.environ.get(NOW_VARIABLE, "").strip()
    if fake:
        return parse_site_time(fake, tz).astimezone(tz)
    return dt.datetime.now(tz)


def _now_or_clock(tz: dt.tzinfo) -> dt.datetime:
    # A mistyped BOUCLE_NOW must neither stop a build nor kill the rebuild loop: say so, use the real clock.
    try:
        return now(tz)
    except BadTime as exc:
        log.error("site_schedule: %s ignoré (%s)", NOW_VARIABLE, exc)
        return dt.datetime.now(tz)


def _front_matter(path: Path) -> dict[str, str]:
    meta = {}
    with path.open(encoding="utf-8") as lines:  # the watcher reads every post each second: stop at the body
        for line in lines:
            if not line.strip():
                break  # Markdown metadata ends at the first blank line
            key, sep, value = line.partition(":")
            if sep and key.strip():
                meta[key.strip().lower()] = value.strip()
    return meta


def posts(content_dir: str | os.PathLike, tz: dt.tzinfo) -> list[ScheduledPost]:
    """Every dated post the clock may publish (drafts and hidden posts left out), in time order.

    A file whose Date: cannot be read is skipped here: Pelican reports it when it builds.
    """
    found = []
    for path in sorted(Path(content_dir).rglob("*.md")):
        post = _read_post(path, tz)
        if post is not None:
            found.append(post)
    return sorted(found, key=lambda post: post.at)


# The watcher of `make run` asks every second; reading a date costs about half a millisecond, so each file is read
# again only when it changed: (path, time zone) -> ((mtime, size), post).
_READ: dict[tuple[Path, str], tuple[tuple[int, int], ScheduledPost | None]] = {}


def _read_post(path: Path, tz: dt.tzinfo) -> ScheduledPost | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    key, version = (path, str(tz)), (stat.st_mtime_ns, stat.st_size)
    known = _READ.get(key)
    if known is not None and known[0] == version:
        return known[1]
    try:
        meta = _front_matter(path)
        held = meta.get("status", "published").lower() in HELD_STATUSES or "date" not in meta
        post = None if held else ScheduledPost(path, meta.get("title", path.stem), meta.get("slug", ""),
                                               parse_site_time(meta["date"], tz))
    except (OSError, UnicodeDecodeError, BadTime):
        post = None
    _READ[key] = (version, post)
    return post


def pending(content_dir: str | os.PathLike, tz: dt.tzinfo, moment: dt.datetime) -> list[ScheduledPost]:
    """The posts whose time is still to come at `moment`, soonest first."""
    return [post for post in posts(content_dir, tz) if post.at > moment]


def latest_due(content_dir: str | os.PathLike, tz: dt.tzinfo, moment: dt.datetime) -> str | None:
    """The time of the latest post already due at `moment` (ISO, UTC): it changes when a scheduled post comes due."""
    due = [post.at for post in posts(content_dir, tz) if post.at <= moment]
    return max(due).astimezone(dt.timezone.utc).isoformat() if due else None


def with_schedule(state: Callable[[], tuple | None], content_dir: str | os.PathLike,
                  timezone: str) -> Callable[[], tuple | None]:
    """`state` (published comments) plus the latest due post, so a rebuilder also wakes when a post comes due."""
    tz = ZoneInfo(timezone)

    def combined() -> tuple | None:
        comments = state()
        if comments is None:
            return None  # unreadable: the rebuilder's own rule applies (build, or look again)
        return (*comments, latest_due(content_dir, tz, _now_or_clock(tz)))

    return combined


def hold_future(content) -> None:
    """Receiver of content_object_init: an article whose time has not come is a draft for this build."""
    if isinstance(content, Article) and content.status == "published" and hasattr(content, "date"):
        if content.date > _now_or_clock(content.date.tzinfo or dt.timezone.utc):
            content.status = "draft"
            content.scheduled = True  # the preview page says when it goes live


_site: dict[str, object] = {}  # the content folder and time zone of the build that loaded this plugin


def remember_site(pelican_object) -> None:
    _site.update(content=pelican_object.settings["PATH"], tz=ZoneInfo(pelican_object.settings["TIMEZONE"]))


def due_state(_db=None) -> str | None:
    """The latest post come due, for the comment plugin's selective bake: a new post means every page again."""
    if not _site:
        return None
    return latest_due(_site["content"], _site["tz"], _now_or_clock(_site["tz"]))


def register() -> None:
    signals.content_object_init.connect(hold_future)
    signals.initialized.connect(remember_site)
    try:
        from pelican_comments import selective
    except ImportError:  # the schedule also works on a site without the comment plugin
        return
    selective.depends_on(due_state)
