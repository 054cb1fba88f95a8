"""Approved comments reach the static pages by themselves: debounced rebuilds while `make run` runs."""
from __future__ import annotations

import threading
import time

from pelican_comments.rebuild import SiteRebuilder, store_state

import comments_store
from conftest import wait_for


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


def test_a_burst_of_changes_gives_one_build():
    fake = Fake()
    rebuilder = SiteRebuilder(fake.state, fake.build, poll=0.02, quiet=0.2, max_delay=5).start()
    try:
        for _ in range(5):
            fake.value += 1
            time.sleep(0.05)
        assert wait_for(lambda: len(fake.builds) == 1)
        time.sleep(0.4)
        assert len(fake.builds) == 1
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
        while time.monotonic() - started < 0.8:
            fake.value += 1
            time.sleep(0.03)
        assert fake.builds and fake.builds[0] - started < 0.6
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
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
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
