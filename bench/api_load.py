"""Side-by-side load test of the comment API, run by hand (figures go in docs/benchmarks.md).

  .venv/bin/python bench/api_load.py [--duration 15] [--isso-venv PATH] [--scenario write]

In one run, on loopback: our API, Isso 0.14 (from PyPI, installed into a
throw-away virtual environment unless --isso-venv names one), and a bare Flask
route returning the same 50-comment JSON (the ceiling). Each server is
gunicorn with 2 sync workers pinned to core 0; the load generator, wrk
(Debian's package), is pinned to core 1. Scenarios:

  read   GET one 50-comment thread, 32 connections
  write  POST comments spread over 100 articles, 16 connections
  mixed  90 % reads / 10 % writes, 32 connections

With --only make-run: Boucle under the server `make run` starts (waitress, comments_api/server.py, 8 threads);
--only make-run-before: under what `make run` started before it (gunicorn with deploy/gunicorn.conf.py, one
worker, 8 threads). Both pinned to core 0 like the others.

After each write scenario the stored comments are counted and compared with
the 2xx answers wrk saw. Moderation and rate limits are off on both servers.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORTS = {"boucle": 18301, "isso": 18302, "flask": 18303, "make-run": 18304, "make-run-before": 18305}
THREADS = 100

WRITE_LUA = """
local tokens = {%(tokens)s}
local n = 0
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
function init(args) tid = wrk.thread:get("tid"); math.randomseed(tid * 7919) end
function request()
  n = n + 1
  local slug = (n * 7 + tid) %% %(threads)d
  local body = '{"author": "Lecteur"%(extra)s, "%(field)s": "Commentaire ' .. tid .. '-' .. n .. ' sur l article ' .. slug .. '"}'
  return wrk.format("POST", string.format(%(write_path)s, slug), {["Content-Type"] = "application/json"}, body)
