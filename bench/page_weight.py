"""Measure what a reader downloads for an article page: HTML, CSS and JS (no images), uncompressed and gzipped.

Usage: .venv/bin/python bench/page_weight.py [--comments 10] [--slug negocier-son-salaire]
Builds the real site into a temporary folder with N approved comments on the article (half of them replies),
then prints the figures that go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import comments_store  # noqa: E402


def build(out: Path, db_path: Path) -> None:
    from pelican import Pelican
    from pelican.settings import read_settings

    os.chdir(ROOT)
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "OUTPUT_PATH": str(out), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False,
        "COMMENTS": {"db": str(db_path)}})
    Pelican(settings).run()


def seed(db_path: Path, slug: str, n: int) -> None:
    db = comments_store.open_db(db_path)
    comments_store.register_threads(db, [{"slug": slug, "title": slug, "url": f"/{slug}/", "lang": "fr"}])
    parent = None
    for i in range(n):
        body = (f"Commentaire {i + 1} : j'ai suivi ces conseils pour mon dernier entretien à Casablanca, "
                "et la discussion sur le **salaire** s'est bien mieux passée. Merci pour l'article !")
        c, _ = comments_store.add_comment(db, slug, comments_store.NewComment(
            author=f"Lectrice {i + 1}", body=body, parent_id=parent if i % 2 else None))
        comments_store.set_status(db, c.id, "approved")
        parent = c.id
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=10)
    parser.add_argument("--slug", default="negocier-son-salaire")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        seed(tmp / "bench.db", args.slug, args.comments)
        build(tmp / "out", tmp / "bench.db")
        page = tmp / "out" / args.slug / "index.html"
        html = page.read_bytes()
        parts = {"HTML": html}
        for kind, pattern in (("CSS", rb'<link rel="stylesheet" href="([^"]+)"'), ("JS", rb'<script src="([^"]+)"')):
            for ref in re.findall(pattern, html):
                parts[f"{kind} {ref.decode().rsplit('/', 1)[-1]}"] = (page.parent / ref.decode()).resolve().read_bytes()
        comments = len(re.findall(rb'class="comment"', html))
        print(f"article /{args.slug}/ with {comments} comments and the comment form")
        for name, data in parts.items():
            print(f"  {name:<18} {len(data):>7,} bytes  {len(gzip.compress(data)):>6,} gzipped")
        total = sum(len(b) for b in parts.values())
        print(f"  {'total':<18} {total:>7,} bytes  {sum(len(gzip.compress(b)) for b in parts.values()):>6,} gzipped"
              "  (target: 40,960 bytes uncompressed)")


if __name__ == "__main__":
    main()
