"""Benchmark: a cold build of N generated posts with C published comments, ours against plain Pelican, and the
time from one approval to its baked page.

Usage: .venv/bin/python bench/build_site.py [--posts 2000] [--comments 20000] [--rounds 3] [--bakes 5]
Each build runs in its own process (wall time, peak memory of that process); the builds are interleaved
(plain, ours, plain, ours…) so that a machine shared with other work slows both alike; medians are reported.
The bake is timed as `make run` does it: the rebuilder watching the store and the warm baker writing the pages,
from the moment the approval is committed until the article's file holds the comment.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORDS = (
    "candidat recruteur entretien salaire contrat stage offre emploi compétence équipe projet "
    "Casablanca Rabat Marrakech Tanger Agadir Fès application alerte profil candidature réponse "
    "formation expérience télétravail entreprise poste mission résultat semaine conseil"
).split()
CATEGORIES = ["Conseils candidats", "Recrutement", "Nouveautés", "Vie de l'équipe", "Études"]
TAGS = ["cv", "entretien", "salaire", "stage", "produit", "télétravail", "marque employeur", "premier emploi",
        "alertes emploi", "application mobile", "offre d'emploi", "négociation"]


def generate(content: Path, posts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2024, 1, 1, 9, 0)
    content.mkdir(parents=True)
    for i in range(posts):
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize() + f" {i}"
        paras = []
        for _ in range(rng.randint(4, 9)):
            paras.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))).capitalize() + ".")
        body = "\n\n".join(paras[:2] + ["## " + rng.choice(WORDS).capitalize()] + paras[2:])
        tags = ", ".join(rng.sample(TAGS, 3))
        date = start + dt.timedelta(hours=7 * i)
        (content / f"post-{i:05d}.md").write_text(
            f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\nCategory: {rng.choice(CATEGORIES)}\nTags: {tags}\n"
            f"Slug: article-{i:05d}\nSummary: {paras[0][:160]}\n\n{body}\n",
            encoding="utf-8",
        )


def seed_comments(db_path: Path, posts: int, comments: int, seed: int = 11) -> None:
    """Register the generated articles as threads and give them `comments` published comments, unevenly."""
    sys.path.insert(0, str(ROOT))
    import comments_store

    db = comments_store.open_db(db_path)
    comments_store.register_threads(db, [{"slug": f"article-{i:05d}", "title": f"Article {i}",
                                          "url": f"/article-{i:05d}/", "lang": "fr"} for i in range(posts)])
    rng = random.Random(seed)
    start = dt.datetime(2025, 1, 1, 8, 0)
    rows = ({"slug": f"article-{min(posts - 1, int(rng.paretovariate(1.2)) - 1 + rng.randrange(posts) // 4):05d}",
             "author": f"Lecteur {n}", "created_at": f"{start + dt.timedelta(minutes=3 * n):%Y-%m-%dT%H:%M:%SZ}",
             "body": " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60))).capitalize() + f". ({n})"}
            for n in range(comments))
    comments_store.import_comments(db, rows)
    db.close()


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, float, float]:
    """Run `cmd`; return (seconds, CPU seconds, peak RSS in MiB, system CPU seconds) of that process alone.

    CPU time (user + system) is what a busy shared machine disturbs least: the other work stretches the wall
    time of a build, much less the CPU time it needs. Its system part (the kernel creating folders and files)
    is reported apart: it varies most from one run to the next."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed: {' '.join(cmd)}\n{proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, usage.ru_stime