end
"""
MIXED_LUA = """
local tokens = {%(tokens)s}
local n = 0
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
function init(args) tid = wrk.thread:get("tid") end
function request()
  n = n + 1
  if n %% 10 == 0 then
    local slug = (n * 7 + tid) %% %(threads)d
    local body = '{"author": "Lecteur"%(extra)s, "%(field)s": "Mixte ' .. tid .. '-' .. n .. ' sur l article ' .. slug .. '"}'
    return wrk.format("POST", string.format(%(write_path)s, slug), {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", %(read_path)s)
end
"""
# The text of a comment is "body" for Boucle and "text" for Isso.
FIELDS = {"boucle": "body", "isso": "text"}
# Boucle refuses a post without a fill-time token: each wrk thread (a client) sends the one it fetched.
TOKEN_FIELD = {"boucle": ', "ts": "\' .. tokens[tid] .. \'"', "isso": ""}
WRK_THREADS = 2


def form_tokens(base: str, count: int = WRK_THREADS) -> str:
    """One fill-time token per wrk thread, as a Lua list."""
    tokens = []
    for _ in range(count):
        with urllib.request.urlopen(base + "/api/form-token", timeout=10) as response:
            tokens.append(json.loads(response.read())["token"])
    return ", ".join(f'"{t}"' for t in tokens)


def wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not start: {url}")


def gunicorn(python: str, app: str, port: int, env: dict, cwd: Path) -> subprocess.Popen:
    cmd = ["taskset", "-c", "0", python, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
           "--log-level", "warning", app]
    return subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **env}, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def wrk(url: str, connections: int, duration: int, script: Path | None) -> dict:
    cmd = ["taskset", "-c", "1", "wrk", f"-t{WRK_THREADS}", f"-c{connections}", f"-d{duration}s", "--latency",
           "--timeout", "5s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p99_ms": float(p99.group(1)) * scale,
            "ok": total - non2xx, "non2xx": non2xx, "errors": errors}


def seed_boucle(db_path: Path) -> None:
    import comments_store

    db = comments_store.open_db(db_path)
    comments_store.register_threads(db, [{"slug": f"article-{i}", "title": f"Article {i}", "url": f"/article-{i}/"}
                                         for i in range(THREADS)])
    comments_store.import_comments(db, ({"slug": "article-0", "author": f"Lecteur {i}",
                                         "body": f"Un commentaire de lecteur, numéro {i}, avec **un peu** de texte."}
                                        for i in range(50)))
    db.close()


def seed_isso(port: int) -> None:
    for i in range(50):
        data = json.dumps({"text": f"Un commentaire de lecteur, numéro {i}, avec **un peu** de texte.",
                           "author": f"Lecteur {i}", "title": "Article 0"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/new?uri=%2Farticle-0%2F", data=data,
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()
    for i in range(1, THREADS):  # threads exist before the write test, as on a blog
        data = json.dumps({"text": "Premier commentaire.", "author": "Lecteur", "title": f"Article {i}"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/new?uri=%2Farticle-{i}%2F", data=data,
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()


class Server(str):
    """A running server's base URL that also knows its process group (gunicorn and its workers)."""

    def __new__(cls, base: str, pgid: int):
        server = super().__new__(cls, base)
        server.pgid = pgid
        return server

    @property
    def port(self) -> int:
        return int(self.rsplit(":", 1)[1])

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server's processes (the ones alive now), from /proc."""
        total, tick = 0, os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.pgid:  # fields after the name: state, ppid, pgrp, ..., utime (11), stime (12)
                total += int(fields[11]) + int(fields[12])
        return total / tick


def boucle_env(tmp: Path, db: Path) -> dict:
    """Boucle's settings for a load test: moderation, rate limits, duplicate and fill-time checks off."""
    return {"BOUCLE_DB": str(db), "BOUCLE_INSTANCE": str(tmp / "instance"), "BOUCLE_SERVE_SITE": "0",
            "BOUCLE_RATE_LIMIT": "off", "BOUCLE_MODERATION": "none", "BOUCLE_SECRET_KEY": "bench",
            "BOUCLE_ADMIN_TOKEN": "bench-token", "BOUCLE_DUPLICATE_WINDOW": "0", "BOUCLE_MIN_FILL_SECONDS": "0"}


@contextlib.contextmanager
def boucle_server(tmp: Path, db: Path, *, seed: bool = True, port: int = PORTS["boucle"],
                  extra_env: dict | None = None):
    """Our API under gunicorn (2 sync workers, core 0) on `db`, seeded unless told not to; yields it (Server)."""
    if seed:
        seed_boucle(db)
    server = gunicorn(str(ROOT / ".venv" / "bin" / "python"), "comments_api:create_app()", port,
                      {**boucle_env(tmp, db), **(extra_env or {})}, ROOT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/api/health")
        yield Server(base, server.pid)
    finally:
        stop(server)


@contextlib.contextmanager
def isso_server(venv: Path, tmp: Path, db: Path, port: int = PORTS["isso"]):
    """Isso 0.14 under gunicorn (2 sync workers, core 0) on `db`, moderation and guard off, seeded; yields it
    (Server)."""
    config = tmp / f"isso-{db.stem}.cfg"
    config.write_text(textwrap.dedent(f"""
        [general]
        dbpath = {db}
        host = http://127.0.0.1:{port}/
        [moderation]
        enabled = false
        [guard]
        enabled = false
        [server]
        listen = http://127.0.0.1:{port}/
    """))
    server = gunicorn(str(venv / "bin" / "python"), "isso.run", port, {"ISSO_SETTINGS": str(config)}, tmp)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base + "/info")
        seed_isso(port)
        yield Server(base, server.pid)
    finally:
        stop(server)


def isso_venv(given: str | None, tmp: Path) -> Path:
    if given:
        return Path(given)
    venv = tmp / "isso-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([venv / "bin" / "pip", "install", "-q", "isso==0.14.0", "gunicorn"], check=True)
    return venv


def stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM comments").fetchone()[0]


SCENARIOS = ("read", "write", "mixed")


def scenarios(base: str, read_path: str, db: Path, scripts: Path, duration: int, which=SCENARIOS) -> dict:
    """The scenarios against one server; `scripts` is the prefix of its -write.lua and -mixed.lua."""
    result = {"read": wrk(base + read_path, 32, duration, None)} if "read" in which else {}
    for name, connections in (("write", 16), ("mixed", 32)):
        if name not in which:
            continue
        before = stored(db)
        result[name] = wrk(base, connections, duration, Path(f"{scripts}-{name}.lua"))
        result[name]["stored"] = stored(db) - before
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--isso-venv")
    parser.add_argument("--only", choices=sorted(PORTS), action="append")
    parser.add_argument("--scenario", choices=SCENARIOS, action="append", help="all three unless named")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="boucle-load-"))
    results: dict[str, dict] = {}
    only = set(args.only or PORTS)
    which = tuple(args.scenario or SCENARIOS)

    # --- Boucle
    boucle_db = tmp / "boucle.db"
    seed_boucle(boucle_db)
    env = boucle_env(tmp, boucle_db)
    read_path = "/api/threads/article-0/comments"
    read_paths = {"boucle": read_path, "isso": "/?uri=%2Farticle-0%2F"}

    def write_scripts(name: str, write_path: str, tokens: str = "") -> None:
        values = {"threads": THREADS, "write_path": write_path, "field": FIELDS[name], "tokens": tokens,
                  "extra": TOKEN_FIELD[name], "read_path": f'"{read_paths[name]}"'}
        (tmp / f"{name}-write.lua").write_text(WRITE_LUA % values)
        (tmp / f"{name}-mixed.lua").write_text(MIXED_LUA % values)

    write_scripts("isso", '"/new?uri=%%2Farticle-%d%%2F"')

    fixed_json = None
    if "boucle" in only or "flask" in only:
        with boucle_server(tmp, boucle_db, seed=False) as base:
            with urllib.request.urlopen(base + read_path) as response:
                fixed_json = response.read()
            if "boucle" in only:
                write_scripts("boucle", '"/api/threads/article-%d/comments"', form_tokens(base))
                results["boucle"] = scenarios(base, read_paths["boucle"], boucle_db, tmp / "boucle", args.duration,
                                               which)

    # --- Boucle under `make run`'s server, and under the one it replaced (same app, same data)
    commands = {"make-run": ["-m", "comments_api.server"],
                "make-run-before": ["-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]}
    for name, command in commands.items():
        if name not in only:
            continue
        seed_boucle(tmp / f"{name}.db")
        server_env = {**os.environ, **env, "BOUCLE_DB": str(tmp / f"{name}.db"), "BOUCLE_PORT": str(PORTS[name]),
                      "BOUCLE_THREADS": "8", "BOUCLE_WORKERS": "1"}
        server = subprocess.Popen(["taskset", "-c", "0", str(ROOT / ".venv" / "bin" / "python"), *command], cwd=ROOT,
                                  env=server_env, start_new_session=True, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{PORTS[name]}"
            wait_up(base + "/api/health")
            results[name] = scenarios(base, read_path, tmp / f"{name}.db", tmp / "boucle", args.duration, which)
        finally:
            stop(server)

    # --- bare Flask: the same JSON bytes from a route that does nothing else (the ceiling)
    if "flask" in only and fixed_json is not None:
        (tmp / "bare.json").write_bytes(fixed_json)
        (tmp / "bare_app.py").write_text(textwrap.dedent("""
            from pathlib import Path
            from flask import Flask, Response
            app = Flask(__name__)
            BODY = (Path(__file__).parent / "bare.json").read_bytes()
            @app.get("/api/threads/<slug>/comments")
            def thread(slug):
                return Response(BODY, mimetype="application/json")
        """))
        server = gunicorn(str(ROOT / ".venv" / "bin" / "python"), "bare_app:app", PORTS["flask"], {}, tmp)
        try:
            base = f"http://127.0.0.1:{PORTS['flask']}"
            wait_up(base + read_path)
            results["flask"] = {"read": wrk(base + read_path, 32, args.duration, None)}
        finally:
            stop(server)

    # --- Isso
    if "isso" in only:
        isso_db = tmp / "isso.db"
        with isso_server(isso_venv(args.isso_venv, tmp), tmp, isso_db) as base:
            results["isso"] = scenarios(base, read_paths["isso"], isso_db, tmp / "isso", args.duration, which)

    print(json.dumps(results, indent=2))
    for name in ("make-run-before", "make-run"):
        if name in results:
            print(name, " ".join(f"{k}: {v['rps']:.0f}/s p99 {v['p99_ms']:.0f}ms" for k, v in results[name].items()))
    b, i, f = results.get("boucle"), results.get("isso"), results.get("flask")
    print(f"\n{'scenario':<8} {'Isso':>18} {'Boucle':>18} {'bare Flask':>12}  ratios")
    for scenario in ("read", "write", "mixed"):
        def cell(r):
            return f"{r[scenario]['rps']:7.0f}/s p99 {r[scenario]['p99_ms']:5.0f}ms" if r and scenario in r else "-"
        ratio = []
        if b and i and scenario in i:
            ratio.append(f"{b[scenario]['rps'] / i[scenario]['rps']:.1f}× Isso")
        if b and f and scenario in f:
            ratio.append(f"{100 * b[scenario]['rps'] / f[scenario]['rps']:.0f} % of bare Flask")
        print(f"{scenario:<8} {cell(i):>18} {cell(b):>18} {cell(f):>12}  {', '.join(ratio)}")
    for name, r in results.items():
        for scenario in ("write", "mixed"):
            if scenario in r:
                writes = r[scenario]["stored"]
                line = f"{name} {scenario}: {writes} stored"
                if scenario == "write":
                    # wrk stops counting with requests in flight: those are stored but not counted as answered.
                    extra = writes - r[scenario]["ok"]
                    verdict = "ok" if 0 <= extra <= 16 else "MISMATCH"
                    line += f", {r[scenario]['ok']} 2xx answers ({extra} in flight when wrk stopped): {verdict}"
                print(line)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
