"""Benchmark: the digest of a 10,000-comment week, themes included (target: under 2 s). Run by hand; figure in
docs/benchmarks.md.

Usage: .venv/bin/python bench/digest_speed.py [--per-week 10000] [--others 500]

Twelve weeks of comments (texts drawn from our labelled comments and the public corpora), tagged by the model.
Timed: placing every problem and suggestion in themes (what tagging does after it tags; here all twelve weeks
at once, none placed yet: the worst case), then building the digest's data and rendering its HTML, twice.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import comments_store  # noqa: E402
from demo_digest import seed  # noqa: E402
from feedback import digest, store, themes  # noqa: E402
from feedback.weeks import Week  # noqa: E402


def timed(db, week: Week, settings: digest.Settings) -> tuple[dict, float, float, int]:
    started = time.perf_counter()
    data = digest.build(db, week, settings)
    built = time.perf_counter() - started
    html = digest.render_html(data)
    return data, built, time.perf_counter() - started, len(html.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-week", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=500, help="comments in each of the eleven earlier weeks")
    args = parser.parse_args()
    week = Week.parse("2026-W47")
    with tempfile.TemporaryDirectory() as tmp:
        db = store.prepare(comments_store.open_db(Path(tmp) / "bench.db"))
        started = time.perf_counter()
        seed(db, week, args.per_week, others=args.others, public=True)
        print(f"(set-up: {args.per_week} comments in the week, about {args.others} in each earlier week, imported "
              f"and tagged in {time.perf_counter() - started:.1f} s)")
        settings = digest.Settings(site_url="http://127.0.0.1:8000")
        started = time.perf_counter()
        report = themes.update(db)
        print(f"themes: {report.placed_in_new} items placed in {len(report.new_themes)} new themes in "
              f"{time.perf_counter() - started:.2f} s (done by tagging, before the digest)")
        data, built, total, size = timed(db, week, settings)
        print(f"week {week}: {data['totals']['comments']} comments, {len(data['items'])} problems and suggestions, "
              f"{len(themes.all_themes(db))} themes, backlog {len(data['backlog'])}")
        print(f"digest: {total:.2f} s (data {built:.2f} s, HTML {total - built:.2f} s, {size / 1e3:.0f} kB)")
        data, built, total, size = timed(db, week, settings)
        print(f"again: {total:.2f} s (data {built:.2f} s, HTML {total - built:.2f} s)")
        started = time.perf_counter()
        digest.write(data, Path(tmp) / "out")
        print(f"all four files written in {time.perf_counter() - started:.2f} s more")


if __name__ == "__main__":
    main()
