"""Jobs that one machine at a time may run: a lease in the shared database, not a daemon of ours."""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from comments_store import clock, leases, open_db
from conftest import location_of

pytestmark = pytest.mark.both_databases
MINUTE = dt.timedelta(minutes=1)


def test_only_one_holder_at_a_time(db):
    assert leases.acquire(db, "rebuild", "machine-a", MINUTE)
    assert not leases.acquire(db, "rebuild", "machine-b", MINUTE)
    assert leases.holder(db, "rebuild") == "machine-a"


def test_the_holder_renews_and_gives_back(db):
    assert leases.acquire(db, "rebuild", "machine-a", MINUTE)
    assert leases.acquire(db, "rebuild", "machine-a", MINUTE)
    leases.release(db, "rebuild", "machine-b")  # not theirs: nothing happens
    assert leases.holder(db, "rebuild") == "machine-a"
    leases.release(db, "rebuild", "machine-a")
    assert leases.holder(db, "rebuild") is None and leases.acquire(db, "rebuild", "machine-b", MINUTE)


def test_an_ended_lease_can_be_taken(db, monkeypatch):
    assert leases.acquire(db, "rebuild", "machine-a", MINUTE)
    later = clock.now() + 2 * MINUTE
    monkeypatch.setattr(clock, "now", lambda: later)
    assert leases.holder(db, "rebuild") is None
    assert leases.acquire(db, "rebuild", "machine-b", MINUTE)


def test_racing_machines_get_it_once(db):
    """Eight connections asking at the same moment: exactly one wins."""
    location = location_of(db)
    start, wins = threading.Barrier(8), []

    def ask(n):
        conn = open_db(location, migrate=False)
        start.wait()
        if leases.acquire(conn, "rebuild", f"machine-{n}", MINUTE):
            wins.append(n)
        conn.close()

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
