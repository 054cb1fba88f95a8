"""When to move to PostgreSQL: two API processes on one PostgreSQL against one process on SQLite, run by hand.

  .venv/bin/python bench/api_machines.py [--duration 15]

Every server is gunicorn with deploy/gunicorn.conf.py (1 worker, 8 threads, as `make run` and the systemd unit).
SQLite: one server. PostgreSQL (Debian's package, a throw-away cluster with its default durability settings):
two servers on two ports, as two machines would be; the load is split between them by two wrk processes
started together, and their figures are added. Same scenarios as bench/api_load.py (read, write, mixed),
moderation and rate limits off; after each write scenario the stored comments are compared with the 2xx answers.
Nothing is pinned: on a small machine the servers, the database and wrk share the cores, as they would on
one machine; the figures say what a second machine buys only where the cores are there to run it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from api_load import MIXED_LUA, THREADS, TOKEN_FIELD, WRITE_LUA, form_tokens, seed_boucle, wait_up  # noqa: E402

import comments_store  # noqa: E402

READ = "/api/threads/article-0/comments"
WRITE_PATH = '"/api/threads/article-%d/comments"'


def wrk(url: str, connections: int, duration: int, script: Path | None) -> dict:
    import re

    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    out = subprocess.run(cmd + (["-s", str(script)] if script else []) + [url], capture_output=True, text=True,
                         check=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p99_ms": float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)], "ok": total - non2xx}


def together(bases: list[str], path: str, connections: int, duration: int, scripts: list[Path] | None) -> dict:
    """One wrk per server (with its own script), started at once, each with its share of the connections;
    figures added up."""
    results = [None] * len(bases)

    def one(i):
        results[i] = wrk(bases[i] + path, connections // len(bases), duration, scripts[i] if scripts else None)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rps": sum(r["rps"] for r in results), "p99_ms": max(r["p99_ms"] for r in results),
            "ok": sum(r["ok"] for r in results)}


def run(location: str, servers: int, tmp: Path, duration: int) -> dict:
    seed_boucle(location)
    procs, bases = [], []
    for n in range(servers):
        port = 18400 + n
        env = {**os.environ, "BOUCLE_PORT": str(port), "BOUCLE_INSTANCE": str(tmp / f"instance-{n}"),
               "BOUCLE_SERVE_SITE": "0", "BOUCLE_RATE_LIMIT": "off", "BOUCLE_MODERATION": "none",
               "BOUCLE_SECRET_KEY": "bench", "BOUCLE_ADMIN_TOKEN": "bench-token", "BOUCLE_DUPLICATE_WINDOW": "0",
               "BOUCLE_MIN_FILL_SECONDS": "0"}
        env["BOUCLE_DATABASE_URL" if comments_store.postgres.is_url(location) else "BOUCLE_DB"] = location
        procs.append(subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                                       "--log-level", "warning"], cwd=ROOT, env=env))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            wait_up(base + "/api/health", 60)
        db = comments_store.open_db(location, migrate=False)
        result = {"read": together(bases, READ, 32, duration, None)}
        for name, template, connections in (("write", WRITE_LUA, 16), ("mixed", MIXED_LUA, 32)):
            scripts = []
            for i, base in enumerate(bases):  # each wrk process is a client with its own fill-time token
                scripts.append(tmp / f"{name}-{i}.lua")
                scripts[-1].write_text(template % {"threads": THREADS, "write_path": WRITE_PATH, "field": "body",
                                                   "read_path": f'"{READ}"', "tokens": form_tokens(base, 1),
                                                   "extra": TOKEN_FIELD["boucle"]})
            before = db.execute("SELECT count(*) FROM comments").fetchone()[0]
            result[name] = together(bases, "", connections, duration, scripts)
            result[name]["stored"] = db.execute("SELECT count(*) FROM comments").fetchone()[0] - before
        db.close()
        return result
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    from pg_server import PgCluster, binaries

    if binaries() is None:
        raise SystemExit("PostgreSQL is missing: apt-get install postgresql")
    tmp = Path(tempfile.mkdtemp(prefix="boucle-machines-"))
    results = {"sqlite, 1 server": run(str(tmp / "boucle.db"), 1, tmp, args.duration)}
    # Its own folder under /tmp: as root, the server runs as the postgres user, who cannot enter `tmp`.
    cluster = PgCluster(Path(tempfile.mkdtemp(prefix="boucle-pg-")), durable=True)
    try:
        results["postgresql, 2 servers"] = run(cluster.create(), 2, tmp, args.duration)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder, ignore_errors=True)
    print(f"{'set-up':<24} {'scenario':<7} {'req/s':>8} {'p99 ms':>8} {'2xx':>8} {'stored':>8}")
    for setup, scenarios in results.items():
        for name, r in scenarios.items():
            print(f"{setup:<24} {name:<7} {r['rps']:>8.0f} {r['p99_ms']:>8.1f} {r['ok']:>8} {r.get('stored', ''):>8}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
