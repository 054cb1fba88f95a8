"""The public page "Vous nous avez dit — nous l'avons fait": baked from the database, with its feed, rebuilt on close."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import comments_store
from comments_store.db import has_table
from conftest import ROOT, build_site
from feedback import store as feedback_store
from html_helpers import read_page
from pelican_comments.rebuild import store_state

pytestmark = pytest.mark.both_databases

ATOM = "{http://www.w3.org/2005/Atom}"
SLUG = "negocier-son-salaire"


class Blog:
    """A comment database with feedback items in every state the page must tell apart."""

    def __init__(self, location: str):
        self.location = location
        self.db = feedback_store.prepare(comments_store.open_db(location))
        comments_store.register_threads(self.db, [{"slug": SLUG, "title": "Négocier son salaire sans gêne",
                                                   "url": f"/{SLUG}/", "lang": "fr"}])

    def item(self, body: str, labels=("problem",), status: str | None = None, answer: str | None = None,
             at: str = "2026-11-20T10:00:00Z") -> int:
        stored, _ = comments_store.add_comment(self.db, SLUG, comments_store.NewComment(author="Nadia Benali",
                                                                                      body=body), moderation="none")
        self.tag(stored.id, labels)
        if status:
            self.close(stored.id, status, answer, at)
        return stored.id

    def tag(self, comment_id: int, labels) -> None:
        with comments_store.write(self.db):
            self.db.execute("INSERT INTO feedback_items (comment_id, lang, model_version, tagged_at) "
                            "VALUES (?, 'fr', 'test', ?) ON CONFLICT DO NOTHING", [comment_id, "2026-11-20T10:00:00Z"])
        feedback_store.set_human_labels(self.db, comment_id, labels, author="Samira")

    def close(self, comment_id: int, status: str, answer: str | None = None,
              at: str = "2026-11-20T10:00:00Z") -> None:
        feedback_store.set_status(self.db, comment_id, status, author="Samira")
        with comments_store.write(self.db):  # closed at a known moment, for the order
            self.db.execute("UPDATE feedback_status SET updated_at = ? WHERE comment_id = ?", [at, comment_id])
        if answer:
            comments_store.add_team_reply(self.db, comment_id, answer)

    def theme(self, name: str, ids: list[int]) -> int:
        now = "2026-11-20T10:00:00Z"
        with comments_store.write(self.db):
            theme_id = self.db.execute("INSERT INTO feedback_themes (name, named_by, created_at, updated_at) "
                                       "VALUES (?, 'human', ?, ?) RETURNING id", [name, now, now]).fetchone()[0]
            for cid in ids:
                self.db.execute("INSERT INTO feedback_theme_items (comment_id, theme_id, source, placed_at) "
                                "VALUES (?, ?, 'human', ?)", [cid, theme_id, now])
        return theme_id


@pytest.fixture
def blog(new_database):
    made = Blog(new_database("done"))
    yield made
    made.db.close()


@pytest.fixture
def built(blog, tmp_path):
    """A real build of the blog after items were closed, planned, unpublished, or were neither kind."""
    ids = {
        "upload": blog.item("Le téléversement du CV échoue", status="done", answer="Corrigé en version 3.4.",
                            at="2026-11-25T09:00:00Z"),
        "crash": blog.item("L'appli plante quand je postule", status="done", answer="Réparé, merci !",
                           at="2026-11-21T09:00:00Z"),
        "city": blog.item("Il faudrait un filtre par ville", labels=("suggestion",), status="done",
                          answer="C'est en ligne.", at="2026-11-23T09:00:00Z"),
        "planned": blog.item("Le mode sombre serait bien", labels=("suggestion",), status="planned"),
        "thanks": blog.item("Merci pour cet article très utile", labels=(), status="done"),
        "hidden": blog.item("Les alertes arrivent en double", status="done", answer="Réglé."),
    }
    comments_store.set_status(blog.db, ids["hidden"], "rejected")  # closed, then unpublished
    blog.theme("Candidature qui échoue", [ids["upload"], ids["crash"]])
    out = build_site(tmp_path / "out", COMMENTS={"db": blog.location})
    return out, ids


def entries(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="done-item" id="done-(\d+)"', page)]


def test_the_page_lists_done_items_newest_first_grouped_by_theme(built):
    """Done problems and suggestions, each theme in the order of its latest close, the unthemed ones last."""
    out, ids = built
    page = (out / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")
    assert "Vous nous avez dit — nous l&#39;avons fait" in page or "Vous nous avez dit — nous l'avons fait" in page
    assert entries(page) == [ids["upload"], ids["crash"], ids["city"]]
    groups = re.findall(r'<h2 id="done-group-\d+">([^<]+)', page)
    assert [g.strip() for g in groups] == ["Candidature qui échoue", "Autres retours"]
    item = page.split(f'id="done-{ids["upload"]}"', 1)[1].split("</li>", 1)[0]
    assert "Corrigé en version 3.4." in item and "Le téléversement du CV échoue" in item
    assert f'href="../{SLUG}/#comment-{ids["upload"]}"' in item and "25 novembre 2026" in item


def test_the_page_never_shows_an_item_not_done_nor_a_comment_not_published(built):
    out, ids = built
    for path in ("nous-l-avons-fait/index.html", "en/we-did-it/index.html", "feeds/nous-l-avons-fait.atom.xml"):
        text = (out / path).read_text(encoding="utf-8")
        assert "mode sombre" not in text and "alertes arrivent en double" not in text and "Réglé." not in text
        assert "Merci pour cet article" not in text


def test_the_english_page_is_on_the_english_side(built):
    out, ids = built
    page = (out / "en" / "we-did-it" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "You told us — we did it" in page and "Other feedback" in page
    assert ">Home</a>" in page  # the site's own menu speaks English there too
    assert entries(page) == [ids["upload"], ids["crash"], ids["city"]]


def test_its_atom_feed_is_declared_in_the_head_and_parses(built):
    out, ids = built
    page = read_page(out / "nous-l-avons-fait" / "index.html")
    alternates = [a["href"] for t, a in page.tags if t == "link" and a.get("type") == "application/atom+xml"]
    assert "../feeds/nous-l-avons-fait.atom.xml" in alternates
    feed = ET.parse(out / "feeds" / "nous-l-avons-fait.atom.xml").getroot()
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    # The feed is not grouped: the most recently closed first.
    assert [link.rsplit("#done-", 1)[1] for link in links] == [str(ids[k]) for k in ("upload", "city", "crash")]
    assert all(link.startswith("http") for link in links)
    english = ET.parse(out / "feeds" / "en" / "we-did-it.atom.xml").getroot()
    assert english.find(f"{ATOM}title").text.endswith("You told us — we did it")


def test_each_answered_comment_in_the_thread_links_to_the_page(built):
    """The baked thread shows, under each done comment, a link to its entry; not under the others."""
    out, ids = built
    html = (out / SLUG / "index.html").read_text(encoding="utf-8")

    def block(cid):
        return html.split(f'id="comment-{cid}"', 1)[1].split("</article>", 1)[0]

    assert f'href="../nous-l-avons-fait/#done-{ids["upload"]}"' in block(ids["upload"])
    assert "nous-l-avons-fait" not in block(ids["planned"])


def test_the_page_is_linked_from_every_page_footer(built):
    out, _ = built
    for path in ("index.html", f"{SLUG}/index.html", "archives/index.html"):
        footer = (out / path).read_text(encoding="utf-8").split('class="site-footer"', 1)[1]
        assert "nous-l-avons-fait/" in footer


def test_a_blog_with_nothing_done_still_has_the_page(blog, tmp_path):
    """The footer link never leads to a 404: with no done item (or no database), the page says so."""
    blog.item("L'appli plante quand je postule", status="planned")
    out = build_site(tmp_path / "out", COMMENTS={"db": blog.location})
    assert "Rien pour le moment" in (out / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")
    empty = ET.parse(out / "feeds" / "nous-l-avons-fait.atom.xml").getroot()
    assert empty.findall(f"{ATOM}entry") == []


def test_closing_an_item_asks_for_a_rebuild(blog):
    """The site watcher's fingerprint moves when an item is done or reopened, not when it is only triaged."""
    cid = blog.item("L'appli plante quand je postule")
    state = store_state(blog.location)
    before = state()
    feedback_store.set_status(blog.db, cid, "triaged", author="Samira")
    assert state() == before
    feedback_store.set_status(blog.db, cid, "done", author="Samira")  # no public reply: no new comment
    closed = state()
    assert closed != before
    feedback_store.set_status(blog.db, cid, "planned", author="Samira")
    assert state() not in (before, closed)


