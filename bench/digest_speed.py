"""Benchmark: the digest of a 10,000-comment week, themes included (target: under 2 s). Run by hand; figure in
docs/benchmarks.md.

Usage: .venv/bin/python bench/digest_speed.py [--per-week 10000] [--others 500]

Twelve weeks of comments (texts drawn from our labelled comments and the public corpora), tagged by the model,
then timed (wall clock, and the process's own CPU time: on a shared machine the first depends on the others):
- first placement: every problem and suggestion of the twelve weeks placed in themes at once, none placed
  before (a blog that turns themes on: the worst case);
- the digest, themes included, as it happens in real use: the earlier weeks already placed (as daily tagging
  left them), the week's items placed, then the digest's data built and its HTML rendered;
- the same digest again (data and HTML), which must give the same data;
- the same with nightly tagging (deploy/systemd/boucle-tag.timer): all but the week's last day placed before;
- a second placement run with nothing new (what the next day's tagging does first).
"""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import comments_store  # noqa: E402
from comments_store.clock import parse_iso, to_iso  # noqa: E402
from demo_digest import seed  # noqa: E402
from feedback import digest, store, themes  # noqa: E402
from feedback.weeks import Week  # noqa: E402


class Clock:
    """Wall and CPU seconds since it started."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __str__(self) -> str:
        return f"{time.perf_counter() - self.wall:.2f} s (CPU {time.process_time() - self.cpu:.2f} s)"


def copy(db, path: Path):
    # The same seeded data for both scenarios, without seeding twice.
    target = comments_store.open_db(path)
    db.conn.backup(target.conn)
    return store.prepare(target)


def digest_with_themes(db, week: Week, settings: digest.Settings) -> tuple[dict, str, str]:
    clock = Clock()
    report = themes.update(db)
    placed = str(clock)
    data = digest.build(db, week, settings)
    built = str(clock)
    html = digest.render_html(data)
    return data, (f"{clock} (placement {placed}: {report.joined} joined, {report.placed_in_new} in "
                  f"{len(report.new_themes)} new themes; with data {built}; HTML {len(html.encode()) / 1e3:.0f} kB)"), html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-week", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=500, help="comments in each of the eleven earlier weeks")
    args = parser.parse_args()
    print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    week = Week.parse("2026-W47")
    settings = digest.Settings(site_url="http://127.0.0.1:8000")
    with tempfile.TemporaryDirectory() as tmp:
        db = store.prepare(comments_store.open_db(Path(tmp) / "bench.db"))
        started = time.perf_counter()
        seed(db, week, args.per_week, others=args.others, public=True)
        print(f"(set-up: {args.per_week} comments in the week, about {args.others} in each earlier week, imported "
              f"and tagged in {time.perf_counter() - started:.1f} s)")
        daily = copy(db, Path(tmp) / "daily.db")
        nightly = copy(db, Path(tmp) / "nightly.db")

        clock = Clock()
        report = themes.update(db)
        print(f"first placement of all twelve weeks: {report.placed_in_new} items in {len(report.new_themes)} new "
              f"themes in {clock}")

        earlier = themes.update(daily, until=week.bounds(settings.timezone)[0])
        print(f"(earlier weeks placed beforehand, as daily tagging did: {earlier.placed_in_new} items in "
              f"{len(earlier.new_themes)} themes)")
        data, timing, html = digest_with_themes(daily, week, settings)
        print(f"week {week}: {data['totals']['comments']} comments, {len(data['items'])} problems and suggestions, "
              f"{len(themes.all_themes(daily))} themes, backlog {len(data['backlog'])}")
        print(f"digest, themes included: {timing}")
        clock = Clock()
        again = digest.build(daily, week, settings)
        html_again = digest.render_html(again)
        print(f"the same digest again: {clock}; same data: {again == data}, same HTML: {html_again == html}")
        # With the deployment's nightly tagging (boucle-tag.timer), all but the week's last day is placed before.
        start = week.bounds(settings.timezone)[0]
        themes.update(nightly, until=start)
        for day in range(1, 7):  # each night of the week but the last (Monday's digest runs before it)
            themes.update(nightly, until=to_iso(parse_iso(start) + dt.timedelta(days=day)))
        nightly_data, timing, _ = digest_with_themes(nightly, week, settings)
        print(f"digest with nightly tagging (the last day's items placed first): {timing}")
        clock = Clock()
        report = themes.update(daily)
        print(f"(a second placement run, nothing new: {report.joined} joined, {report.placed_in_new} in "
              f"{len(report.new_themes)} new themes, in {clock})")
        clock = Clock()
        digest.write(again, Path(tmp) / "out")
        print(f"all four files written in {clock} more")
        print("load:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
        daily.close()
        nightly.close()


if __name__ == "__main__":
    main()
