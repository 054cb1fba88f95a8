"""Every comment in its own language: detected when stored, kept, and shown with its own lang and dir."""
from __future__ import annotations

import re

import pytest

import comments_store
from comments_store import NewComment
from conftest import build_site, location_of

pytestmark = pytest.mark.both_databases

SLUG = "negocier-son-salaire"

CASES = [
    ("Merci pour cet article, il m'a beaucoup aidé avant mon entretien.", "fr", "ltr"),
    ("Thanks for this post, it really helped me before my interview.", "en", "ltr"),
    ("شكرا على هذا المقال، لقد ساعدني كثيرا قبل المقابلة", "ar", "rtl"),
    ("ok !", "fr", "ltr"),  # too short to tell: the page's language
]


@pytest.mark.parametrize("body, lang, direction", CASES)
def test_a_comment_is_stored_with_its_own_language(db, body, lang, direction):
    """The store marks a comment on a French page with the language it is written in, and its direction."""
    comment, _ = comments_store.add_comment(db, SLUG, NewComment(author="Lina", body=body, lang="fr"))
    assert (lang, direction) == (comment.lang, comment.public()["dir"])


def test_an_edit_is_detected_again(db):
    """A comment rewritten in another language (before it is published) takes that language."""
    comment, token = comments_store.add_comment(db, SLUG, NewComment(author="Lina", body="Merci beaucoup pour cet "
                                                                                        "article très clair."))
    import datetime as dt

    outcome = comments_store.edit_own(db, SLUG, comment.id, token, "Thank you so much for this very clear post.",
                                      window=dt.timedelta(minutes=15))
    assert "en" == outcome.comment.lang


def test_a_team_reply_has_its_own_language(db):
    """The team answering in English under a French comment is marked English."""
    comment, _ = comments_store.add_comment(db, SLUG, NewComment(author="Lina", body="Le filtre ne marche pas du tout."),
                                            moderation="none")
    reply = comments_store.add_team_reply(db, comment.id, "Thanks, this is fixed now, it should work for you.")
    assert "en" == reply.lang


def test_the_migration_detects_the_language_of_comments_stored_before(db, backend):
    """Migration 0012 marks comments stored with the page's language with their own (here Arabic)."""
    comment, _ = comments_store.add_comment(db, SLUG, NewComment(author="Salma", body=CASES[2][0]))
    # Back to the state before 0012: the page's language on every comment, the step not applied.
    with comments_store.write(db):
        db.execute("UPDATE comments SET lang = 'fr'")
        db.execute("DROP TABLE reply_notices")
        db.execute("DROP TABLE reply_subscriptions")
        record = "_sqlite_migrations" if backend == "sqlite" else "_boucle_migrations"
        db.execute(f"DELETE FROM {record} WHERE name = '0012_reply_notifications_and_comment_lang'")
    again = comments_store.open_db(location_of(db))
    try:
        assert "ar" == comments_store.get_comment(again, comment.id).lang
    finally:
        again.close()


def test_the_api_gives_each_comment_its_lang_and_dir(app):
    """GET /api/threads/<slug>/comments carries `lang` and `dir` for each comment."""
    client = app.test_client()
    ts = client.get("/api/form-token").get_json()["token"]
    client.post(f"/api/threads/{SLUG}/comments", json={"author": "Salma", "body": CASES[2][0], "lang": "fr",
                                                       "ts": ts})
    db = comments_store.open_db(app.config["DB_PATH"])
    try:
        for comment in comments_store.search(db)[0]:
            comments_store.set_status(db, comment.id, "approved")
    finally:
        db.close()
    [comment] = client.get(f"/api/threads/{SLUG}/comments").get_json()["comments"]
    assert ("ar", "rtl") == (comment["lang"], comment["dir"])


def test_the_no_js_reply_page_speaks_the_articles_language(app):
    """The reply page of a French article is French even for a browser asking for English."""
    db = comments_store.open_db(app.config["DB_PATH"])
    try:
        parent, _ = comments_store.add_comment(db, SLUG, NewComment(author="Sam", body=CASES[1][0]),
                                               moderation="none")
    finally:
        db.close()
    html = app.test_client().get(f"/api/threads/{SLUG}/comments/{parent.id}/reply",
                                 headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r'<html lang="fr"', html)
    assert "Commentaire" in html and 'name="lang" value="fr"' in html


def test_baked_comments_carry_their_own_lang_and_dir(tmp_path, backend):
    """The built page marks an Arabic comment on a French article lang="ar" dir="rtl", and a French one "fr"."""
    if backend != "sqlite":
        pytest.skip("the build reads a SQLite file here")
    db_path = tmp_path / "c.db"
    db = comments_store.open_db(db_path)
    comments_store.register_threads(db, [{"slug": SLUG, "title": "N", "url": "/n/", "lang": "fr"}])
    ids = [comments_store.add_comment(db, SLUG, NewComment(author="R", body=body), moderation="none")[0].id
           for body, _, _ in CASES[:3]]
    db.close()
    html = (build_site(tmp_path / "out", COMMENTS={"db": str(db_path)}) / SLUG / "index.html").read_text()
    found = {int(m[0]): (m[1], m[2]) for m in re.findall(r'id="comment-(\d+)" data-id="\d+" data-depth="\d+" '
                                                         r'lang="([^"]+)" dir="([^"]+)"', html)}
    assert {ids[0]: ("fr", "ltr"), ids[1]: ("en", "ltr"), ids[2]: ("ar", "rtl")} == found
