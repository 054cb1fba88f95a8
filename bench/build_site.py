"""Benchmark: build N generated posts with our theme and settings, and with plain Pelican, in one run.

Usage: .venv/bin/python bench/build_site.py [--posts 2000]
Each build runs in its own process; we report wall time and peak memory (max RSS) of that process.
"""
from __future__ import annotations

import argparse
import json
import datetime as dt
import os
import random
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


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Run `cmd`; return (seconds, peak RSS in MiB) of that process alone."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed: {' '.join(cmd)}\n{proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    args = parser.parse_args()
    pelican = str(Path(sys.executable).with_name("pelican"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        generate(tmp / "content", args.posts)
        plain = tmp / "plainconf.py"
        plain.write_text(
            f"PATH = {str(tmp / 'content')!r}\nSITENAME = 'Plain'\nSITEURL = ''\nTIMEZONE = 'Africa/Casablanca'\n"
            "DEFAULT_LANG = 'fr'\nDEFAULT_PAGINATION = 5\nFEED_ALL_ATOM = 'feeds/all.atom.xml'\n"
            "CATEGORY_FEED_ATOM = 'feeds/{slug}.atom.xml'\nPLUGINS = []\n",
            encoding="utf-8",
        )
        # The comment plugin registers the 2,000 articles in a throwaway database, never the project's.
        comments = "COMMENTS=" + json.dumps({"db": str(tmp / "bench.db")})
        runs = {
            "Pelican 4.12, default theme (notmyidea), default settings": [
                pelican, "-q", "-s", str(plain), "-o", str(tmp / "plain-out")],
            "Boucle theme, settings and comment plugin, cold (no cache)": [
                pelican, "-q", "-s", "pelicanconf.py", "-o", str(tmp / "ours-out"),
                "-e", f'PATH="{tmp / "content"}"', "CACHE_CONTENT=false", "LOAD_CONTENT_CACHE=false", comments],
            "Boucle, warm cache (rebuild after one change)": [
                pelican, "-q", "-s", "pelicanconf.py", "-o", str(tmp / "ours-out"),
                "-e", f'PATH="{tmp / "content"}"', f'CACHE_PATH="{tmp / "cache"}"', "CACHE_CONTENT=true",
                "LOAD_CONTENT_CACHE=true", comments],
        }
        print(f"{args.posts} generated posts, Python {sys.version.split()[0]}, {os.cpu_count()} cores")
        print(f"{'build':<66} {'seconds':>8} {'peak MiB':>9} {'files':>6}")
        for name, cmd in runs.items():
            if "warm" in name:
                timed(cmd, ROOT)  # fill the cache
                first = tmp / "content" / "post-00000.md"
                first.write_text(first.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
            seconds, peak = timed(cmd, ROOT)
            out = Path(cmd[cmd.index("-o") + 1])
            files = sum(1 for _ in out.rglob("*.html"))
            print(f"{name:<66} {seconds:8.1f} {peak:9.0f} {files:6d}")


if __name__ == "__main__":
    main()
