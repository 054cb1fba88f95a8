"""Sharing and finding: share links and social-card metadata on every build, comment feeds declared and linked."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from html_helpers import read_page

LOCAL = "http://127.0.0.1:8000"  # FEED_DOMAIN of the local build (pelicanconf's default BOUCLE_SITEURL)
PUBLIC = "https://blog.example.ma"


def article_pages(out: Path) -> list[Path]:
    """Every published article page of a build (drafts aside)."""
    return sorted(p for p in out.glob("**/index.html")
                  if "brouillons" not in p.parts and '<section id="comments"' in p.read_text(encoding="utf-8"))


def meta(page) -> dict[str, str]:
    return {a.get("property") or a.get("name"): a.get("content") for t, a in page.tags
            if t == "meta" and (a.get("property") or a.get("name"))}


@pytest.mark.parametrize("build, base", [("site", LOCAL), ("published_site", PUBLIC)])
def test_every_article_has_its_social_card(request, build, base):
    """Each article of a local and of a production build carries OpenGraph and Twitter-card tags, addresses absolute."""
    out = request.getfixturevalue(build)
    pages = article_pages(out)
    assert len(pages) >= 10
    for path in pages:
        page = read_page(path)
        tags = meta(page)
        url = base + "/" + path.parent.relative_to(out).as_posix() + "/"
        assert "article" == tags["og:type"], path
        assert url == tags["og:url"], path
        assert tags["og:title"] and tags["og:description"] and tags["twitter:title"], path
        assert tags["og:image"].startswith(base + "/images/"), path
        assert (out / tags["og:image"][len(base) + 1:]).is_file(), path  # the picture is part of the site
        assert "summary_large_image" == tags["twitter:card"], path
        assert tags["og:image"] == tags["twitter:image"], path
        assert tags["article:published_time"][:4].isdigit() and "T" in tags["article:published_time"], path


def test_the_card_shows_the_posts_own_image_or_the_site_default(site):
    """A post with `Image:` shows it; a post without shows the site's default share picture."""
    assert f"{LOCAL}/images/cv.svg" == meta(read_page(site / "cv-qui-se-fait-remarquer" / "index.html"))["og:image"]
    assert f"{LOCAL}/images/partage.png" == meta(read_page(site / "negocier-son-salaire" / "index.html"))["og:image"]


def _share(path: Path) -> dict[str, str]:
    html = path.read_text(encoding="utf-8")
    section = html.split('<section class="share"', 1)[1].split("</section>", 1)[0]
    return {text: href for href, text in links_of(section)}


def links_of(fragment: str) -> list[tuple[str, str]]:
    """(href, text) of the links of an HTML fragment."""
    from html.parser import HTMLParser

    found: list[list[str]] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.append([dict(attrs)["href"], ""])

        def handle_data(self, data):
            if found and not found[-1][1]:
                found[-1][1] = data.strip()


    Links(convert_charrefs=True).feed(fragment)
    return [(href, text) for href, text in found]


def test_share_links_carry_the_encoded_address_and_title(published_site):
    """LinkedIn, Facebook, X, WhatsApp, e-mail and copy-link links each carry the page's address (and title)."""
    path = published_site / "negocier-son-salaire" / "index.html"
    url, title = f"{PUBLIC}/negocier-son-salaire/", "Négocier son salaire sans gêne"
    links = _share(path)
    assert ["LinkedIn", "Facebook", "X", "WhatsApp", "E-mail", "Copier le lien"] == list(links)
    query = {name: parse_qs(urlsplit(href).query) for name, href in links.items()}
    assert "www.linkedin.com" == urlsplit(links["LinkedIn"]).hostname and [url] == query["LinkedIn"]["url"]
    assert "www.facebook.com" == urlsplit(links["Facebook"]).hostname and [url] == query["Facebook"]["u"]
    assert ([title], [url]) == (query["X"]["text"], query["X"]["url"])
    assert [f"{title} {url}"] == query["WhatsApp"]["text"]
    mail = urlsplit(links["E-mail"])
    assert "mailto" == mail.scheme
    assert {"subject": title, "body": url} == {k: unquote(v) for k, v in (p.split("=", 1) for p in mail.query.split("&"))}
    assert url == links["Copier le lien"]


def test_share_links_load_nothing_from_another_site(published_site):
    """The article page loads no script, image, frame or style from anywhere but the blog itself."""
    page = read_page(published_site / "negocier-son-salaire" / "index.html")
    loaded = page.assets
    outside = [a for a in loaded if urlsplit(a).hostname not in (None, "blog.example.ma")]
    assert [] == outside


def test_english_articles_share_in_english(site):
    """The share section speaks the article's language."""
    links = _share(site / "en" / "nouvelle-application-mobile" / "index.html")
    assert "Copy link" in links


def test_drafts_have_no_share_links(site):
    """A draft, previewed locally, offers nothing to share."""
    drafts = list((site / "brouillons").glob("**/index.html"))
    assert drafts
    assert all('class="share"' not in p.read_text(encoding="utf-8") for p in drafts)


def test_article_and_site_comment_feeds_are_declared_and_linked(site):
    """The page head declares the article's and the site's comment feeds, the page links both, and both exist."""
    path = site / "negocier-son-salaire" / "index.html"
    page = read_page(path)
    declared = [a["href"] for a in page.find_all("link", rel="alternate", type="application/atom+xml")]
    base = path.parent
    targets = {(base / href).resolve().relative_to(site.resolve()).as_posix() for href in declared}
    assert {"feeds/commentaires/negocier-son-salaire.atom.xml", "feeds/commentaires.atom.xml"} <= targets
    linked = {(base / href).resolve().relative_to(site.resolve()).as_posix() for href in page.links
              if "feeds/commentaires" in href}
    assert {"feeds/commentaires/negocier-son-salaire.atom.xml", "feeds/commentaires.atom.xml"} <= linked
    assert all((site / target).is_file() for target in targets)


def test_every_page_declares_the_site_comment_feed(site):
    """The home page, too, declares the site's comment feed in its head."""
    page = read_page(site / "index.html")
    assert any(a["href"].endswith("feeds/commentaires.atom.xml")
               for a in page.find_all("link", rel="alternate", type="application/atom+xml"))