def test_the_fingerprint_without_feedback_tables_is_that_of_empty_ones(new_database, backend):
    """A blog whose feedback tables were never made is watched without an error, and the build that makes them
    is not taken for a change."""
    if backend == "postgresql":
        pytest.skip("the PostgreSQL test databases come from a template that already holds the feedback tables")
    location = new_database("bare")
    db = comments_store.open_db(location)
    try:
        before = store_state(location)()
        feedback_store.prepare(db)
        assert before == store_state(location)()
    finally:
        db.close()


def test_a_build_loads_no_feedback_module_when_the_feedback_tables_were_never_made(new_database, backend, tmp_path):
    """A blog whose feedback was never tagged builds its (empty) done page without importing feedback.store."""
    if backend == "postgresql":
        pytest.skip("the PostgreSQL test databases come from a template that already holds the feedback tables")
    settings = {"OUTPUT_PATH": str(tmp_path / "out"), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False,
                "COMMENTS": {"db": new_database("bare")}}
    script = ("import sys; from pelican import Pelican; from pelican.settings import read_settings; "
              f"Pelican(read_settings('pelicanconf.py', override={settings!r})).run(); "
              "print(sorted(m for m in sys.modules if m == 'feedback' or m.startswith('feedback.')))")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    page = (tmp_path / "out" / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")
    assert ("[]", True) == (run.stdout.strip().splitlines()[-1], "Rien pour le moment" in page)


def test_has_table_tells_a_table_of_the_database_from_a_missing_one(new_database):
    """The done page asks whether the feedback tables exist before loading the feedback modules."""
    db = comments_store.open_db(new_database("tables"))
    try:
        assert [True, False] == [has_table(db, "threads"), has_table(db, "no_such_table")]
    finally:
        db.close()


def test_the_page_is_rebuilt_after_an_item_closes(blog, tmp_path):
    """The item closed between two builds appears in the second one."""
    cid = blog.item("L'appli plante quand je postule")
    out = build_site(tmp_path / "out", COMMENTS={"db": blog.location})
    assert entries((out / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")) == []
    blog.close(cid, "done", answer="Réparé.")
    out = build_site(tmp_path / "out", COMMENTS={"db": blog.location})
    assert entries((out / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")) == [cid]


def test_every_item_of_a_group_closed_together_shows_the_groups_reply(blog, tmp_path):
    """A group of duplicates closed with one reply (published under its first item only) shows that reply under
    each of its items on the page."""
    from comments_api import loop

    first = blog.item("Le téléversement du CV échoue")
    others = [blog.item("Impossible de téléverser mon CV"), blog.item("CV upload fails every time")]
    for cid in others:
        feedback_store.mark_duplicate(blog.db, cid, first, author="Samira")
    closed = loop.close_group(blog.db, others[1], "Corrigé pour tout le monde en 3.4.", author="Samira")
    assert (closed.items, closed.replies) == ([first, *others], 1)
    out = build_site(tmp_path / "out", COMMENTS={"db": blog.location})
    page = (out / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")
    assert sorted(entries(page)) == sorted([first, *others])
    for cid in (first, *others):
        item = page.split(f'id="done-{cid}"', 1)[1].split("</li>", 1)[0]
        assert "Corrigé pour tout le monde en 3.4." in item


def test_a_grouped_item_shows_the_reply_on_its_own_article_first(blog):
    """Closed together across two articles (one reply on each, under the group's first item there), every item
    carries the reply published on its own article."""
    comments_store.register_threads(blog.db, [{"slug": "autre-article", "title": "Un autre article",
                                               "url": "/autre-article/", "lang": "fr"}])
    first = blog.item("Le téléversement du CV échoue")
    second, third = [comments_store.add_comment(blog.db, "autre-article", comments_store.NewComment(
        author=name, body=body), moderation="none")[0].id
        for name, body in (("Omar Alami", "Impossible de téléverser mon CV"), ("Lina Haddad", "CV upload fails"))]
    lonely = blog.item("Les alertes arrivent en double", status="done")  # in no group, closed without a reply
    for cid in (second, third):
        blog.tag(cid, ("problem",))
        feedback_store.mark_duplicate(blog.db, cid, first, author="Samira")
    from comments_api import loop
    loop.close_group(blog.db, first, "Corrigé en 3.4.", author="Samira")
    done = {d.comment_id: d for d in feedback_store.done_items(blog.db)}
    replies = dict(blog.db.execute("SELECT parent_id, id FROM comments WHERE is_team = 1").fetchall())
    assert done[first].answer_id == replies[first]
    assert done[second].answer_id == replies[second] != replies[first]
    assert done[third].answer_id == replies[second]  # not the reply on the first article, listed first
    assert "Corrigé en 3.4." in done[third].answer_html
    assert (done[lonely].answer_id, done[lonely].answer_html) == (None, None)
