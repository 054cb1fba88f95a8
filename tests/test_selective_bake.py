"""A selective bake (only the pages whose comments changed) gives the very files a full build gives."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import comments_store
from conftest import build_site, location_of
from pelican_comments import selective

pytestmark = pytest.mark.both_databases

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = "negocier-son-salaire"
TRANSLATED = "nouvelle-application-mobile"  # French original, English translation (same slug, same thread)
UNTOUCHED = "premier-emploi-sans-experience/index.html"


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def blog(new_database, tmp_path):
    """The demo blog baked once with the content cache, on a database holding a few published comments."""
    location = new_database("bake")
    db = comments_store.open_db(location)
    cache = tmp_path / "cache"

    def build(output: Path, **settings) -> Path:
        settings = {"CACHE_PATH": str(settings.pop("cache", cache)), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True,
                    "COMMENTS": {"db": location}, **settings}
        return build_site(output, **settings)

    build(tmp_path / "site")  # registers the threads
    ids = {}
    for slug, name, body in ((ARTICLE, "Nadia", "Très **clair**, merci."), (ARTICLE, "Omar", "Et pour un stage ?"),
                             (TRANSLATED, "Sara", "Enfin en arabe !")):
        comment = comments_store.add_comment(db, slug, comments_store.NewComment(author=name, body=body))[0]
        comments_store.set_status(db, comment.id, "approved")
        ids[name] = comment.id
    comment, ids["token"] = comments_store.add_comment(db, ARTICLE, comments_store.NewComment(
        author="Ali", body="Premier jet."), moderation="none")
    ids["Ali"] = comment.id
    build(tmp_path / "site")
    yield db, build, ids, tmp_path
    db.close()


def approve(db, slug, **fields):
    comment = comments_store.add_comment(db, slug, comments_store.NewComment(**fields))[0]
    return comments_store.set_status(db, comment.id, "approved")


CHANGES = {
    "approval": lambda db, ids: approve(db, ARTICLE, author="Yasmine", body="Merci pour les chiffres."),
    "edit": lambda db, ids: comments_store.edit_own(
        db, ARTICLE, ids["Ali"], ids["token"], "Texte revu après coup.", window=_WINDOW, moderation="none"),
    "edit approved by a moderator": lambda db, ids: comments_store.approve_edit(
        db, ids["Ali"], comments_store.edit_own(db, ARTICLE, ids["Ali"], ids["token"], "Texte revu.",
                                                window=_WINDOW).waiting.id),
    "deletion": lambda db, ids: comments_store.delete_comment(db, ids["Omar"]),
    "deletion with a reply kept": lambda db, ids: (
        approve(db, ARTICLE, author="Karim", body="Je réponds à Nadia.", parent_id=ids["Nadia"]),
        comments_store.delete_comment(db, ids["Nadia"])),
    "reply": lambda db, ids: approve(db, ARTICLE, author="Karim", body="Bien vu, Nadia.", parent_id=ids["Nadia"]),
    "comment on a translation": lambda db, ids: approve(db, TRANSLATED, author="Tom", body="Great news.",
                                                        lang="en"),
}

_WINDOW = dt.timedelta(hours=1)


@pytest.mark.parametrize("change", list(CHANGES))
def test_selective_bake_writes_the_same_files_as_a_full_build(blog, change, caplog):
    """After each kind of change, baking only what changed leaves the same files, byte for byte, as a full build."""
    db, build, ids, tmp = blog
    site = tmp / "site"
    CHANGES[change](db, ids)
    untouched_before = (site / UNTOUCHED).stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="pelican_comments.plugin"):
        build(site, COMMENTS_ONLY_CHANGED=True)
    assert "writing only their pages" in caplog.text and "baking every page" not in caplog.text
    full = build(tmp / "full", cache=str(tmp / "other-cache"))
    expected, actual = files_of(full), files_of(site)
    assert sorted(expected) == sorted(actual)
    assert [name for name in expected if expected[name] != actual[name]] == []
    assert untouched_before == (site / UNTOUCHED).stat().st_mtime_ns


def test_selective_bake_writes_only_the_pages_showing_the_change(blog, caplog):
    """An approval rewrites its article, its listings and the comment feeds, and no other article."""
    db, build, ids, tmp = blog
    site = tmp / "site"
    before = {name: (site / name).stat().st_mtime_ns for name in files_of(site)}
    approve(db, TRANSLATED, author="Tom", body="Great news.", lang="en")
    build(site, COMMENTS_ONLY_CHANGED=True)
    rewritten = {name for name in before if (site / name).stat().st_mtime_ns != before[name]}
    pages = {name for name in rewritten if name.endswith(".html")}
    expected = {f"{TRANSLATED}/index.html", f"en/{TRANSLATED}/index.html", "page/2/index.html",
                "categorie/nouveautes/index.html", "etiquette/produit/index.html",
                "etiquette/application-mobile/index.html"}
    assert expected == pages
    assert {f"feeds/commentaires/{TRANSLATED}.atom.xml", "feeds/commentaires.atom.xml"} <= rewritten


def test_nothing_changed_rewrites_no_article(blog):
    """A selective bake with no change since the last one rewrites no article page."""
    db, build, ids, tmp = blog
    site = tmp / "site"
    before = (site / ARTICLE / "index.html").stat().st_mtime_ns
    build(site, COMMENTS_ONLY_CHANGED=True)
    assert before == (site / ARTICLE / "index.html").stat().st_mtime_ns


@pytest.mark.parametrize("damage", ["missing record", "corrupt record", "missing output file", "other database"])
def test_a_selective_bake_that_cannot_be_trusted_bakes_every_page_and_says_so(blog, damage, caplog, new_database):
    """A missing or corrupt record, a deleted output file or another database: a full bake, with a log line."""
    db, build, ids, tmp = blog
    site = tmp / "site"
    record = tmp / "cache" / selective.RECORD_NAME
    approve(db, ARTICLE, author="Yasmine", body="Merci pour les chiffres.")
    if damage == "missing record":
        record.unlink()
    elif damage == "corrupt record":
        record.write_text('{"version": 1, "threads": {', encoding="utf-8")
    elif damage == "missing output file":
        (site / UNTOUCHED).unlink()
    with caplog.at_level(logging.WARNING, logger="pelican_comments.plugin"):
        if damage == "other database":
            other = new_database("other")
            build(site, COMMENTS_ONLY_CHANGED=True, COMMENTS={"db": other})
        else:
            build(site, COMMENTS_ONLY_CHANGED=True)
    assert "pelican_comments:" in caplog.text and "baking every page" in caplog.text
    assert (site / UNTOUCHED).is_file()
    if damage != "other database":
        full = build(tmp / "full", cache=str(tmp / "other-cache"))
        assert files_of(full) == files_of(site)


def test_a_failed_bake_leaves_no_record_so_the_next_one_bakes_every_page(blog, caplog):
    """A bake that dies half-way removes the record: the next selective bake writes every page."""
    db, build, ids, tmp = blog
    site = tmp / "site"
    approve(db, ARTICLE, author="Yasmine", body="Merci pour les chiffres.")
    broken = tmp / "broken-theme"
    shutil.copytree(ROOT / "theme", broken)
    (broken / "templates" / "article.html").write_text("{% extends 'base.html' %}{% block content %}{{ 1 / 0 }}"
                                                       "{% endblock %}", encoding="utf-8")
    # In its own process, as the rebuilder runs it: a crash must not leave other plugins' state behind here.
    settings = {"CACHE_PATH": str(tmp / "cache"), "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True,
                "COMMENTS": {"db": location_of(db)}, "COMMENTS_ONLY_CHANGED": True, "THEME": str(broken)}
    crashed = subprocess.run([sys.executable, "-m", "pelican", "-q", "-s", "pelicanconf.py", "-o", str(site), "-e",
                              *[f"{k}={json.dumps(v)}" for k, v in settings.items()]],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert crashed.returncode != 0 and "ZeroDivisionError" in crashed.stderr + crashed.stdout
    assert not (tmp / "cache" / selective.RECORD_NAME).exists()
    with caplog.at_level(logging.WARNING, logger="pelican_comments.plugin"):
        build(site, COMMENTS_ONLY_CHANGED=True)
    assert "no record of the last bake" in caplog.text
    assert files_of(build(tmp / "full", cache=str(tmp / "other-cache"))) == files_of(site)


def test_the_record_names_every_file_of_the_bake(blog):
    """After a bake the record lists the files it stands for, so a missing one is noticed."""
    db, build, ids, tmp = blog
    record = selective.read_record(str(tmp / "cache" / selective.RECORD_NAME))
    expected = {name for name in files_of(tmp / "site") if name.endswith((".html", ".atom.xml"))}
    assert expected - set(record["files"]) == set()
    assert os.path.abspath(tmp / "site") == record["output"]


def test_a_warm_baker_writes_only_the_change_and_the_same_files_as_a_full_build(blog, capsys):
    """`make run`'s baker keeps the build in memory: an approval then a reply are baked alone, file for file right."""
    from pelican_comments.rebuild import WarmBaker

    db, build, ids, tmp = blog
    site = tmp / "site"
    baker = WarmBaker(ROOT, overrides={"OUTPUT_PATH": str(site), "CACHE_PATH": str(tmp / "cache"),
                                       "COMMENTS": {"db": location_of(db)}, "DELETE_OUTPUT_DIRECTORY": False})
    assert baker() is True
    top = approve(db, ARTICLE, author="Yasmine", body="Merci pour les chiffres.")
    untouched_before = (site / UNTOUCHED).stat().st_mtime_ns
    assert baker() is True
    approve(db, TRANSLATED, author="Tom", body="Great news.", lang="en", parent_id=None)
    approve(db, ARTICLE, author="Karim", body="Bien vu.", parent_id=top.id)
    assert baker() is True
    assert (baker.full_builds, baker.selective_bakes) == (1, 2)
    assert untouched_before == (site / UNTOUCHED).stat().st_mtime_ns
    assert files_of(build(tmp / "full", cache=str(tmp / "other-cache"))) == files_of(site)


