"""Comment writes, Boucle against Isso, with a second load generator: a new connection for every request.

  .venv/bin/python bench/api_load_conn.py [--duration 15] [--workers 16] [--rounds 2] [--isso-venv PATH]

wrk (bench/api_load.py) keeps its connections alive; a reader's browser posting one comment does not. This
client, stdlib asyncio on raw sockets, opens a connection per request (HTTP/1.1, `Connection: close`), runs N
workers for a fixed time, records every latency and prints req/s, p50/p99 and the errors by kind. The servers
are the ones bench/api_load.py sets up (gunicorn, 2 sync workers pinned to core 0); this process pins itself to
core 1, like wrk, and reports its own CPU use, so a client that ran out of CPU shows. Rounds are interleaved
(Boucle, Isso, Boucle, Isso, ...) on a fresh database each, and the medians printed: the machine is shared.
After each round, the comments stored are counted against the 2xx answers seen: every acknowledged comment
must be there (a stored comment whose answer was cut by the end of the run is counted apart).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import shutil
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import THREADS, Server, boucle_server, isso_server, isso_venv, stored  # noqa: E402

TIMEOUT = 5.0


def boucle_request(port: int, token: str):
    def make(worker: int, n: int) -> bytes:
        slug = (n * 7 + worker) % THREADS
        body = {"author": "Lecteur", "ts": token, "body": f"Commentaire {worker}-{n} sur l'article {slug}"}
        return _post(port, f"/api/threads/article-{slug}/comments", body)
    return make


def isso_request(port: int):
    def make(worker: int, n: int) -> bytes:
        slug = (n * 7 + worker) % THREADS
        body = {"author": "Lecteur", "text": f"Commentaire {worker}-{n} sur l'article {slug}"}
        return _post(port, f"/new?uri=%2Farticle-{slug}%2F", body)
    return make


def _post(port: int, path: str, data: dict) -> bytes:
    body = json.dumps(data).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


async def one(port: int, payload: bytes) -> int:
    """Send one request on a new connection; the status code of its answer, read to the end."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(payload)
        await writer.drain()
        status_line = await reader.readline()
        await reader.read()  # to the server's close: the whole answer
        return int(status_line.split(b" ", 2)[1])
    finally:
        writer.close()


async def load(port: int, make, workers: int, duration: float) -> dict:
    """`workers` loops sending requests for `duration` seconds; latencies of the answered ones, errors by kind."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: dict[str, int] = {}
    stop_at = time.monotonic() + duration

    async def worker(w: int) -> None:
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            payload = make(w, n)
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(one(port, payload), TIMEOUT)
            except (OSError, asyncio.TimeoutError, ValueError, IndexError) as exc:
                kind = type(exc).__name__
                errors[kind] = errors.get(kind, 0) + 1
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.gather(*(worker(w) for w in range(workers)))
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    latencies.sort()
    ok = sum(count for status, count in statuses.items() if 200 <= status < 300)

    def quantile(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")

    return {"rps": len(latencies) / wall, "p50_ms": quantile(0.50), "p99_ms": quantile(0.99), "ok": ok,
            "non2xx": len(latencies) - ok, "errors": errors, "statuses": statuses,
            "client_cpu": cpu / wall}


def run(server: Server, make, db: Path, workers: int, duration: float) -> dict:
    before, cpu = stored(db), server.cpu_seconds()
    result = asyncio.run(load(server.port, make, workers, duration))
    # The server's own CPU per answer: unlike req/s, barely moved by what else runs on this shared machine.
    result["server_cpu_ms"] = 1000 * (server.cpu_seconds() - cpu) / max(1, result["ok"] + result["non2xx"])
    result["stored"] = stored(db) - before
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--isso-venv")
    parser.add_argument("--only", choices=("boucle", "isso"), action="append")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})  # the servers are on core 0 (taskset); the generator gets the other one
    tmp = Path(tempfile.mkdtemp(prefix="boucle-conn-"))
    only = set(args.only or ("boucle", "isso"))
    venv = isso_venv(args.isso_venv, tmp) if "isso" in only else None
    results: dict[str, list[dict]] = {"boucle": [], "isso": []}
    try:
        for r in range(args.rounds):
            if "boucle" in only:
                db = tmp / f"boucle-{r}.db"
                with boucle_server(tmp, db) as server:
                    with urllib.request.urlopen(server + "/api/form-token", timeout=10) as response:
                        token = json.loads(response.read())["token"]
                    results["boucle"].append(run(server, boucle_request(server.port, token), db, args.workers,
                                                 args.duration))
                print("boucle", json.dumps(results["boucle"][-1]), flush=True)
            if "isso" in only:
                db = tmp / f"isso-{r}.db"
                with isso_server(venv, tmp, db) as server:
                    results["isso"].append(run(server, isso_request(server.port), db, args.workers, args.duration))
                print("isso", json.dumps(results["isso"][-1]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nwrites, a new connection per request, {args.workers} workers, {args.duration:g} s, "
          f"{args.rounds} interleaved rounds (median)")
    medians = {}
    for name, runs in results.items():
        if not runs:
            continue
        medians[name] = {key: statistics.median(r[key] for r in runs) for key in ("rps", "p50_ms", "p99_ms",
                                                                                   "client_cpu", "server_cpu_ms")}
        m = medians[name]
        print(f"{name:<7} {m['rps']:7.0f} req/s  p50 {m['p50_ms']:5.1f} ms  p99 {m['p99_ms']:5.1f} ms  "
              f"client CPU {100 * m['client_cpu']:3.0f} %  server CPU {m['server_cpu_ms']:.2f} ms/answer  "
              "per round: "
              + ", ".join(f"{r['rps']:.0f}" for r in runs))
        for i, r in enumerate(runs):
            # A comment stored whose answer the client never read (cut by the end of the run) is extra; an
            # answered one missing would be lost.
            extra = r["stored"] - r["ok"]
            verdict = "ok" if 0 <= extra <= args.workers + sum(r["errors"].values()) else "MISMATCH"
            print(f"  round {i + 1}: {r['ok']} 2xx, {r['non2xx']} other answers {r['statuses']}, errors "
                  f"{r['errors'] or 0}, {r['stored']} stored: {verdict}")
    if len(medians) == 2:
        print(f"Boucle / Isso: {medians['boucle']['rps'] / medians['isso']['rps']:.1f}×")


if __name__ == "__main__":
    main()
