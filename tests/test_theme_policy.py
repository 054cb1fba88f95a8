"""The theme runs under a strict Content-Security-Policy, and its one script stays small."""
from __future__ import annotations

import re
import shutil

from conftest import ROOT, build_site

import site_helpers


def test_no_inline_script_handler_or_style_in_any_page(site):
    """No <script> without src, no on*= attribute, no style attribute or element: CSP 'self' allows none."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I), page
        assert not re.search(r"<[^>]+\sstyle\s*=", html, re.I), page
        assert "<style" not in html, page


def test_comment_script_is_at_most_6_kb_minified():
    source = (ROOT / "theme" / "static" / "js" / "comments.js").read_text(encoding="utf-8")
    assert len(site_helpers.minify_js(source).encode()) <= 6 * 1024


def test_built_site_serves_the_minified_script(site):
    served = (site / "theme" / "js" / "comments.js").read_text(encoding="utf-8")
    assert served.startswith("/*!min*/") and "\n  " not in served


def test_the_committed_minified_scripts_are_those_of_the_current_sources():
    """theme/minified holds, for each script of the theme, its minified text and nothing else: else run
    `.venv/bin/python -m site_helpers` and commit what it writes."""
    theme = ROOT / "theme"
    scripts = sorted((theme / "static" / "js").glob("*.js"))
    expected = {site_helpers.minified_copy(theme, script).name: "/*!min*/" + site_helpers.minify_js(
        script.read_text(encoding="utf-8")) for script in scripts}
    actual = {kept.name: kept.read_text(encoding="utf-8") for kept in (theme / "minified").glob("*")}
    assert expected == actual


def test_a_script_without_its_minified_copy_is_minified_by_the_build(tmp_path):
    """A theme whose script changed since its minified copy was written still serves that script, minified."""
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    script = theme / "static" / "js" / "comments.js"
    script.write_text(script.read_text(encoding="utf-8") + "\nvar editedSinceTheCopy = 1;\n", encoding="utf-8")
    out = build_site(tmp_path / "out", THEME=str(theme))
    expected = "/*!min*/" + site_helpers.minify_js(script.read_text(encoding="utf-8"))
    assert expected == (out / "theme" / "js" / "comments.js").read_text(encoding="utf-8")


def test_script_makes_no_external_request():
    source = (ROOT / "theme" / "static" / "js" / "comments.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://|\"//", source)
    assert "fetch(api + url" in source  # every request goes to the blog's own API


def test_article_page_weighs_at_most_40_kb(site):
    """HTML + CSS + JS of an article with its comment form, uncompressed, images aside."""
    html = (site / "negocier-son-salaire" / "index.html").read_bytes()
    css = (site / "theme" / "css" / "style.css").read_bytes()
    js = (site / "theme" / "js" / "comments.js").read_bytes()
    assert len(html) + len(css) + len(js) <= 40 * 1024
