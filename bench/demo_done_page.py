"""Build the demo blog with a few feedback items done, and take the screenshot of its public page.

Usage: .venv/bin/python bench/demo_done_page.py [--png docs/done-page.png]
The page is served from a temporary folder on a free loopback port and photographed by headless Chromium
(Debian's /usr/bin/chromium, driven by Playwright). Nothing is written outside the temporary folder but the PNG.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import comments_store  # noqa: E402
from conftest import build_site  # noqa: E402
from feedback import store  # noqa: E402

# (article slug, reader, their comment, labels, the team's answer, theme, closed at)
ITEMS = [
    ("cv-qui-se-fait-remarquer", "Salma Idrissi", "Le téléversement de mon CV en PDF échoue à chaque fois.",
     ["problem"], "Corrigé dans la version 3.4 : les PDF jusqu'à 10 Mo passent.", "CV qui ne se téléverse pas",
     "2026-11-28T10:00:00Z"),
    ("cv-qui-se-fait-remarquer", "Youssef El Idrissi", "Impossible d'envoyer mon CV depuis mon téléphone.",
     ["problem"], "C'était le même souci : réglé en 3.4, merci Youssef.", "CV qui ne se téléverse pas",
     "2026-11-28T10:05:00Z"),
    ("alertes-emploi-plus-precises", "Nadia Benali", "Il faudrait pouvoir filtrer les alertes par ville.",
     ["suggestion"], "C'est fait : choisissez vos villes dans « Mes alertes ».", "Alertes emploi",
     "2026-11-26T15:00:00Z"),
    ("nouvelle-application-mobile", "Omar Tazi", "L'application se ferme quand je postule sans connexion.",
     ["problem"], "La candidature attend maintenant le retour du réseau.", None, "2026-11-21T09:30:00Z"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", default=str(ROOT / "docs" / "done-page.png"))
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="boucle-done-"))
    location = str(tmp / "demo.db")
    build_site(tmp / "first", COMMENTS={"db": location})  # registers the demo's articles as threads
    db = store.prepare(comments_store.open_db(location))
    themes: dict[str, int] = {}
    for slug, author, body, labels, answer, theme, closed in ITEMS:
        comment, _ = comments_store.add_comment(db, slug, comments_store.NewComment(author=author, body=body),
                                                moderation="none")
        with comments_store.write(db):
            db.execute("INSERT INTO feedback_items (comment_id, lang, model_version, tagged_at) "
                       "VALUES (?, 'fr', 'demo', ?)", [comment.id, closed])
        store.set_human_labels(db, comment.id, labels, author="Samira")
        store.set_status(db, comment.id, "done", author="Samira")
        comments_store.add_team_reply(db, comment.id, answer)
        with comments_store.write(db):
            db.execute("UPDATE feedback_status SET updated_at = ? WHERE comment_id = ?", [closed, comment.id])
            if theme and theme not in themes:
                themes[theme] = db.execute("INSERT INTO feedback_themes (name, named_by, created_at, updated_at) "
                                           "VALUES (?, 'human', ?, ?) RETURNING id", [theme, closed, closed]
                                           ).fetchone()[0]
            if theme:
                db.execute("INSERT INTO feedback_theme_items (comment_id, theme_id, source, placed_at) "
                           "VALUES (?, ?, 'human', ?)", [comment.id, themes[theme], closed])
    db.close()
    out = build_site(tmp / "out", COMMENTS={"db": location})
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="fr-FR")
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/nous-l-avons-fait/")
            page.screenshot(path=args.png, full_page=True)
            browser.close()
    finally:
        server.shutdown()
    print(f"{args.png} written (site in {out})")


if __name__ == "__main__":
    main()