def test_a_warm_baker_whose_output_lost_a_file_bakes_every_page_and_says_so(blog, caplog):
    """A file of the last bake deleted behind the baker's back: it says so and builds every page again."""
    from pelican_comments.rebuild import WarmBaker

    db, build, ids, tmp = blog
    site = tmp / "site"
    baker = WarmBaker(ROOT, overrides={"OUTPUT_PATH": str(site), "CACHE_PATH": str(tmp / "cache"),
                                       "COMMENTS": {"db": location_of(db)}, "DELETE_OUTPUT_DIRECTORY": False})
    baker()
    (site / UNTOUCHED).unlink()
    approve(db, ARTICLE, author="Yasmine", body="Merci pour les chiffres.")
    with caplog.at_level(logging.WARNING, logger="pelican_comments.rebuild"):
        assert baker() is True
    assert "missing from the output" in caplog.text and "baking every page" in caplog.text
    assert (baker.full_builds, baker.selective_bakes) == (2, 0)
    assert files_of(build(tmp / "full", cache=str(tmp / "other-cache"))) == files_of(site)


def test_other_data_pages_show_bakes_every_page_when_it_changes(blog, caplog):
    """A plugin baking other data of the store (the done page) declares it: its change bakes every page."""
    db, build, ids, tmp = blog
    site = tmp / "site"

    def waiting(database):
        return comments_store.search(database, status="pending")[1]

    selective.depends_on(waiting)
    try:
        build(site)  # a full bake that records the declared state
        approve(db, ARTICLE, author="Yasmine", body="Merci pour les chiffres.")
        with caplog.at_level(logging.INFO, logger="pelican_comments.plugin"):
            build(site, COMMENTS_ONLY_CHANGED=True)
        assert "writing only their pages" in caplog.text
        comments_store.add_comment(db, ARTICLE, comments_store.NewComment(author="Lina", body="En attente."))
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="pelican_comments.plugin"):
            build(site, COMMENTS_ONLY_CHANGED=True)
        assert "other published data" in caplog.text and "baking every page" in caplog.text
    finally:
        selective.EXTRA_STATES.remove(waiting)


