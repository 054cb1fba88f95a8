"""Moving in: Isso (a real server's database), Disqus and WordPress exports, our own export; and export itself."""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import comments_store
from comments_store.export import export, write_files
from comments_store.importers import ImportFileError, import_file
from comments_store.importers.matching import ThreadMatcher, path_key

from conftest import ROOT, THREADS
from isso_server import IssoServer

pytestmark = pytest.mark.both_databases

FIXTURES = Path(__file__).parent / "fixtures" / "importers"


def rows(db, sql="SELECT t.slug, c.author, c.body, c.status, c.deleted, c.parent_id, c.id, c.email, c.html "
                 "FROM comments c JOIN threads t ON t.id = c.thread_id ORDER BY c.created_at"):
    return [dict(zip(("slug", "author", "body", "status", "deleted", "parent_id", "id", "email", "html"), r))
            for r in db.execute(sql)]


def by_author(db) -> dict:
    return {r["author"]: r for r in rows(db)}


# --- Isso, from a database that a real Isso server wrote --------------------------------------------------------

@pytest.fixture(scope="module")
def isso_db(tmp_path_factory):
    """Comments posted through Isso's HTTP API: replies, moderation, deletion, votes, three pages."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = IssoServer(tmp_path_factory.mktemp("isso"), port)
    try:
        amina = server.post("/negocier-son-salaire/", "Le **filtre** par ville ne marche pas.", "Amina",
                            email="amina@example.ma")
        server.post("/negocier-son-salaire/", "Chez moi non plus, sur Android.", "Yassine", parent=amina)
        pending = server.post("/negocier-son-salaire/", "Pouvez-vous ajouter des alertes ?", "Leila")
        asked = server.post("/negocier-son-salaire/", "Question retirée ensuite.", "Omar")
        server.post("/negocier-son-salaire/", "Réponse à la question retirée.", None, parent=asked)
        gone = server.post("/negocier-son-salaire/", "Commentaire retiré, sans réponse.", "Hind")
        liked = server.post("/recruter-a-distance", "Très clair <script>alert(1)</script> merci", "Karim")
        server.post("/recruter-a-distance", "مقال مفيد جدا، شكرا", "Salma")
        server.post("/ancien/page-disparue/", "Une page qui n'existe plus chez nous.", "Nadia")
        server.activate_all(keep_pending={pending})
        server.delete(asked)
        server.delete(gone)
        server.like(liked, "10.1.2.3")
        server.like(liked, "10.9.8.7")
    finally:
        server.stop()
    return server.db


def test_a_real_isso_database_is_imported_with_parents_statuses_and_placeholders(db, isso_db):
    """Every Isso comment lands on its article: modes become statuses, a deleted comment with a reply stays a
    placeholder, replies keep their parent, and the page we have no article for is reported."""
    report = import_file(db, "isso", isso_db)
    got = by_author(db)
    assert {slug: a.imported for slug, a in report.articles.items()} == {"negocier-son-salaire": 5,
                                                                        "recruter-a-distance": 2}
    assert report.unmatched == {"/ancien/page-disparue/": 1}
    assert got["Yassine"]["parent_id"] == got["Amina"]["id"]
    assert got["Leila"]["status"] == "pending"
    assert got["Amina"]["status"] == "approved" and got["Amina"]["email"] == "amina@example.ma"
    placeholder = next(r for r in rows(db) if r["deleted"])
    assert (placeholder["author"], placeholder["body"], placeholder["status"]) == ("", "", "approved")
    answer = next(r for r in rows(db) if r["body"] == "Réponse à la question retirée.")
    assert answer["parent_id"] == placeholder["id"] and answer["author"] == "Anonyme"
    assert "Hind" not in got  # Isso erased it: nothing to import
    assert "<script>" not in got["Karim"]["html"] and "&lt;script&gt;" in got["Karim"]["html"]
    assert got["Salma"]["body"] == "مقال مفيد جدا، شكرا"
    assert any("votes" in note for note in report.notes)


def test_importing_the_same_isso_database_twice_adds_nothing(db, isso_db):
    """The second import finds every comment already there."""
    first = import_file(db, "isso", isso_db)
    second = import_file(db, "isso", isso_db)
    assert (second.imported, second.already_there) == (0, first.imported)
    assert len(rows(db)) == first.imported


def test_an_isso_database_whose_path_holds_uri_characters_is_read(db, isso_db, tmp_path):
    """The file is opened read-only through a file: URI; '?', '#' and '%' in its name must not cut it short."""
    import shutil

    odd = tmp_path / "sauvegarde ?#%20 isso.db"
    shutil.copy(isso_db, odd)
    assert import_file(db, "isso", odd).imported == 7


def test_per_article_counts_match_the_isso_database(db, isso_db):
    """What readers see per article after the import equals what Isso showed (published, not deleted)."""
    import sqlite3

    import_file(db, "isso", isso_db)
    conn = sqlite3.connect(isso_db)
    isso_counts = dict(conn.execute("SELECT t.uri, count(*) FROM comments c JOIN threads t ON t.id = c.tid "
                                    "WHERE c.mode = 1 GROUP BY t.uri"))
    conn.close()
    ours = comments_store.counts(db, ["negocier-son-salaire", "recruter-a-distance"])
    assert ours == {"negocier-son-salaire": isso_counts["/negocier-son-salaire/"],
                    "recruter-a-distance": isso_counts["/recruter-a-distance"]}


# --- Disqus and WordPress, from fixture files we wrote -----------------------------------------------------------

def test_a_disqus_export_keeps_threads_replies_spam_and_deleted_placeholders(db):
    """Links match our articles once the old prefix is removed; HTML becomes Markdown; spam stays spam."""
    report = import_file(db, "disqus", FIXTURES / "disqus-export.xml", prefix="/blog")
    got = by_author(db)
    assert {slug: a.imported for slug, a in report.articles.items()} == {"negocier-son-salaire": 2,
                                                                        "recruter-a-distance": 3}
    assert report.unmatched == {"https://ancien.atlas-emploi.example/blog/page-disparue/": 1}
    assert got["Salma"]["body"] == ("Merci pour l'article ! Le **filtre par ville** ne marche pas sur mobile.\n\n"
                                    "Voir [ma capture](https://exemple.ma/capture_1.png).")
    assert got["Yassine"]["parent_id"] == got["Salma"]["id"]
    assert got["promo"]["status"] == "spam"
    assert "Omar" not in got  # deleted on Disqus with no reply: not carried over, and said so
    assert any("supprimé" in note for note in report.notes)
    karim = got["Karim"]
    parent = next(r for r in rows(db) if r["id"] == karim["parent_id"])
    assert (parent["deleted"], parent["body"]) == (1, "")


def test_a_wordpress_export_keeps_approval_states_and_skips_pingbacks(db):
    """approved/pending/spam/trash map onto our statuses; a pingback is counted, not imported; a bad e-mail
    is dropped, not the comment."""
    report = import_file(db, "wordpress", FIXTURES / "wordpress-export.xml")
    got = by_author(db)
    assert {a: got[a]["status"] for a in got} == {"Leila": "approved", "Équipe Atlas": "approved",
                                                  "Anas": "pending", "casino": "spam", "Rachid": "rejected"}
    assert got["Équipe Atlas"]["parent_id"] == got["Leila"]["id"]
    assert got["Leila"]["body"] == ("Très utile, merci.\n\n"
                                    "Il faudrait pouvoir enregistrer une recherche & recevoir une alerte.")
    assert got["Anas"]["email"] is None
    assert report.unmatched == {"https://ancien.atlas-emploi.example/mentions-legales/": 1}
    assert any("pingback" in note for note in report.notes)
    assert all(a.matched_by == {"slug"} for a in report.articles.values())  # /2021/03/negocier-salaire/ by post_name


@pytest.mark.parametrize("fmt, name", [("disqus", "disqus-export.xml"), ("wordpress", "wordpress-export.xml")])
def test_xml_imports_are_idempotent(db, fmt, name):
    """A second import of the same export adds nothing."""
    first = import_file(db, fmt, FIXTURES / name, prefix="/blog")
    second = import_file(db, fmt, FIXTURES / name, prefix="/blog")
    assert (second.imported, second.already_there) == (0, first.imported)


def test_a_dry_run_reports_without_writing(db):
    """--dry-run shows what would be imported and leaves the database as it was."""
    report = import_file(db, "wordpress", FIXTURES / "wordpress-export.xml", dry_run=True)
    assert report.imported == 5 and rows(db) == []


def test_an_old_address_can_be_mapped_to_an_article_by_hand(db):
    """--map rattaches a page the rules cannot find."""
    report = import_file(db, "disqus", FIXTURES / "disqus-export.xml", prefix="/blog",
                         overrides={"/blog/page-disparue/": "recruter-a-distance"})
    assert not report.unmatched and report.articles["recruter-a-distance"].imported == 4


@pytest.mark.parametrize("uri, prefix, expected", [
    ("/negocier-son-salaire/", "", "negocier-son-salaire"),
    ("/negocier-son-salaire", "", "negocier-son-salaire"),
    ("https://blog.example.ma/blog/negocier-son-salaire/index.html?utm=x#c1", "/blog", "negocier-son-salaire"),
    ("/blog/negocier-son-salaire/", "blog/", "negocier-son-salaire"),
    ("/blogue/negocier-son-salaire/", "/blog", "blogue/negocier-son-salaire"),
    ("/n%C3%A9gocier/", "", "négocier"),
    ("/a/../b/", "", "b"),
    ("", "", ""),
])
def test_old_addresses_are_compared_by_path(uri, prefix, expected):
    assert path_key(uri, prefix) == expected


def test_matching_tries_path_then_page_name_then_the_old_slug():
    threads = [comments_store.Thread(1, t["slug"], t["title"], t["url"], "fr") for t in THREADS]
    matcher = ThreadMatcher(threads)
    assert matcher.match("/negocier-son-salaire")[1] == "path"
    assert matcher.match("/2021/03/negocier-son-salaire.html")[1] == "name"
    assert matcher.match("/2021/03/autre/", slug_hint="recruter-a-distance")[1] == "slug"
    assert matcher.match("/inconnu/") == (None, "")


# --- Files that are not what they claim ---------------------------------------------------------------------------

BAD_XML = {
    "truncated": (FIXTURES / "disqus-export.xml").read_text()[:1500],
    "wrong_root": '<?xml version="1.0"?><rss><channel/></rss>',
    "not_xml": "ceci n'est pas du XML",
    "entity_expansion": ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                         '<disqus><post><message>&b;</message></post></disqus>'),
    "external_entity": ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                        '<disqus><post><message>&x;</message></post></disqus>'),
}


@pytest.mark.parametrize("case", sorted(BAD_XML))
def test_a_bad_xml_file_is_refused_and_nothing_is_imported(db, tmp_path, case):
    path = tmp_path / "export.xml"
    path.write_text(BAD_XML[case])
    with pytest.raises(ImportFileError):
        import_file(db, "disqus", path)
    assert rows(db) == []


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 50, b"pas une base"])
def test_a_file_that_is_not_an_isso_database_is_refused(db, tmp_path, content):
    path = tmp_path / "isso.db"
    path.write_bytes(content)
    with pytest.raises(ImportFileError):
        import_file(db, "isso", path)


def test_a_bad_comment_is_refused_alone_and_its_replies_move_up(db, tmp_path):
    """A comment the store's rules refuse is listed in the report; the rest of the file is imported."""
    from comments_store.importers import Source, ImportedComment, import_source

    source = Source("test", comments=[
        ImportedComment(key="t:1", uri="/negocier-son-salaire/", author="A", body="", created_at="2021-01-01T00:00:00Z"),
        ImportedComment(key="t:2", uri="/negocier-son-salaire/", author="B", body="Réponse", parent_key="t:1",
                        created_at="2021-01-02T00:00:00Z"),
    ])
    report = import_source(db, source)
    assert report.refused == [("t:1", "body_too_short")]
    assert [(r["author"], r["parent_id"]) for r in rows(db)] == [("B", None)]