def bake_worker(tmp: Path, bakes: int, posts: int) -> None:
    """In its own process: the warm baker's first build, then `bakes` approvals timed to their baked page."""
    sys.path.insert(0, str(ROOT))
    import comments_store
    from pelican_comments.rebuild import SiteRebuilder, WarmBaker, store_state

    db_path = str(tmp / "bench.db")
    baker = WarmBaker(ROOT, overrides={"PATH": str(tmp / "content"), "OUTPUT_PATH": str(tmp / "bake-out"),
                                       "CACHE_PATH": str(tmp / "bake-cache"), "COMMENTS": {"db": db_path}})
    t0 = time.perf_counter()
    baker()
    first = time.perf_counter() - t0
    rebuilder = SiteRebuilder(store_state(db_path), baker).start()
    db = comments_store.open_db(db_path)
    times = []
    try:
        for n in range(bakes):
            slug = f"article-{(n * 397) % posts:05d}"
            comment, _ = comments_store.add_comment(db, slug, comments_store.NewComment(
                author="Banc d'essai", body=f"Commentaire approuvé numéro {n}, {time.time()}."))
            page = tmp / "bake-out" / slug / "index.html"
            time.sleep(2)  # a quiet spell, as between two moderators' clicks
            t0 = time.perf_counter()
            comments_store.set_status(db, comment.id, "approved")
            while f'id="comment-{comment.id}"' not in page.read_text(encoding="utf-8"):
                time.sleep(0.005)
            times.append(time.perf_counter() - t0)
    finally:
        rebuilder.stop()
        db.close()
    print(json.dumps({"first": first, "bakes": times, "full": baker.full_builds, "selective": baker.selective_bakes}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved cold builds of each kind")
    parser.add_argument("--bakes", type=int, default=5, help="approvals timed to their baked page")
    parser.add_argument("--bake-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bake_worker:
        return bake_worker(Path(args.bake_worker), args.bakes, args.posts)
    pelican = str(Path(sys.executable).with_name("pelican"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        generate(tmp / "content", args.posts)
        seed_comments(tmp / "bench.db", args.posts, args.comments)
        plain = tmp / "plainconf.py"
        plain.write_text(
            f"PATH = {str(tmp / 'content')!r}\nSITENAME = 'Plain'\nSITEURL = ''\nTIMEZONE = 'Africa/Casablanca'\n"
            "DEFAULT_LANG = 'fr'\nDEFAULT_PAGINATION = 5\nFEED_ALL_ATOM = 'feeds/all.atom.xml'\n"
            "CATEGORY_FEED_ATOM = 'feeds/{slug}.atom.xml'\nPLUGINS = []\n",
            encoding="utf-8",
        )
        comments = "COMMENTS=" + json.dumps({"db": str(tmp / "bench.db")})
        runs = {
            "Pelican 4.12, default theme (notmyidea), default settings": [
                pelican, "-q", "-s", str(plain), "-o", str(tmp / "plain-out")],
            f"Boucle theme, settings, plugin, {args.comments:,} comments baked, cold": [
                pelican, "-q", "-s", "pelicanconf.py", "-o", str(tmp / "ours-out"),
                "-e", f'PATH="{tmp / "content"}"', "CACHE_CONTENT=false", "LOAD_CONTENT_CACHE=false", comments],
        }
        print(f"{args.posts:,} generated posts, {args.comments:,} published comments, Python "
              f"{sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
        seconds: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        peaks: dict[str, list[float]] = {name: [] for name in runs}
        system: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.rounds):
            for name, cmd in runs.items():
                out = Path(cmd[cmd.index("-o") + 1])
                if out.exists():
                    subprocess.run(["rm", "-rf", str(out)], check=True)
                took, used, peak, kernel = timed(cmd, ROOT)
                system[name].append(kernel)
                seconds[name].append(took)
                cpu[name].append(used)
                peaks[name].append(peak)
        (plain_name, plain_cmd), (ours_name, _) = runs.items()
        print(f"{'build':<66} {'median s':>9} {'runs':>30} {'CPU s':>6} {'runs':>30} {'peak MiB':>9} {'files':>6}")
        for name, cmd in runs.items():
            files = sum(1 for _ in Path(cmd[cmd.index("-o") + 1]).rglob("*.html"))
            each = ", ".join(f"{s:.1f}" for s in seconds[name])
            each_cpu = ", ".join(f"{s:.1f}" for s in cpu[name])
            print(f"{name:<66} {statistics.median(seconds[name]):9.1f} {each:>30} {statistics.median(cpu[name]):6.1f} "
                  f"{each_cpu:>30} {statistics.median(peaks[name]):9.0f} {files:6d}")
        user = {name: [c - k for c, k in zip(cpu[name], system[name])] for name in runs}
        for name in runs:
            print(f"{name}: CPU user {statistics.median(user[name]):.2f} s "
                  f"({', '.join(f'{u:.2f}' for u in user[name])}), system {statistics.median(system[name]):.2f} s "
                  f"({', '.join(f'{k:.2f}' for k in system[name])})")
        for what, values in (("wall", seconds), ("CPU", cpu), ("CPU user", user)):
            ratios = [o / p for o, p in zip(values[ours_name], values[plain_name])]
            print(f"{what} time ratio ours / plain Pelican: "
                  f"{statistics.median(values[ours_name]) / statistics.median(values[plain_name]):.2f} (median of the "
                  f"rounds' ratios {statistics.median(ratios):.2f}; each {', '.join(f'{r:.2f}' for r in ratios)})")
        worker = subprocess.run([sys.executable, __file__, "--bake-worker", str(tmp), "--bakes", str(args.bakes),
                                 "--posts", str(args.posts)],
                                cwd=ROOT, capture_output=True, text=True)
        if worker.returncode != 0:
            sys.exit(f"bake failed:\n{worker.stderr[-2000:]}")
        bake = json.loads(worker.stdout.strip().splitlines()[-1])
        print(f"warm baker's first build (make run's start, content cache filled): {bake['first']:.1f} s")
        print(f"one approval to its baked page ({len(bake['bakes'])} approvals, the rebuilder polling every 0.2 s): "
              f"median {statistics.median(bake['bakes']):.2f} s, max {max(bake['bakes']):.2f} s "
              f"(each {', '.join(f'{t:.2f}' for t in bake['bakes'])}); ratio to our cold build "
              f"{statistics.median(bake['bakes']) / statistics.median(seconds[ours_name]):.3f}")


if __name__ == "__main__":
    main()
