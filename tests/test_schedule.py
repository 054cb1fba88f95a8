"""Scheduled posts: a post dated in the future goes on the site at its time (site's time zone), by the timed rebuild.

Every build here is the real Pelican build of the real content and theme, with a fake clock (BOUCLE_NOW).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, build_site

import comments_store
import site_schedule
import tasks

TZ = ZoneInfo("Africa/Casablanca")  # UTC+1 in December
SLUG = "salon-emploi-decembre"
POST = f"""Title: Le salon de l'emploi de décembre
Date: 2026-12-08 09:00
Category: Nouveautés
Tags: salon
Slug: {SLUG}
Lang: fr
Summary: Rendez-vous au salon de l'emploi de Casablanca.
Image: images/cv.svg

Nous y serons, venez nous voir.
"""
BEFORE = "2026-12-08T07:59Z"  # 08:59 in Casablanca
AFTER = "2026-12-08T08:00Z"  # 09:00 in Casablanca
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def content(tmp_path) -> Path:
    """The real content plus one post scheduled for 8 December 2026 at 09:00, site time."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    (folder / "2026-12-08-salon.md").write_text(POST, encoding="utf-8")
    return folder


def build_at(monkeypatch, moment: str, content: Path, output: Path, settings_file: str = "pelicanconf.py",
             **overrides) -> Path:
    monkeypatch.setenv(site_schedule.NOW_VARIABLE, moment)
    return build_site(output, settings_file, PATH=str(content), **overrides)


def published_everywhere(site: Path) -> dict[str, bool]:
    feed = ET.parse(site / "feeds" / "all.atom.xml").getroot()
    feed_links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    return {
        "page": (site / SLUG / "index.html").exists(),
        "home": SLUG in (site / "index.html").read_text(encoding="utf-8"),
        "archives": SLUG in (site / "archives" / "index.html").read_text(encoding="utf-8"),
        "feed": any(SLUG in link for link in feed_links),
        "category feed": SLUG in (site / "feeds" / "categorie" / "nouveautes.atom.xml").read_text(encoding="utf-8"),
        "sitemap": f"/{SLUG}/" in (site / "sitemap.xml").read_text(encoding="utf-8"),
    }


