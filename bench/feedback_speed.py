"""Benchmarks of the feedback tagger, run by hand (figures go in docs/benchmarks.md).

  .venv/bin/python bench/feedback_speed.py classify [--n 50000] [--pool comments|reviews]  # one core
  .venv/bin/python bench/feedback_speed.py tag [--n 100000] [--pool comments|reviews]       # fresh database

Texts are drawn from a labelled corpus, with a number appended so no two are identical:
`comments` are the blog comments we wrote (55 characters on average), `reviews`
the public app reviews (120 characters on average, twice the work per text).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


POOLS = {"comments": "ours/*.jsonl", "reviews": "public/*.jsonl"}


def texts(n: int, pool_name: str = "comments") -> list[str]:
    data = ROOT / "feedback" / "data"
    pool = [json.loads(line)["text"] for path in sorted(data.glob(POOLS[pool_name]))
            for line in open(path, encoding="utf-8")]
    rng = random.Random(42)
    return [f"{rng.choice(pool)} ({i})" for i in range(n)]


def one_core(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *cmd] if shutil.which("taskset") else cmd


def bench_classify(n: int, pool: str) -> None:
    payload = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts(n, pool)))
    cmd = one_core([sys.executable, "-m", "feedback", "classify"])
    subprocess.run(cmd, input='{"id": 0, "text": "warm-up"}\n', capture_output=True, text=True, cwd=ROOT, check=True)
    started = time.perf_counter()
    result = subprocess.run(cmd, input=payload, capture_output=True, text=True, cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    lines = result.stdout.count("\n")
    assert lines == n, (lines, result.stderr[-500:])
    print(f"classify ({pool}): {n} comments in {seconds:.2f} s on one core = {n / seconds:,.0f} comments/s "
          "(process start and model load included)")


def bench_tag(n: int, pool: str) -> None:
    import comments_store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = comments_store.open_db(path)
        slugs = [f"article-{i}" for i in range(50)]
        comments_store.register_threads(db, [{"slug": s, "title": s, "url": f"/{s}/", "lang": "fr"} for s in slugs])
        rows = ({"slug": slugs[i % 50], "author": "Lecteur", "body": t} for i, t in enumerate(texts(n, pool)))
        started = time.perf_counter()
        comments_store.import_comments(db, rows)
        print(f"(set-up: {n} approved comments imported in {time.perf_counter() - started:.1f} s)")
        db.close()
        env = {**os.environ, "BOUCLE_INSTANCE": tmp}
        for run in ("first run", "second run (nothing new)"):
            started = time.perf_counter()
            result = subprocess.run(one_core([sys.executable, "-m", "feedback", "tag", "--db", str(path)]),
                                    capture_output=True, text=True, cwd=ROOT, env=env, check=True)
            print(f"tag, {run}: {time.perf_counter() - started:.1f} s — {result.stdout.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["classify", "tag"])
    parser.add_argument("--n", type=int)
    parser.add_argument("--pool", choices=sorted(POOLS), default="comments")
    args = parser.parse_args()
    if args.what == "classify":
        bench_classify(args.n or 50_000, args.pool)
    else:
        bench_tag(args.n or 100_000, args.pool)


if __name__ == "__main__":
    main()
