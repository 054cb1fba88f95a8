"""Benchmark: the HTML digest of a 10,000-comment week (target: under 2 s). Run by hand; figure in docs/benchmarks.md.

Usage: .venv/bin/python bench/digest_speed.py [--per-week 10000]
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
from feedback import digest, store  # noqa: E402
from feedback.weeks import Week  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-week", type=int, default=10_000)
    args = parser.parse_args()
    week = Week.parse("2026-W47")
    with tempfile.TemporaryDirectory() as tmp:
        db = store.prepare(comments_store.open_db(Path(tmp) / "bench.db"))
        started = time.perf_counter()
        seed(db, week, args.per_week, others=500)
        print(f"(set-up: {args.per_week} comments in the week, 500 a week before, imported and tagged in "
              f"{time.perf_counter() - started:.1f} s)")
        settings = digest.Settings(site_url="http://127.0.0.1:8000")
        started = time.perf_counter()
        data = digest.build(db, week, settings)
        built = time.perf_counter() - started
        html = digest.render_html(data)
        total = time.perf_counter() - started
        print(f"week {week}: {data['totals']['comments']} comments, {len(data['items'])} problems and suggestions")
        print(f"HTML digest: {total:.2f} s (data {built:.2f} s, rendering {total - built:.2f} s), "
              f"{len(html.encode()) / 1e6:.1f} MB")
        started = time.perf_counter()
        digest.write(data, Path(tmp) / "out")
        print(f"all four files written in {time.perf_counter() - started:.2f} s more")


if __name__ == "__main__":
    main()
