"""site_markdown.py reads posts exactly as Pelican and Python-Markdown's toc and smarty do, with less work."""
from __future__ import annotations

import itertools

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.smarty import SmartyExtension

from conftest import ROOT

import site_markdown

OPTIONS = ("smart_quotes", "smart_dashes", "smart_ellipses", "smart_angled_quotes")
EVERY_CONFIG = [dict(zip(OPTIONS, values)) for values in itertools.product((True, False), repeat=len(OPTIONS))]
EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.toc"]


def _render(extension, text: str) -> str:
    return markdown.markdown(text, extensions=[*EXTENSIONS, extension], output_format="html5")


def _smarty_patterns(config: dict) -> list:
    md = markdown.Markdown(extensions=[SmartyExtension(**config)])
    return list(md.treeprocessors["smarty"].inlinePatterns)


# Text with every character smarty's patterns look at (quotes, dashes, dots, angles, spaces, entities' pieces)
# and Markdown's own syntax, so that both passes have work to do.
PIECES = [*"ab1 9'\"-.<>&;#*_`[]()!?,:\n", "--", "...", "'s", "\n\n", "&nbsp;", "## ", "<b>", "'90s", "\u2013",
          "\u2014", "&#8212;", "&mdash;", "\x02", "\x03"]
MARKDOWN_TEXT = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


TOC_PIECES = [*PIECES, "[TOC]", "\n[TOC]\n", "# ", "### ", "Titre", "\n\nSous-titre\n---\n", '{: #ancre }']
TOC_TEXT = st.lists(st.sampled_from(TOC_PIECES), max_size=40).map("".join)


def _toc_of(extension, text: str) -> tuple[str, str, list]:
    md = markdown.Markdown(extensions=["markdown.extensions.extra", extension], output_format="html5")
    html = md.convert(text)
    return html, md.toc, md.toc_tokens


@settings(max_examples=300, deadline=None)
@given(TOC_TEXT, st.sampled_from([{}, {"permalink": False}, {"permalink": True, "marker": "[TOC]"},
                                  {"marker": "", "title": "Sommaire"}]))
def test_headings_only_toc_gives_what_toc_gives(text, config):
    """Any Markdown text, with or without headings or marker: toc's HTML, toc and toc_tokens, unchanged."""
    from markdown.extensions.toc import TocExtension

    assert _toc_of(TocExtension(**config), text) == _toc_of(site_markdown.HeadingsOnlyTocExtension(**config), text)


def test_headings_only_toc_gives_what_toc_gives_on_the_demo_posts():
    """Every post and page of the demo blog, one after the other on one instance: the same HTML and toc."""
    from markdown.extensions.toc import TocExtension

    sources = sorted((ROOT / "content").rglob("*.md"))
    for source in sources:
        text = source.read_text(encoding="utf-8")
        expected = _toc_of(TocExtension(permalink=False), text)
        assert expected == _toc_of(site_markdown.HeadingsOnlyTocExtension(permalink=False), text), source


def test_the_blog_uses_the_quick_smarty_with_smartys_settings():
    """pelicanconf.py configures site_markdown's smarty and toc in place of Python-Markdown's own, same settings."""
    import pelicanconf

    expected = {"markdown.extensions.extra": {}, "site_markdown": {"smart_angled_quotes": False},
                "site_markdown:HeadingsOnlyTocExtension": {"permalink": False}}
    actual = pelicanconf.MARKDOWN["extension_configs"]
    assert expected == actual


@settings(max_examples=300, deadline=None)
@given(MARKDOWN_TEXT, st.sampled_from(EVERY_CONFIG))
def test_quick_smarty_writes_what_smarty_writes(text, config):
    """Any Markdown text, any of smarty's settings: the same HTML as Python-Markdown's own smarty."""
    assert _render(SmartyExtension(**config), text) == _render(site_markdown.QuickSmartyExtension(**config), text)


def test_quick_smarty_writes_what_smarty_writes_on_the_demo_posts():
    """Every post and page of the demo blog gives the same HTML with either extension."""
    sources = sorted((ROOT / "content").rglob("*.md"))
    assert sources
    for source in sources:
        text = source.read_text(encoding="utf-8")
        expected = _render(SmartyExtension(smart_angled_quotes=False), text)
        assert expected == _render(site_markdown.QuickSmartyExtension(smart_angled_quotes=False), text), source


@settings(max_examples=500, deadline=None)
@given(MARKDOWN_TEXT, st.sampled_from(EVERY_CONFIG))
def test_no_smarty_pattern_matches_a_text_without_its_triggers(text, config):
    """A text holding none of triggers(settings) is matched by none of the patterns smarty registers for them."""
    if any(t in text for t in site_markdown.triggers(config)):
        return
    assert [] == [p.compiled_re.pattern for p in _smarty_patterns(config) if p.compiled_re.search(text)]


def test_quick_smarty_leaves_plain_text_without_trying_a_pattern():
    """A text with no quote, double dash or three dots goes through the quick pass without one pattern search."""
    md = markdown.Markdown(extensions=[site_markdown.QuickSmartyExtension()])
    tried = []

    class Counting:
        def __init__(self, pattern):
            self.pattern = pattern

        def __getattr__(self, name):
            tried.append(name)
            return getattr(self.pattern, name)

    quick = md.treeprocessors["smarty"]
    quick.inlinePatterns = [Counting(p) for p in quick.inlinePatterns]
    assert "<p>Un texte sans guillemets, ni tirets, ni points de suspension.</p>" == md.convert(
        "Un texte sans guillemets, ni tirets, ni points de suspension.")
    assert [] == tried


def _read_all(reader_class, paths):
    import pelicanconf
    from pelican.settings import DEFAULT_CONFIG

    settings = {**DEFAULT_CONFIG, "MARKDOWN": {k: (dict(v) if isinstance(v, dict) else v)
                                               for k, v in pelicanconf.MARKDOWN.items()}}
    reader = reader_class(settings)
    return [reader.read(str(path)) for path in paths]


def test_the_reused_reader_reads_every_demo_post_as_pelicans_reader_does():
    """Content and metadata (Summary, tags, dates…) of each post, read in a row, equal Pelican's own reader's."""
    from pelican.readers import MarkdownReader

    sources = sorted((ROOT / "content").rglob("*.md"))
    assert len(sources) > 2
    assert _read_all(MarkdownReader, sources) == _read_all(site_markdown.ReusedMarkdownReader, sources)


def test_the_reused_reader_still_reads_metadata_after_a_summary(tmp_path):
    """A post after one with a Summary (which Pelican converts without the metadata reader) keeps its metadata."""
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.write_text("Title: Un\nSummary: *Court* résumé\n\nTexte « un ».\n", encoding="utf-8")
    second.write_text("Title: Deux\nTags: cv, stage\n\nTexte 'deux' -- fin...\n", encoding="utf-8")
    [(_, meta_one), (content, meta_two)] = _read_all(site_markdown.ReusedMarkdownReader, [first, second])
    assert "<em>Court</em> résumé" in str(meta_one["summary"])
    assert ("Deux", ["cv", "stage"]) == (meta_two["title"], [str(t) for t in meta_two["tags"]])
    assert "<p>Texte &lsquo;deux&rsquo; &ndash; fin&hellip;</p>" == content


def test_the_blog_reads_markdown_with_the_reused_reader():
    """pelicanconf.py gives every Markdown file extension to ReusedMarkdownReader."""
    import pelicanconf
    from pelican.readers import MarkdownReader

    expected = {ext: site_markdown.ReusedMarkdownReader for ext in MarkdownReader.file_extensions}
    assert expected == pelicanconf.READERS
