"""The Pelican plugin registers the site's articles as comment threads, and never breaks the build."""
from __future__ import annotations

import datetime as dt
import logging
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import comments_store
from conftest import ROOT, build_site
from html_helpers import read_page


def test_build_registers_every_published_article(tmp_path):
    """After a build, each published article (not drafts, not translations) is a thread."""
    db_path = tmp_path / "threads.db"
    build_site(tmp_path / "out", COMMENTS={"db": str(db_path)})
    threads = {t.slug: t for t in comments_store.list_threads(comments_store.open_db(db_path))}
    assert "negocier-son-salaire" in threads and "salon-emploi-marrakech" not in threads
    assert threads["negocier-son-salaire"].url == "/negocier-son-salaire/"
    assert threads["negocier-son-salaire"].title == "Négocier son salaire sans gêne"
    assert len(threads) == 11


def test_rebuilding_keeps_comments(tmp_path):
    db_path = tmp_path / "threads.db"
    build_site(tmp_path / "out", COMMENTS={"db": str(db_path)})
    db = comments_store.open_db(db_path)
    comments_store.add_comment(db, "negocier-son-salaire", comments_store.NewComment(author="A", body="Un avis"))
    build_site(tmp_path / "out2", COMMENTS={"db": str(db_path)})
    assert comments_store.search(db)[1] == 1


def test_unusable_database_logs_a_warning_and_the_site_still_builds(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with caplog.at_level(logging.WARNING):
        out = build_site(tmp_path / "out", COMMENTS={"db": str(blocker / "x.db")})
    assert (out / "negocier-son-salaire" / "index.html").is_file()
    assert "pelican_comments:" in caplog.text


def test_first_build_creates_the_database_without_a_warning(tmp_path, caplog):
    """The first build creates the empty comment database quietly: nothing to report to a newcomer."""
    db_path = tmp_path / "first.db"
    with caplog.at_level(logging.WARNING):
        build_site(tmp_path / "out", COMMENTS={"db": str(db_path)})
    assert db_path.is_file()
    assert "pelican_comments" not in caplog.text


def test_threads_can_be_left_alone(tmp_path):
    db_path = tmp_path / "threads.db"
    build_site(tmp_path / "out", COMMENTS={"db": str(db_path), "register_threads": False})
    assert not db_path.exists()


# --- Baking approved comments into the pages ---------------------------------------------------


@pytest.fixture
def commented_site(tmp_path):
    """A build whose database holds a small thread: a comment, a reply, a pending and a hostile one."""
    db_path = tmp_path / "c.db"
    db = comments_store.open_db(db_path)
    comments_store.register_threads(db, [{"slug": "negocier-son-salaire", "title": "N", "url": "/n/", "lang": "fr"}])
    add = lambda **kw: comments_store.add_comment(db, "negocier-son-salaire", comments_store.NewComment(**kw))[0]  # noqa: E731
    top = add(author="Nadia", body="Très **clair**, merci.", website="https://nadia.ma")
    comments_store.set_status(db, top.id, "approved")
    reply = add(author="Omar", body="Je confirme.", parent_id=top.id)
    comments_store.set_status(db, reply.id, "approved")
    hostile = add(author='<img src=x onerror=alert(1)>', body="<script>alert(1)</script>")
    comments_store.set_status(db, hostile.id, "approved")
    add(author="Pending", body="Pas encore publié")
    out = build_site(tmp_path / "out", COMMENTS={"db": str(db_path)})
    return out, {"top": top.id, "reply": reply.id, "hostile": hostile.id}


def test_approved_comments_are_baked_as_a_thread(commented_site):
    out, ids = commented_site
    html = (out / "negocier-son-salaire" / "index.html").read_text()
    assert f'id="comment-{ids["top"]}"' in html and "Pas encore publié" not in html
    nested = re.search(rf'id="comment-{ids["top"]}".*?<ol class="comment-replies">.*?id="comment-{ids["reply"]}"',
                       html, re.S)
    assert nested
    assert '<a href="https://nadia.ma" rel="nofollow ugc noopener">Nadia</a>' in html
    assert "<strong>clair</strong>" in html
    assert "(3 commentaires)" in html


def test_baked_comments_carry_permalink_date_and_direction(commented_site):
    out, ids = commented_site
    page = read_page(out / "negocier-son-salaire" / "index.html")
    body = [a for t, a in page.tags if t == "div" and a.get("class") == "comment-body"]
    assert body and all(a.get("dir") == "auto" for a in body)
    assert f"#comment-{ids['top']}" in page.links
    html = (out / "negocier-son-salaire" / "index.html").read_text()
    assert re.search(r"\d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)"
                     r" \d{4} à \d\d:\d\d", html)


def test_hostile_author_and_body_are_escaped(commented_site):
    out, ids = commented_site
    html = (out / "negocier-son-salaire" / "index.html").read_text()
    block = html.split(f'id="comment-{ids["hostile"]}"', 1)[1].split("</article>", 1)[0]
    assert "<img" not in block and "<script" not in block
    assert "&lt;img src=x onerror=alert(1)&gt;" in block


def test_listing_pages_show_comment_counts(commented_site):
    out, _ = commented_site
    for listing in ["categorie/conseils-candidats/index.html", "etiquette/salaire/index.html"]:
        assert 'data-count-for="negocier-son-salaire" data-lang="fr">3 commentaires' in (out / listing).read_text()
    assert ">Aucun commentaire<" in (out / "index.html").read_text()


def test_comment_feeds_list_published_comments(commented_site):
    out, ids = commented_site
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(out / "feeds" / "commentaires" / "negocier-son-salaire.atom.xml").getroot()
    links = [e.find(f"{atom}link").get("href") for e in feed.findall(f"{atom}entry")]
    assert len(links) == 3 and links[0].endswith(f"#comment-{ids['hostile']}")  # newest first
    assert all(link.startswith("http") for link in links)
    site_feed = ET.parse(out / "feeds" / "commentaires.atom.xml").getroot()
    assert len(site_feed.findall(f"{atom}entry")) == 3


def test_missing_database_builds_without_comments_and_warns(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        out = build_site(tmp_path / "out", COMMENTS={"db": str(tmp_path / "absent.db"), "register_threads": False})
    assert "pelican_comments: no comment database" in caplog.text
    assert "(Aucun commentaire)" in (out / "negocier-son-salaire" / "index.html").read_text()


def test_reply_links_stop_at_the_depth_limit(tmp_path):
    db_path = tmp_path / "d.db"
    db = comments_store.open_db(db_path)
    comments_store.register_threads(db, [{"slug": "negocier-son-salaire", "title": "N", "url": "/n/", "lang": "fr"}])
    parent = None
    ids = []
    for depth in range(2):
        c = comments_store.add_comment(db, "negocier-son-salaire", comments_store.NewComment(
            author="A", body=f"Niveau {depth + 1}", parent_id=parent))[0]
        comments_store.set_status(db, c.id, "approved")
        parent = c.id
        ids.append(c.id)
    out = build_site(tmp_path / "out", COMMENTS={"db": str(db_path), "max_depth": 2})
    html = (out / "negocier-son-salaire" / "index.html").read_text()
    assert f'data-reply="{ids[0]}"' in html and f'data-reply="{ids[1]}"' not in html


# --- Speed without changing a byte ------------------------------------------------------------------------------

@hsettings(max_examples=300, deadline=None)
@given(moment=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 12, 31)),
       lang=st.sampled_from(["fr", "en", "ar"]),
       zone=st.sampled_from(["Africa/Casablanca", "UTC", "America/New_York", "Asia/Kolkata"]))