def test_pages_named_in_always_write_are_rendered_in_every_selective_bake(blog):
    """COMMENTS always_write: a page that shows other data of the store is written even when no thread changed."""
    db, build, ids, tmp = blog
    site = tmp / "site"
    settings = {"db": location_of(db), "always_write": ["archives/index.html"]}
    build(site, COMMENTS=settings)
    before = {name: (site / name).stat().st_mtime_ns for name in ("archives/index.html", UNTOUCHED)}
    build(site, COMMENTS=settings, COMMENTS_ONLY_CHANGED=True)
    assert before["archives/index.html"] != (site / "archives/index.html").stat().st_mtime_ns
    assert before[UNTOUCHED] == (site / UNTOUCHED).stat().st_mtime_ns


def test_closing_a_feedback_item_bakes_the_done_page_again(blog):
    """Closing an item moves no thread counter, yet the selective bake writes the public page that lists it."""
    from feedback import store as feedback_store

    db, build, ids, tmp = blog
    site = tmp / "site"
    from feedback.classify import Classifier

    feedback_store.prepare(db)
    feedback_store.save_auto(db, [(ids["Omar"], "", Classifier.load().classify("Et pour un stage ?"))], "test")
    feedback_store.set_human_labels(db, ids["Omar"], ["suggestion"], author="po")
    for status in ("triaged", "planned", "done"):
        feedback_store.set_status(db, ids["Omar"], status, author="po")
    build(site, COMMENTS_ONLY_CHANGED=True)
    assert "Et pour un stage" in (site / "nous-l-avons-fait" / "index.html").read_text(encoding="utf-8")
    assert files_of(build(tmp / "full", cache=str(tmp / "other-cache"))) == files_of(site)
