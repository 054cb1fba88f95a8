"""Build a realistic demo digest: twelve weeks of tagged comments from our labelled data, some of them reviewed.

Usage: .venv/bin/python bench/demo_digest.py [--out digests/demo] [--per-week 40] [--week 2026-W47]
Also used by bench/digest_speed.py to time the HTML digest of a large week.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import comments_store  # noqa: E402
from comments_store.clock import to_iso  # noqa: E402
from feedback import digest, store, tagging, themes  # noqa: E402
from feedback.classify import Classifier  # noqa: E402
from feedback.weeks import Week  # noqa: E402

NAMES = ["Nadia Benali", "Youssef El Idrissi", "Salma", "Omar Tazi", "Imane", "Karim B.", "Hind", "Amine Lahlou",
         "Sara", "Mehdi", "Laila Chraibi", "Reda", "Zineb", "Hamza", "Kenza"]
ARTICLES = [("cv-qui-se-fait-remarquer", "Un CV qui se fait remarquer en six secondes", "Conseils candidats"),
            ("alertes-emploi-plus-precises", "Les alertes emploi deviennent plus précises", "Nouveautés"),
            ("nouvelle-application-mobile", "Une nouvelle application mobile pour chercher un emploi", "Nouveautés"),
            ("tableau-de-bord-recruteur", "Nouveau tableau de bord pour les recruteurs", "Nouveautés"),
            ("recruter-a-distance", "Recruter à distance : ce qui marche vraiment", "Recrutement"),
            ("negocier-son-salaire", "Négocier son salaire sans gêne", "Conseils candidats")]


REPLIES = ["Corrigé dans la version 3.4 : l'envoi du CV accepte de nouveau les PDF. Merci !",
           "C'est fait : les alertes se règlent maintenant par ville.",
           "Réglé : l'application ne se ferme plus à l'ouverture d'une offre."]


@contextlib.contextmanager
def moment_is(when: dt.datetime):
    """Demo data only: the store's clock reads `when`, so replies and closings fall inside the demo weeks."""
    real = comments_store.clock.now
    comments_store.clock.now = lambda: when.astimezone(dt.timezone.utc)
    try:
        yield
    finally:
        comments_store.clock.now = real


def seed(db, week: Week, per_week: int, tz: str = "Africa/Casablanca", seed_value: int = 7,
         others: int | None = None, public: bool = False) -> None:
    """Comments over twelve weeks ending with `week` (`per_week` in it, about `others` in each earlier one).

    Texts come from our own labelled comments; with `public`, also from the public corpora (app-store reviews),
    so that a large week is not a few hundred texts repeated.
    """
    rng = random.Random(seed_value)
    data = ROOT / "feedback" / "data"
    files = [data / "ours" / "train.jsonl"] + (sorted((data / "public").glob("*.jsonl")) if public else [])
    texts = [json.loads(line)["text"] for path in files for line in open(path, encoding="utf-8")]
    texts = [t for t in texts if 10 <= len(t.strip()) <= 2000]  # what a comment form accepts, and says something
    comments_store.register_threads(db, [{"slug": s, "title": t, "url": f"/{s}/", "lang": "fr", "category": c}
                                         for s, t, c in ARTICLES])
    rows = []
    for k in range(11, -1, -1):
        w = week.shift(-k)
        base = per_week if others is None else others
        count = max(1, int(base * (0.6 + 0.4 * rng.random()))) if k else per_week
        for i in range(count):
            moment = dt.datetime.combine(w.monday, dt.time(8), ZoneInfo(tz)) + dt.timedelta(
                minutes=rng.randrange(7 * 24 * 60 - 9 * 60))
            slug = rng.choice(ARTICLES)[0]
            rows.append({"slug": slug, "author": rng.choice(NAMES), "body": f"{rng.choice(texts)}",
                         "created_at": to_iso(moment)})
    seen = set()
    unique = []
    for row in rows:  # the same text twice on one article would be refused as a duplicate anywhere else
        key = (row["slug"], row["body"])
        if key in seen:
            row = {**row, "body": row["body"] + f" ({len(unique)})"}
        seen.add(key)
        unique.append(row)
    comments_store.import_comments(db, unique)
    tagging.tag_comments(db, Classifier.load())
    start, end = week.bounds(tz)
    week_items = [i for i in store.items(db, start=start, end=end) if i.labels]
    for item in week_items[: max(1, len(week_items) // 5)]:
        store.set_status(db, item.comment_id, "triaged", author="po@atlas-emploi")
    before = store.items(db, start=week.shift(-1).bounds(tz)[0], end=start)
    monday = dt.datetime.combine(week.monday, dt.time(10), ZoneInfo(tz))
    for n, item in enumerate([i for i in before if i.labels][:3]):
        with moment_is(monday + dt.timedelta(days=n + 1)):  # closed during the week, with a public reply
            comments_store.add_team_reply(db, item.comment_id, REPLIES[n])
            store.set_status(db, item.comment_id, "done", author="po@atlas-emploi", note="Corrigé dans la version 3.4")
    earlier = [i for i in store.items(db, end=week.shift(-1).bounds(tz)[0]) if i.labels]
    for item in earlier[::7]:  # some earlier feedback answered two days after it came
        with moment_is(comments_store.clock.parse_iso(item.created_at) + dt.timedelta(days=2)):
            comments_store.add_team_reply(db, item.comment_id, "Merci, nous regardons.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="digests/demo")
    parser.add_argument("--per-week", type=int, default=40)
    parser.add_argument("--week", default="2026-W47")
    parser.add_argument("--screenshot", help="also save a PNG of the HTML digest here (docs/digest-demo.png)")
    args = parser.parse_args()
    week = Week.parse(args.week)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.prepare(comments_store.open_db(Path(tmp) / "demo.db"))
        seed(db, week, args.per_week)
        themes.update(db)  # as tagging does
        data = digest.build(db, week, digest.Settings(site_url="http://127.0.0.1:8000"))
        for path in digest.write(data, args.out):
            print(path)
    if args.screenshot:
        screenshot(Path(args.out) / f"{week}.html", Path(args.screenshot))
        print(args.screenshot)


def screenshot(page: Path, out: Path, width: int = 820, height: int = 1700) -> None:
    """The top of the HTML digest as a reader's e-mail client shows it, in Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("BOUCLE_CHROMIUM", "/usr/bin/chromium"),
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page(viewport={"width": width, "height": height})
            tab.goto(page.resolve().as_uri())
            tab.screenshot(path=str(out), clip={"x": 0, "y": 0, "width": width, "height": height})
        finally:
            browser.close()


if __name__ == "__main__":
    main()