def test_comment_dates_read_as_babel_writes_them(moment, lang, zone):
    """The baked comment date, filled by hand for speed, is the text Babel gives for the same pattern."""
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    import site_helpers

    stored = moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    local = dt.datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    shown = lang if lang in site_helpers._DATETIME_PATTERNS else "fr"
    expected = format_datetime(local, site_helpers._DATETIME_PATTERNS[shown], locale=shown)
    assert expected == site_helpers.comment_date({"TIMEZONE": zone}, stored, lang)


def test_long_dates_of_one_day_in_two_zones_are_each_their_own(tmp_path):
    """The cache of formatted dates keys on the local day: the same instant in two zones gives two days."""
    from zoneinfo import ZoneInfo

    import site_helpers

    instant = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)
    assert ["1 mars 2026", "2 mars 2026"] == [site_helpers.long_date(instant, "fr"),
                                              site_helpers.long_date(instant.astimezone(ZoneInfo("Asia/Kolkata")), "fr")]


def test_the_theme_script_is_minified_once_per_version_with_the_cache(tmp_path):
    """A script edited since its committed minified copy is, with the content cache, minified once and kept: two
    builds give the same file."""
    import shutil

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    shutil.rmtree(theme / "minified")
    cache = tmp_path / "cache"
    first = build_site(tmp_path / "a", CACHE_PATH=str(cache), CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True,
                       THEME=str(theme))
    kept = list((cache / "minified-js").glob("*.js"))
    second = build_site(tmp_path / "b", CACHE_PATH=str(cache), CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True,
                        THEME=str(theme))
    script = "theme/js/comments.js"
    assert len(kept) == 1 and (first / script).read_text(encoding="utf-8").startswith("/*!min*/")
    assert (first / script).read_bytes() == (second / script).read_bytes() == kept[0].read_bytes()


