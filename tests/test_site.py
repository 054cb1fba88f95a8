"""The blog as readers and search engines see it, checked on a real build of content/ with our theme."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from conftest import ROOT, build_site
from html_helpers import read_page

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def front_matter(path: Path) -> dict[str, str]:
    meta = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    return meta


POSTS = {p: front_matter(p) for p in sorted((ROOT / "content").glob("*.md"))}
PUBLISHED = {p: m for p, m in POSTS.items() if m.get("status") != "draft"}
FRENCH = [m for m in PUBLISHED.values() if m.get("lang", "fr") == "fr"]


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def url_path(site: Path, page: Path) -> str:
    """The URL path a page is served at (clean URLs: dir/index.html is dir/)."""
    rel = page.relative_to(site).as_posix()
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def resolve(site: Path, base: str, link: str) -> Path | None:
    """The file a same-site link points to, or None for external or in-page links and the API's own pages."""
    url = urlparse(urljoin("http://site" + base, link))
    if url.netloc != "site" or url.path.startswith("/api/"):  # /api/privacy is served by the API, not the build
        return None
    target = site / url.path.lstrip("/")
    return target / "index.html" if url.path.endswith("/") else target


# --- Content -----------------------------------------------------------------------------------

def test_content_has_at_least_eight_french_posts_in_three_categories():
    """The demo blog has 8+ French posts over 3+ categories, with several tags."""
    assert len(FRENCH) >= 8
    assert len({m["category"] for m in PUBLISHED.values()}) >= 3
    tags = {t.strip() for m in PUBLISHED.values() for t in m.get("tags", "").split(",") if t.strip()}
    assert len(tags) >= 5


def test_every_post_has_a_summary():
    """Every post and page carries a summary for the home page and feeds."""
    for path in list(POSTS) + sorted((ROOT / "content" / "pages").glob("*.md")):
        assert front_matter(path).get("summary"), path.name


def test_post_dates_span_several_weeks():
    """Posts are spread over several weeks, not published on one day."""
    dates = sorted(m["date"][:10] for m in PUBLISHED.values())
    first, last = (tuple(map(int, d.split("-"))) for d in (dates[0], dates[-1]))
    import datetime as dt

    assert (dt.date(*last) - dt.date(*first)).days >= 21


# --- Pages and templates -----------------------------------------------------------------------

def test_every_published_post_has_its_page_with_its_title(site):
    """Each published post is written at its clean URL, with its title in <title> and <h1>."""
    for meta in PUBLISHED.values():
        folder = site / ("" if meta.get("lang", "fr") == "fr" else meta["lang"]) / meta["slug"]
        page = read_page(folder / "index.html")
        assert page.title.startswith(meta["title"].replace("'", "’")) or page.title.startswith(meta["title"])
        assert page.ids["titre-article"]["tag"] == "h1"


@pytest.mark.parametrize(
    "path",
    ["index.html", "archives/index.html", "categories/index.html", "etiquettes/index.html", "404.html",
     "pages/a-propos/index.html", "pages/confidentialite/index.html", "categorie/recrutement/index.html",
     "etiquette/entretien/index.html"],
)
def test_site_pages_exist(site, path):
    """Home, archives, categories, tags, 404, pages, a category and a tag page are built."""
    assert (site / path).is_file()


def test_every_page_declares_a_valid_language(site):
    """Every HTML page has <html lang> set to a well-formed language tag (fr by default)."""
    langs = {}
    for page in html_pages(site):
        lang = read_page(page).lang
        assert lang and LANG_TAG.match(lang), page
        langs[lang] = langs.get(lang, 0) + 1
    assert max(langs, key=langs.get) == "fr"


def test_pages_have_landmarks_and_a_skip_link(site):
    """Each page has a skip link to <main id=contenu>, a banner, a labelled nav and a footer."""
    for page_path in html_pages(site):
        text = page_path.read_text(encoding="utf-8")
        page = read_page(page_path)
        assert page.ids["contenu"]["tag"] == "main", page_path
        assert 'class="skip-link" href="#contenu"' in text
        assert "<header" in text and "<footer" in text and "<nav" in text