def test_the_command_line_prints_the_report_and_exits_non_zero_on_a_bad_file(tmp_path):
    env = {**os.environ, "BOUCLE_DB": str(tmp_path / "b.db")}
    comments_store.register_threads(comments_store.open_db(tmp_path / "b.db"), THREADS)
    run = [sys.executable, "-m", "comments_store.importers"]
    ok = subprocess.run([*run, "wordpress", str(FIXTURES / "wordpress-export.xml"), "--json"], env=env, cwd=ROOT,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["imported"] == 5
    bad = subprocess.run([*run, "disqus", str(tmp_path / "absent.xml")], env=env, cwd=ROOT, capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "Rien n'a été importé" in bad.stderr


# --- Export, and back ---------------------------------------------------------------------------------------------

def _everything(db) -> list[tuple]:
    return list(db.execute("SELECT c.id, t.slug, c.parent_id, c.author, c.email, c.website, c.body, c.html, c.status,"
                           " c.created_at, c.edited_at, c.lang, c.client_hash, c.notify, c.deleted, c.is_team,"
                           " c.import_key FROM comments c JOIN threads t ON t.id = c.thread_id ORDER BY c.id"))


def _filled(db):
    import_file(db, "disqus", FIXTURES / "disqus-export.xml", prefix="/blog")
    import_file(db, "wordpress", FIXTURES / "wordpress-export.xml")
    new = comments_store.NewComment(author="Amal", body="Un commentaire natif", email="amal@example.ma", notify=True)
    comment, _ = comments_store.add_comment(db, "recruter-a-distance", new, moderation="none", client_hash="h1")
    comments_store.add_team_reply(db, comment.id, "Merci, c'est corrigé.")
    return db


def test_an_export_with_personal_data_imports_back_to_an_equal_database(db, tmp_path, new_database):
    """Every comment, number, parent, status, date and flag survives export then import into an empty database,
    and new comments there get new numbers."""
    _filled(db)
    json_path, _ = write_files(export(db, with_personal_data=True), tmp_path)
    fresh = comments_store.open_db(new_database("fresh"))
    report = import_file(fresh, "boucle", json_path)
    assert sorted(report.threads_added) == sorted(t["slug"] for t in THREADS)
    assert _everything(fresh) == _everything(db)
    again = import_file(fresh, "boucle", json_path)
    assert again.imported == 0 and _everything(fresh) == _everything(db)
    later, _ = comments_store.add_comment(fresh, "recruter-a-distance", comments_store.NewComment(
        author="Après", body="Premier commentaire après le déménagement"))
    assert later.id == max(row[0] for row in _everything(db)) + 1


def test_importing_an_export_into_the_database_it_came_from_adds_nothing(db, tmp_path):
    _filled(db)
    json_path, _ = write_files(export(db), tmp_path)
    assert import_file(db, "boucle", json_path).imported == 0


def test_an_export_leaves_out_e_mails_and_address_hashes_unless_asked(db, tmp_path):
    _filled(db)
    json_path, csv_path = write_files(export(db), tmp_path)
    text = json_path.read_text() + csv_path.read_text(encoding="utf-8-sig")
    assert "@example.ma" not in text and "h1" not in csv_path.read_text(encoding="utf-8-sig").split(";")
    assert "client_hash" not in text and '"email"' not in text
    full = export(db, with_personal_data=True)
    assert {c["email"] for c in full["comments"]} >= {"amal@example.ma", "salma@example.ma"}


def test_the_csv_opens_in_a_french_spreadsheet_and_runs_no_formula(db, tmp_path):
    """UTF-8 with a byte-order mark, ';' between cells, and a leading apostrophe before a would-be formula."""
    new = comments_store.NewComment(author="=HYPERLINK(\"http://x\")", body="-2+3 ou =SUM(A1:A9)")
    comments_store.add_comment(db, "recruter-a-distance", new, moderation="none")
    _, csv_path = write_files(export(db), tmp_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0]["author"] == "'=HYPERLINK(\"http://x\")" and table[0]["body"] == "'-2+3 ou =SUM(A1:A9)"
    assert table[0]["id"] == "1"


@pytest.mark.parametrize("content, reason", [
    ("{", "JSON illisible"),
    ('{"format": "autre"}', "pas un export Boucle"),
    ('{"format": "boucle-comments", "version": 99, "threads": [], "comments": []}', "version"),
    ('{"format": "boucle-comments", "version": 1, "threads": [], "comments": [{"id": "1"}]}', "mauvais type"),
    ('{"format": "boucle-comments", "version": 1, "threads": [], "comments": [{"id": 1, "thread": "x", '
     '"author": "a", "body": "b", "status": "publié", "created_at": "2021-01-01T00:00:00Z"}]}', "statut"),
])
def test_a_bad_boucle_export_is_refused_before_anything_is_written(db, tmp_path, content, reason):
    path = tmp_path / "comments.json"
    path.write_text(content)
    with pytest.raises(ImportFileError, match=reason):
        import_file(db, "boucle", path)
    assert rows(db) == []


def test_invoke_export_writes_both_files_from_the_command_line(tmp_path):
    env = {**os.environ, "BOUCLE_DB": str(tmp_path / "b.db"), "BOUCLE_INSTANCE": str(tmp_path / "instance")}
    db = comments_store.open_db(tmp_path / "b.db")
    comments_store.register_threads(db, THREADS)
    _filled(db).close()
    done = subprocess.run([sys.executable, "-m", "invoke", "export", "--to", str(tmp_path / "out")], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "out" / "comments.json").read_text())
    assert len(data["comments"]) == 12 and data["personal_data"] is False
    assert (tmp_path / "out" / "comments.csv").read_bytes().startswith(b"\xef\xbb\xbf")


# --- Crafted files ------------------------------------------------------------------------------------------------

ISSO_TABLES = ("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))",
               "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER, "
               "created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR, "
               "author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0, "
               "dislikes INTEGER DEFAULT 0, voters BLOB, notification INTEGER DEFAULT 0)")
ENDLESS = ("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT x AS tid, x AS id, NULL AS parent,"
           " 0.0 AS created, NULL AS modified, 1 AS mode, '' AS remote_addr, 't' AS text, 'a' AS author, NULL AS email,"
           " NULL AS website, 0 AS likes, 0 AS dislikes, NULL AS voters, 0 AS notification FROM n")
CRAFTED_ISSO = {
    "comments, a view over an endless recursive query": [ISSO_TABLES[0], f"CREATE VIEW comments AS {ENDLESS}"],
    "threads, a view over an endless recursive query": [
        ISSO_TABLES[1], "CREATE VIEW threads AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
                        "SELECT x AS id, '/p/' || x AS uri, '' AS title FROM n"],
    "comments, a virtual table": [ISSO_TABLES[0], "CREATE VIRTUAL TABLE comments USING fts5(text)"],
}


@pytest.mark.parametrize("case", sorted(CRAFTED_ISSO))
def test_an_isso_file_whose_tables_are_views_is_refused_by_name(db, tmp_path, case):
    """Only plain tables are read: a view (which may never end) or a virtual table is refused, naming the file."""
    path = tmp_path / "isso-fabriquee.db"
    with sqlite3.connect(path) as conn:
        for sql in CRAFTED_ISSO[case]:
            conn.execute(sql)
    with pytest.raises(ImportFileError, match="isso-fabriquee.db.*pas une table ordinaire"):
        import_file(db, "isso", path)
    assert rows(db) == []


def test_reading_an_isso_file_stops_at_its_step_budget(isso_db):
    """Whatever makes a query long, reading stops at the budget with an error naming the file."""
    from comments_store.importers import isso

    assert len(isso.read(isso_db).comments) > 0
    with pytest.raises(ImportFileError, match=f"{Path(isso_db).name}.*étapes"):
        isso.read(isso_db, budget=10)


def _isso_with_pages(path, pages: list[str]) -> None:
    with sqlite3.connect(path) as conn:
        for sql in ISSO_TABLES:
            conn.execute(sql)
        for n, uri in enumerate(pages, start=1):
            conn.execute("INSERT INTO threads (id, uri, title) VALUES (?, ?, '')", [n, uri])
            conn.execute("INSERT INTO comments (tid, id, created, mode, text, author) VALUES (?, ?, ?, 1, ?, 'Nora')",
                         [n, n, 1_600_000_000 + n, f"Commentaire sur la page {n}"])


BAD_PATHS = ["@evil.example/phish/", "//evil.example/x", "https://evil.example/negocier-son-salaire/",
             "/negocier-son-salaire/\\evil", "/negocier-son-salaire/\x1b[2J", "/x\n/negocier-son-salaire/",
             "negocier-son-salaire/", "/negocier-son-salaire/\u202e"]


@pytest.mark.parametrize("uri", BAD_PATHS)
def test_an_isso_comment_on_an_address_that_is_not_a_site_path_is_refused_alone(db, tmp_path, uri):
    """The crafted page's comment is refused in the report; the comment on a real page is imported."""
    path = tmp_path / "isso.db"
    _isso_with_pages(path, ["/recruter-a-distance/", uri])
    report = import_file(db, "isso", path)
    assert [r["slug"] for r in rows(db)] == ["recruter-a-distance"]
    assert len(report.refused) == 1 and "adresse" in report.refused[0][1]
    assert all(ch.isprintable() for key, reason in report.refused for ch in key + reason)


def _export_with_urls(tmp_path, urls: dict[str, object]) -> Path:
    threads = [{"slug": slug, "title": slug, "url": url, "lang": "fr"} for slug, url in urls.items()]
    comments = [{"id": n, "thread": slug, "author": "Nora", "body": f"Sur {slug}", "status": "approved",
                 "created_at": f"2026-01-0{n}T10:00:00Z"} for n, slug in enumerate(urls, start=1)]
    path = tmp_path / "comments.json"
    path.write_text(json.dumps({"format": "boucle-comments", "version": 1, "threads": threads,
                                "comments": comments}))
    return path


@pytest.mark.parametrize("url", [*BAD_PATHS, 42])
def test_an_exported_article_address_that_is_not_a_site_path_is_refused_and_nothing_else_lost(db, tmp_path, url):
    """The crafted address is refused (the article is added without one, for the next build to fill in); the
    article's comments and every other article are imported."""
    path = _export_with_urls(tmp_path, {"piege": url, "propre": "/propre/"})
    report = import_file(db, "boucle", path)
    urls = dict(db.execute("SELECT slug, url FROM threads WHERE slug IN ('piege', 'propre')").fetchall())
    assert urls == {"piege": "", "propre": "/propre/"}
    assert sorted(r["body"] for r in rows(db)) == ["Sur piege", "Sur propre"]
    assert [key for key, _ in report.refused] == ["article:piege"]


@pytest.mark.parametrize("url", BAD_PATHS)
def test_registering_an_article_whose_address_is_not_a_site_path_is_refused(db, url):
    from comments_store.threads import ArticleUrlInvalid

    with pytest.raises(ArticleUrlInvalid):
        comments_store.register_threads(db, [{"slug": "ok", "title": "Ok", "url": "/ok/"},
                                             {"slug": "piege", "title": "Piège", "url": url}])
    assert [t.slug for t in comments_store.list_threads(db)] == sorted(t["slug"] for t in THREADS)


@pytest.mark.parametrize("link", ["https://blog.example.ma/recrut\x85er/", "https://blog.example.ma/\u2028x/",
                                  "https://blog\\evil.example/x"])
def test_a_disqus_page_address_with_control_characters_is_refused_alone(db, tmp_path, link):
    """XML allows a few control and line-separator characters: the page they are in is refused, alone."""
    thread = '<thread dsq:id="{n}"><link>{link}</link></thread>'
    post = ('<post dsq:id="p{n}"><thread dsq:id="{n}"/><message>Message {n}</message>'
            '<createdAt>2020-01-0{n}T10:00:00Z</createdAt><author><name>Nora</name></author></post>')
    xml = ('<?xml version="1.0" encoding="utf-8"?><disqus xmlns="http://disqus.com" '
           'xmlns:dsq="http://disqus.com/disqus-internals">'
           + thread.format(n=1, link="https://blog.example.ma/recruter-a-distance/")
           + thread.format(n=2, link=link)
           + post.format(n=1) + post.format(n=2) + "</disqus>")
    path = tmp_path / "disqus.xml"
    path.write_text(xml, encoding="utf-8")
    report = import_file(db, "disqus", path)
    assert [r["slug"] for r in rows(db)] == ["recruter-a-distance"]
    assert [key for key, _ in report.refused] == ["disqus:p2"]