def test_a_cold_build_loads_no_module_that_only_the_api_or_a_new_script_needs(tmp_path):
    """Checking e-mail addresses, rendering readers' Markdown and minifying a script are not a build's work: a
    cold build of the demo with comments imports none of their modules."""
    import subprocess
    import sys

    db = tmp_path / "comments.db"
    settings = {"OUTPUT_PATH": str(tmp_path / "out"), "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False,
                "COMMENTS": {"db": str(db)}}
    build_site(tmp_path / "first", COMMENTS={"db": str(db)})
    store = comments_store.open_db(db)
    comments_store.add_comment(store, "negocier-son-salaire", comments_store.NewComment(
        author="Nadia", body="Un *très* bon article", email="nadia@example.ma"), moderation="none")
    store.close()
    script = ("import sys; from pelican import Pelican; from pelican.settings import read_settings; "
              f"Pelican(read_settings('pelicanconf.py', override={settings!r})).run(); "
              "print(sorted({m.split('.')[0] for m in sys.modules} & {'email_validator', 'markdown_it', 'nh3', "
              "'calmjs'}))")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    page = (tmp_path / "out" / "negocier-son-salaire" / "index.html").read_text(encoding="utf-8")
    assert ("[]", True) == (run.stdout.strip().splitlines()[-1], "<em>très</em>" in page)


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)


@hsettings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(_text, _text, st.datetimes(min_value=dt.datetime(2000, 1, 1)), st.booleans()),
                     min_size=1, max_size=5),
       title=_text, lang=st.sampled_from(["fr", "en"]))
def test_comment_feeds_are_the_xml_feedgenerator_writes(tmp_path_factory, rows, title, lang):
    """Our Atom writer gives, byte for byte, what feedgenerator's Atom1Feed gives for the same comments."""
    import io

    from feedgenerator import Atom1Feed

    from comments_store import Comment
    from comments_store.clock import parse_iso
    from pelican_comments import feeds

    comments = []
    for n, (author, html, when, edited) in enumerate(rows, 1):
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        comments.append(Comment(n, 1, None, author, None, None, html, html, "approved", stamp,
                                stamp if edited else None, lang, None, False, False, "a", False))
    url, feed_url = "https://blog.example.ma/a/", "https://blog.example.ma/feeds/a.atom.xml"
    reference = Atom1Feed(title=title, link=url, description="", feed_url=feed_url, language=lang)
    for c in comments:
        reference.add_item(title=f"{c.author} — {title}", link=f"{url}#comment-{c.id}",
                           unique_id=f"{url}#comment-{c.id}", description=c.html, author_name=c.author,
                           pubdate=parse_iso(c.created_at), updateddate=parse_iso(c.edited_at) if c.edited_at else None)
    expected = io.StringIO()
    reference.write(expected, "utf-8")
    path = tmp_path_factory.mktemp("feed") / "a.atom.xml"
    feeds.write_feed(str(path), title, url, feed_url, [(c, title, url) for c in comments], lang)
    assert expected.getvalue() == path.read_text(encoding="utf-8")


def test_a_deep_thread_nests_every_reply_under_its_parent_in_order(tmp_path):
    """Replies at every depth sit in their parent's list, oldest first; a deleted parent with replies stays."""
    db_path = tmp_path / "deep.db"
    db = comments_store.open_db(db_path)
    comments_store.register_threads(db, [{"slug": "negocier-son-salaire", "title": "N", "url": "/n/", "lang": "fr"}])

    def approved(author, parent=None):
        comment = comments_store.add_comment(db, "negocier-son-salaire", comments_store.NewComment(
            author=author, body=f"Avis de {author}.", parent_id=parent))[0]
        comments_store.set_status(db, comment.id, "approved")
        return comment.id

    top = approved("Nadia")
    first = approved("Omar", top)
    deep = approved("Salma", first)
    second = approved("Karim", top)
    last = approved("Yasmine")
    comments_store.delete_comment(db, top)
    out = build_site(tmp_path / "out", COMMENTS={"db": str(db_path)})
    html = (out / "negocier-son-salaire" / "index.html").read_text(encoding="utf-8")
    thread = html.split('<ol class="comment-list" id="comment-list">', 1)[1].split('<p class="comments-feed">', 1)[0]
    order = [f"{i}@{d}" for i, d in re.findall(r'id="comment-(\d+)" data-id="\d+" data-depth="(\d)"', thread)]
    assert [f"{top}@1", f"{first}@2", f"{deep}@3", f"{second}@2", f"{last}@1"] == order
    assert 'class="comment-deleted"' in thread.split(f'id="comment-{first}"')[0]
    assert thread.count('<ol class="comment-replies">') == 2
    assert thread.index(f'id="comment-{deep}"') < thread.index("</ol>") < thread.index(f'id="comment-{second}"')