def test_no_page_loads_an_asset_from_elsewhere(site):
    """No stylesheet, script, image, icon or font comes from another origin."""
    for page_path in html_pages(site):
        page = read_page(page_path)
        for tag, attrs in page.tags:
            if tag in ("img", "script", "iframe", "source", "video", "audio") and attrs.get("src"):
                assert not urlparse(attrs["src"]).netloc, (page_path, attrs["src"])
            if tag == "link" and attrs.get("rel") != "alternate":
                assert not urlparse(attrs.get("href", "")).netloc, (page_path, attrs)
    css = (site / "theme" / "css" / "style.css").read_text()
    assert "@import" not in css and "http" not in css


def test_no_broken_internal_link_or_asset(site):
    """Every same-site href and src of every page points to a file of the build."""
    broken = []
    for page_path in html_pages(site):
        if page_path.name == "404.html" and page_path.parent == site:
            base = "/"
        else:
            base = url_path(site, page_path)
        page = read_page(page_path)
        for link in page.links + page.assets:
            target = resolve(site, base, link)
            if target is not None and not target.is_file():
                broken.append((url_path(site, page_path), link))
    assert broken == []


def test_article_has_a_comment_form_that_works_without_script(site):
    """Each article ends with a comments section whose plain HTML form posts to the API."""
    page = read_page(site / "negocier-son-salaire" / "index.html")
    assert page.ids["comments"]["tag"] == "section"
    form = page.find_all("form", id="comment-form")[0]
    assert form["method"] == "post" and form["action"] == "../api/threads/negocier-son-salaire/comments"
    names = {a.get("name") for t, a in page.tags if t in ("input", "textarea")}
    assert {"author", "email", "website", "body", "telephone", "parent_id", "ts"} <= names
    assert page.ids["merci"]["class"] == "anchor"
    assert '<span id="merci" class="anchor"></span><p class="notice notice-target" role="status">Merci !' in (
        site / "negocier-son-salaire" / "index.html").read_text()


def test_translation_shares_the_original_thread(site):
    """The English version of a post collects comments in the same thread as the French one."""
    page = read_page(site / "en" / "nouvelle-application-mobile" / "index.html")
    assert page.ids["comments"]["data-thread"] == "nouvelle-application-mobile"
    assert page.find_all("form", id="comment-form")[0]["action"].endswith("/api/threads/nouvelle-application-mobile/comments")


def test_article_shows_french_date_and_reading_time(site):
    """Dates are written in French and each article shows its reading time."""
    text = (site / "negocier-son-salaire" / "index.html").read_text()
    assert "5 octobre 2026" in text
    assert re.search(r"\d+ min de lecture", text)


# --- Pagination --------------------------------------------------------------------------------

def card_slugs(site: Path, page: Path) -> list[str]:
    """Slugs of the posts listed on a listing page, in order."""
    text = page.read_text(encoding="utf-8")
    return re.findall(r'<h2 class="card-title"><a href="[./]*/?([^"/]+)/">', text)


