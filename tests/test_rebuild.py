"""Approved comments reach the static pages by themselves: debounced rebuilds while `make run` runs."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pelican_comments.rebuild import SiteRebuilder, store_state

import comments_store
from conftest import wait_for, location_of

ROOT = Path(__file__).resolve().parent.parent


class Fake:
    def __init__(self):
        self.value = 0
        self.builds = []
        self.lock = threading.Lock()

    def state(self):
        return self.value

    def build(self):
        with self.lock:
            self.builds.append(time.monotonic())
        return True


def test_a_burst_of_changes_gives_one_build_at_once_and_one_when_it_settles():
    """The first change of a burst is built at once; the rest are gathered into one more build."""
    fake = Fake()
    rebuilder = SiteRebuilder(fake.state, fake.build, poll=0.02, quiet=0.2, max_delay=5).start()
    try:
        for _ in range(5):
            fake.value += 1
            time.sleep(0.05)
        assert wait_for(lambda: len(fake.builds) == 2)
        time.sleep(0.4)
        assert len(fake.builds) == 2
    finally:
        rebuilder.stop()


def test_a_change_after_a_quiet_spell_is_built_without_waiting_for_it_to_settle():
    """One approval on a quiet site is baked at once, not after the `quiet` delay (here far longer than the wait)."""
    fake = Fake()
    rebuilder = SiteRebuilder(fake.state, fake.build, poll=0.02, quiet=60, max_delay=120).start()
    try:
        fake.value += 1
        assert wait_for(lambda: len(fake.builds) == 1, seconds=10)
    finally:
        rebuilder.stop()


def test_nothing_changes_nothing_builds():
    fake = Fake()
    rebuilder = SiteRebuilder(fake.state, fake.build, poll=0.02, quiet=0.05).start()
    time.sleep(0.3)
    rebuilder.stop()
    assert fake.builds == []


def test_steady_changes_still_build_within_max_delay():
    fake = Fake()
    rebuilder = SiteRebuilder(fake.state, fake.build, poll=0.02, quiet=10, max_delay=0.3).start()
    try:
        started = time.monotonic()
        while time.monotonic() - started < 3:  # changes never stop long enough for the 10-second quiet time
            fake.value += 1
            time.sleep(0.03)
        stopped = time.monotonic()
        assert fake.builds and fake.builds[0] < stopped  # built while the changes kept coming
    finally:
        rebuilder.stop()


def test_rebuild_now_waits_for_a_fresh_build():
    fake = Fake()
    rebuilder = SiteRebuilder(fake.state, fake.build, poll=0.02, quiet=10).start()
    try:
        asked = time.monotonic()
        assert rebuilder.rebuild_now(timeout=5)
        assert fake.builds and fake.builds[-1] >= asked
    finally:
        rebuilder.stop()


def test_a_failing_build_is_logged_and_the_watcher_keeps_going(caplog):
    fake = Fake()
    calls = []

    def broken():
        calls.append(1)
        raise OSError("disk full")

    rebuilder = SiteRebuilder(fake.state, broken, poll=0.02, quiet=0.05).start()
    try:
        fake.value = 1
        assert wait_for(lambda: calls)
        fake.value = 2
        assert wait_for(lambda: len(calls) == 2)
        assert "rebuild failed" in caplog.text
    finally:
        rebuilder.stop()


def test_store_state_changes_on_approval_edit_and_removal(db, tmp_path):
    path = location_of(db)
    state = store_state(path)
    before = state()
    comment, token = comments_store.add_comment(db, "negocier-son-salaire",
                                                comments_store.NewComment(author="A", body="Un avis"))
    assert state() == before  # pending: nothing to show yet
    comments_store.set_status(db, comment.id, "approved")
    approved = state()
    assert approved != before
    comments_store.set_status(db, comment.id, "rejected")
    assert state() != approved


def test_store_state_of_a_missing_database_is_none(tmp_path):
    assert store_state(str(tmp_path / "nope" / "x.db"))() is None


def _refresh_world(db, tmp_path):
    from pelican_comments.rebuild import refresh

    builds = []
    index = tmp_path / "output" / "index.html"

    def build():
        builds.append(1)
        index.parent.mkdir(exist_ok=True)
        index.write_text("<html></html>")
        return True

    path = location_of(db)
    record = tmp_path / "instance" / "site-state.json"
    return builds, lambda b=build: refresh(b, store_state(path), record, index), record


def test_refresh_builds_only_when_published_comments_changed(db, tmp_path):
    """`invoke refresh` (the server's timer): a first build, nothing while nothing changes, one after an approval."""
    builds, refresh, _ = _refresh_world(db, tmp_path)
    assert refresh() is True and refresh() is None and len(builds) == 1
    comment, _ = comments_store.add_comment(db, "negocier-son-salaire",
                                            comments_store.NewComment(author="A", body="Un avis"))
    assert refresh() is None  # pending: nothing new to show
    comments_store.set_status(db, comment.id, "approved")
    assert refresh() is True and refresh() is None and len(builds) == 2


def test_refresh_builds_again_when_the_site_is_gone(db, tmp_path):
    builds, refresh, _ = _refresh_world(db, tmp_path)
    refresh()
    (tmp_path / "output" / "index.html").unlink()
    assert refresh() is True and len(builds) == 2


def test_a_failed_refresh_is_reported_and_tried_again_next_time(db, tmp_path):
    builds, refresh, record = _refresh_world(db, tmp_path)
    assert refresh(lambda: False) is False and not record.exists()
    assert refresh() is True


def test_waiting_for_the_site_ends_when_a_later_build_is_recorded(tmp_path):
    """The no-JavaScript form's wait: only a build that read the database after the comment counts."""
    from comments_store import site_state

    record = tmp_path / "site-state.json"
    site_state.record(record, (1, 1), read_at=time.time() - 10)
    moment = time.time()
    assert site_state.wait_until_built_after(record, moment, timeout=0.3) is False
    threading.Timer(0.2, lambda: site_state.record(record, (2, 2), read_at=time.time())).start()
    assert site_state.wait_until_built_after(record, moment, timeout=5) is True


@pytest.mark.parametrize("settings_file", ["pelicanconf.py", "publishconf.py"])
def test_invoke_refresh_bakes_only_the_changed_pages_in_a_child_process(db, tmp_path, monkeypatch, settings_file):
    """The timer's build (a child Pelican) writes the approved comment's page and leaves the other articles alone,
    even with the production settings, which empty the output folder before a full build."""
    from pelican_comments.rebuild import pelican_build

    out = tmp_path / "out"
    for name, value in {"BOUCLE_OUTPUT": out, "BOUCLE_CACHE": tmp_path / "cache", "BOUCLE_DB": location_of(db),
                        "BOUCLE_SITEURL": "https://blog.example.ma"}.items():
        monkeypatch.setenv(name, str(value))
    build = pelican_build(ROOT, settings_file)
    assert build() is True  # the first: every page, and the record of this bake
    untouched = out / "premier-emploi-sans-experience" / "index.html"
    before = untouched.stat().st_mtime_ns
    comment, _ = comments_store.add_comment(db, "negocier-son-salaire",
                                            comments_store.NewComment(author="Zineb", body="Vu au salon, merci."))
    comments_store.set_status(db, comment.id, "approved")
    assert build() is True
    assert f'id="comment-{comment.id}"' in (out / "negocier-son-salaire" / "index.html").read_text(encoding="utf-8")
    assert before == untouched.stat().st_mtime_ns