def test_a_future_post_is_nowhere_before_its_time(monkeypatch, content, tmp_path):
    """One minute before its time, the post is on no page, feed or sitemap; only its noindex preview exists."""
    site = build_at(monkeypatch, BEFORE, content, tmp_path / "site")
    assert {key: False for key in published_everywhere(site)} == published_everywhere(site)
    preview = (site / "brouillons" / SLUG / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in preview


def test_a_future_post_is_everywhere_at_its_time(monkeypatch, content, tmp_path):
    """At its time, in the site's time zone, the post has its page, listings, feeds and sitemap entry."""
    site = build_at(monkeypatch, AFTER, content, tmp_path / "site")
    assert {key: True for key in published_everywhere(site)} == published_everywhere(site)
    assert not (site / "brouillons" / SLUG).exists()
    assert 'name="robots"' not in (site / SLUG / "index.html").read_text(encoding="utf-8")


def test_production_build_writes_nothing_of_it_before_its_time(monkeypatch, content, tmp_path):
    """The production build before the post's time writes no file that names it."""
    site = build_at(monkeypatch, BEFORE, content, tmp_path / "site", "publishconf.py",
                    SITEURL="https://blog.example.ma", FEED_DOMAIN="https://blog.example.ma")
    assert [] == [p for p in site.rglob("*") if p.is_file() and SLUG in p.read_text(errors="ignore")]
    assert [] == list(site.rglob(f"*{SLUG}*"))


def test_production_build_at_its_time_has_its_share_metadata(monkeypatch, content, tmp_path):
    """The production build at its time gives the post its canonical URL, OpenGraph tags and image."""
    site = build_at(monkeypatch, AFTER, content, tmp_path / "site", "publishconf.py",
                    SITEURL="https://blog.example.ma", FEED_DOMAIN="https://blog.example.ma")
    page = (site / SLUG / "index.html").read_text(encoding="utf-8")
    assert f'<meta property="og:url" content="https://blog.example.ma/{SLUG}/">' in page
    assert '<meta property="og:image" content="https://blog.example.ma/images/cv.svg">' in page
    assert "2026-12-08T09:00:00+01:00" in page


@pytest.mark.parametrize("moment, expected", [
    ("2026-12-08 08:59", ["Le salon de l'emploi de décembre"]),
    ("2026-12-08T07:59:59Z", ["Le salon de l'emploi de décembre"]),
    ("2026-12-08 09:00", []),
    ("2026-12-08T09:00+01:00", []),
])
def test_pending_reads_times_in_the_site_time_zone(content, moment, expected):
    """A time without an offset is the site's; the post is pending until 09:00 Casablanca (08:00 UTC)."""
    at = site_schedule.parse_site_time(moment, TZ)
    assert expected == [post.title for post in site_schedule.pending(content, TZ, at)]


def test_drafts_and_hidden_posts_are_never_scheduled(content):
    """A future post marked draft or hidden waits for an editor, not for the clock."""
    for status in ("draft", "hidden"):
        (content / f"{status}.md").write_text(POST.replace(f"Slug: {SLUG}", f"Slug: {status}\nStatus: {status}")
                                              .replace("2026-12-08", "2026-12-09"), encoding="utf-8")
    assert [SLUG] == [post.slug for post in site_schedule.pending(content, TZ, dt.datetime(2026, 12, 1, tzinfo=TZ))]


def test_the_rebuild_state_changes_when_a_post_comes_due(monkeypatch, content):
    """With the comments unchanged, the state the rebuilders watch changes at the post's time, and only then."""
    state = site_schedule.with_schedule(lambda: (3, 7), content, "Africa/Casablanca")
    seen = []
    for moment in ("2026-12-08T07:58Z", BEFORE, AFTER, "2026-12-08T08:01Z"):
        monkeypatch.setenv(site_schedule.NOW_VARIABLE, moment)
        seen.append(state())
    assert seen[0] == seen[1] != seen[2] == seen[3]
    assert (3, 7, "2026-12-08T08:00:00+00:00") == seen[2]


def test_the_rebuild_state_is_none_when_the_comments_cannot_be_read(content):
    """An unreadable comment store stays None, so the rebuilder keeps its own rule for that case."""
    assert site_schedule.with_schedule(lambda: None, content, "Africa/Casablanca")() is None


@pytest.mark.parametrize("text", ["demain", "2026-13-01 09:00", ""])
def test_unreadable_times_are_refused(text):
    """A time that is not a date is a BadTime, with the expected form in the message."""
    with pytest.raises(site_schedule.BadTime, match="AAAA-MM-JJ"):
        site_schedule.parse_site_time(text, TZ)


def test_a_mistyped_fake_clock_neither_stops_the_build_nor_the_state(monkeypatch, content, tmp_path):
    """A BOUCLE_NOW that cannot be read is ignored (real clock): the site builds and the state is readable."""
    site = build_at(monkeypatch, "n'importe quand", content, tmp_path / "site")
    assert (site / "index.html").exists()
    assert site_schedule.with_schedule(lambda: (1,), content, "Africa/Casablanca")() is not None


# --- The timed rebuild: `invoke refresh`, as the server's timer runs it --------------------------------------------

@pytest.fixture
def project(tmp_path, content) -> Path:
    """A throwaway copy of the site's sources with the scheduled post and an empty comment database."""
    root = tmp_path / "project"
    root.mkdir()
    for module in ROOT.glob("*.py"):  # the settings, the tasks and every module of ours they import
        shutil.copy(module, root / module.name)
    shutil.copytree(ROOT / "theme", root / "theme")
    shutil.move(content, root / "content")
    (root / "instance").mkdir()
    comments_store.open_db(str(root / "instance" / "boucle.db")).close()
    return root


def run_invoke(root: Path, *args: str, now: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOUCLE_")}
    env.update(PYTHONPATH=str(ROOT), BOUCLE_INSTANCE=str(root / "instance"), BOUCLE_NOW=now)
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=300)


def test_timed_rebuild_publishes_the_post_at_its_time_without_any_comment(project):
    """`invoke refresh` builds once, skips while nothing is due, then rebuilds when the post's time has come."""
    page = project / "output" / SLUG / "index.html"
    first = run_invoke(project, "refresh", now=BEFORE)
    assert first.returncode == 0, first.stderr
    assert (project / "output" / "index.html").exists() and not page.exists()
    idle = run_invoke(project, "refresh", now=BEFORE)
    assert idle.returncode == 0, idle.stderr
    assert "Rien de neuf" in idle.stdout
    due = run_invoke(project, "refresh", now=AFTER)
    assert due.returncode == 0, due.stderr
    assert "Rien de neuf" not in due.stdout
    assert page.exists()
    assert SLUG in (project / "output" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")


def test_invoke_schedule_lists_what_is_due_and_when(project):
    """`invoke schedule` names each post still to come with its time in the site's time zone."""
    result = run_invoke(project, "schedule", now="2026-12-01 12:00")
    assert result.returncode == 0, result.stderr
    assert [
        "1 article(s) programmé(s), heure du site (Africa/Casablanca) :",
        "  2026-12-08 09:00  Le salon de l'emploi de décembre  (2026-12-08-salon.md)",
    ] == result.stdout.splitlines()


def test_invoke_schedule_says_when_nothing_is_due(project):
    """After the last post's time, `invoke schedule` says there is nothing scheduled."""
    result = run_invoke(project, "schedule", now=AFTER)
    assert result.returncode == 0, result.stderr
    assert ["Aucun article programmé après le 2026-12-08 09:00 (Africa/Casablanca)."] == result.stdout.splitlines()


def test_invoke_schedule_refuses_an_unreadable_fake_clock(project):
    """A BOUCLE_NOW that is not a time makes `invoke schedule` exit 2 with a message."""
    result = run_invoke(project, "schedule", now="bientôt")
    assert 2 == result.returncode
    assert "BOUCLE_NOW refusé" in result.stderr


def test_newpost_at_schedules_a_post_for_that_time(project):
    """`invoke newpost --at` writes a post dated at that time, without draft status, named by that day."""
    result = run_invoke(project, "newpost", "Forum des métiers", "--at", "2026-12-15 18:30", now="2026-12-01 12:00")
    assert result.returncode == 0, result.stderr
    path = project / "content" / "2026-12-15-forum-des-metiers.md"
    text = path.read_text(encoding="utf-8")
    assert "Date: 2026-12-15 18:30" in text.splitlines()
    assert "Status:" not in text
    assert "programmé" in result.stdout
    listed = run_invoke(project, "schedule", now="2026-12-01 12:00")
    assert "  2026-12-15 18:30  Forum des métiers  (2026-12-15-forum-des-metiers.md)" in listed.stdout.splitlines()


@pytest.mark.parametrize("at, message", [
    ("2026-11-30 09:00", "déjà passé"),
    ("2026-12-01 12:00", "déjà passé"),
    ("lundi prochain", "heure illisible"),
])
def test_newpost_at_refuses_a_past_or_unreadable_time(project, at, message):
    """A time already past, or not a time, exits 2 and writes nothing."""
    before = sorted(p.name for p in (project / "content").iterdir())
    result = run_invoke(project, "newpost", "Forum des métiers", "--at", at, now="2026-12-01 12:00")
    assert 2 == result.returncode
    assert message in result.stderr
    assert before == sorted(p.name for p in (project / "content").iterdir())


def test_publication_time_is_in_the_site_time_zone():
    """`--at` without an offset is read in the site's time zone."""
    moment = dt.datetime(2026, 12, 1, 12, 0, tzinfo=TZ)
    assert dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.timezone.utc) == tasks.publication_time("2026-12-08 09:00", moment)


def test_the_make_run_watcher_rebuilds_when_a_post_comes_due(monkeypatch, content):
    """`make run`'s watcher, on the state tasks.py gives it, rebuilds once when the time passes, comments unchanged."""
    from conftest import wait_for
    from pelican_comments.rebuild import SiteRebuilder

    monkeypatch.setenv(site_schedule.NOW_VARIABLE, BEFORE)
    builds = []
    state = site_schedule.with_schedule(lambda: (0, 0, "", "", 0), content, "Africa/Casablanca")
    rebuilder = SiteRebuilder(state, lambda: builds.append(state()) or True, poll=0.02, quiet=0.05).start()
    try:
        assert not wait_for(lambda: builds, 0.5)
        monkeypatch.setenv(site_schedule.NOW_VARIABLE, AFTER)
        assert wait_for(lambda: builds, 10)
    finally:
        rebuilder.stop()
    assert [(0, 0, "", "", 0, "2026-12-08T08:00:00+00:00")] == builds


def test_the_tasks_watch_the_comments_and_the_schedule(monkeypatch, db, tmp_path):
    """The state `make run` and `invoke refresh` watch is the published comments' and feedback items' fingerprint
    plus the latest due post."""
    from conftest import location_of
    from feedback import store as feedback_store

    monkeypatch.setenv(site_schedule.NOW_VARIABLE, "2026-11-30 12:00")
    state = tasks._published_state(location_of(db))()
    assert comments_store.published_state(db) + feedback_store.public_state(db) == state[:-1]
    # The latest demo post, 10:00 in Casablanca (a later one is a draft).
    assert "2026-11-16T09:00:00+00:00" == state[-1]


def test_make_runs_warm_baker_publishes_the_post_when_its_time_comes(monkeypatch, content, tmp_path, db):
    """The baker `make run` keeps in memory writes only changed comments, yet a post come due is built."""
    from conftest import location_of
    from pelican_comments.rebuild import WarmBaker

    site = tmp_path / "site"
    baker = WarmBaker(ROOT, overrides={"PATH": str(content), "OUTPUT_PATH": str(site),
                                       "CACHE_PATH": str(tmp_path / "cache"), "COMMENTS": {"db": location_of(db)},
                                       "DELETE_OUTPUT_DIRECTORY": False})
    monkeypatch.setenv(site_schedule.NOW_VARIABLE, BEFORE)
    assert baker() is True
    assert not (site / SLUG / "index.html").exists()
    monkeypatch.setenv(site_schedule.NOW_VARIABLE, AFTER)
    assert baker() is True
    assert (site / SLUG / "index.html").exists()
    assert baker.full_builds == 2