def test_home_is_paginated(site):
    """The home page shows 5 posts per page, with working next/previous links."""
    first = read_page(site / "index.html")
    assert len(first.find_all("article", **{"class": "card"})) == 5
    nxt = first.find_all("a", rel="next")[0]["href"]
    second = resolve(site, "/", nxt)
    assert second == site / "page" / "2" / "index.html" and second.is_file()
    prev = read_page(second).find_all("a", rel="prev")[0]["href"]
    assert resolve(site, "/page/2/", prev) == site / "index.html"
    pages = len(list((site / "page").glob("*/index.html"))) + 1
    assert pages == -(-len(FRENCH) // 5)


def test_home_lists_every_french_post_newest_first(site):
    """Across its pages, the home page lists each published French post once, newest first."""
    listed = card_slugs(site, site / "index.html")
    for n in range(2, 10):
        page = site / "page" / str(n) / "index.html"
        if page.is_file():
            listed += card_slugs(site, page)
    expected = [m["slug"] for m in sorted(FRENCH, key=lambda m: m["date"], reverse=True)]
    assert listed == expected


# --- Translations ------------------------------------------------------------------------------

def test_english_translation_links_both_ways(site):
    """The English post says lang=en and links to its French original, which links back."""
    en = read_page(site / "en" / "nouvelle-application-mobile" / "index.html")
    fr = read_page(site / "nouvelle-application-mobile" / "index.html")
    assert en.lang == "en" and fr.lang == "fr"
    assert "../../nouvelle-application-mobile/" in en.links
    assert "../en/nouvelle-application-mobile/" in fr.links
    assert fr.find_all("link", rel="alternate", hreflang="en")


def test_english_page_uses_english_interface(site):
    """On the English post, the theme's own words are English."""
    text = (site / "en" / "nouvelle-application-mobile" / "index.html").read_text()
    assert "Skip to content" in text and "min read" in text and "October 12, 2026" in text


def test_interface_switches_to_english_with_default_lang(tmp_path):
    """DEFAULT_LANG = 'en' gives an English interface and <html lang="en">."""
    site = build_site(tmp_path, DEFAULT_LANG="en")
    page = read_page(site / "archives" / "index.html")
    assert page.lang == "en"
    assert "Skip to content" in (site / "index.html").read_text()


# --- Drafts ------------------------------------------------------------------------------------

def test_drafts_are_not_published(site, published_site):
    """A draft appears in no listing, feed or sitemap, and a production build does not write it."""
    draft = next(m for m in POSTS.values() if m.get("status") == "draft")
    for listing in ["index.html", "archives/index.html", "feeds/all.atom.xml", "sitemap.xml"]:
        assert draft["slug"] not in (site / listing).read_text(), listing
    assert not list(published_site.rglob(f"*{draft['slug']}*"))


# --- Feeds and sitemap -------------------------------------------------------------------------

def test_atom_feed_lists_every_published_post(site):
    """feeds/all.atom.xml is valid Atom and links every published post, with absolute URLs."""
    feed = ET.parse(site / "feeds" / "all.atom.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert all(link.startswith("http") for link in links)
    for meta in FRENCH:
        assert any(link.endswith(f"/{meta['slug']}/") for link in links), meta["slug"]


def test_each_category_has_its_feed(site):
    """Every category has an Atom feed holding exactly that category's posts."""
    categories = {m["category"] for m in PUBLISHED.values()}
    feeds = list((site / "feeds" / "categorie").glob("*.atom.xml"))
    assert len(feeds) == len(categories)
    feed = ET.parse(site / "feeds" / "categorie" / "recrutement.atom.xml").getroot()
    expected = sum(1 for m in FRENCH if m["category"] == "Recrutement")
    assert len(feed.findall(f"{ATOM}entry")) == expected


def test_sitemap_lists_posts_and_pages(site):
    """sitemap.xml is valid and lists every published post and page by absolute URL."""
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [u.find(f"{SITEMAP}loc").text for u in root.findall(f"{SITEMAP}url")]
    for meta in FRENCH:
        assert any(loc.endswith(f"/{meta['slug']}/") for loc in locs), meta["slug"]
    assert any(loc.endswith("/pages/a-propos/") for loc in locs)


# --- Production settings -----------------------------------------------------------------------

def test_production_pages_have_canonical_and_opengraph(published_site):
    """publishconf.py adds a canonical URL and OpenGraph tags with absolute URLs."""
    page = read_page(published_site / "negocier-son-salaire" / "index.html")
    canonical = page.find_all("link", rel="canonical")
    assert canonical == [{"rel": "canonical", "href": "https://blog.example.ma/negocier-son-salaire/"}]
    og = {a["property"]: a["content"] for a in page.find_all("meta") if a.get("property", "").startswith("og:")}
    assert og["og:url"] == "https://blog.example.ma/negocier-son-salaire/"
    assert og["og:title"] == "Négocier son salaire sans gêne"


def test_local_build_has_no_canonical_tags(site):
    """Previews carry no canonical URL pointing at a local address."""
    assert not read_page(site / "negocier-son-salaire" / "index.html").find_all("link", rel="canonical")
