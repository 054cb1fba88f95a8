"""How the blog reads Markdown: Pelican's reader, Python-Markdown's toc and smarty, each at a fraction of its cost."""
from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Markdown, util
from markdown.extensions.smarty import SmartyExtension
from markdown.extensions.toc import TocExtension, TocTreeprocessor
from markdown.treeprocessors import InlineProcessor
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

__all__ = ["HeadingsOnlyTocExtension", "QuickSmartyExtension", "ReusedMarkdownReader", "makeExtension", "triggers"]


def triggers(configs: dict) -> tuple[str, ...]:
    """What a text must contain for one of smarty's patterns, under these settings, to match in it.

    Each of smarty's patterns has one of these in its own text (tests/test_site_markdown.py checks it against
    every pattern smarty registers, so a new version of Python-Markdown with other patterns is caught).
    """
    found = []
    if configs["smart_quotes"]:
        found += ["'", '"']
    if configs["smart_dashes"]:
        found += ["--"]
    if configs["smart_ellipses"]:
        found += ["..."]
    if configs["smart_angled_quotes"]:
        found += ["<<", ">>"]
    return tuple(found)


class _SkipPlainText(InlineProcessor):
    """Smarty's inline pass, leaving at once the texts in which none of its patterns can match.

    Smarty runs a second inline pass over every text of the page, searching it with its 19 patterns one after
    the other; on a large blog that cost more than the rest of Markdown's inline work. Most texts have no quote,
    no double dash and no three dots: smarty leaves them as they are, so does this, without the 19 searches.
    """

    triggers: tuple[str, ...] = ()

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        # (InlineProcessor calls its private __handleInline for each text; this is that name, mangled.)
        if not any(t in data for t in self.triggers):
            return data
        return InlineProcessor._InlineProcessor__handleInline(self, data, patternIndex)


class QuickSmartyExtension(SmartyExtension):
    """Python-Markdown's smarty, same settings and same output, skipping the texts it would not change."""

    def extendMarkdown(self, md) -> None:
        super().extendMarkdown(md)
        quick = _SkipPlainText(md)
        quick.inlinePatterns = md.treeprocessors["smarty"].inlinePatterns
        quick.triggers = triggers(self.getConfigs())
        md.treeprocessors.register(quick, "smarty", 6)


def makeExtension(**kwargs) -> QuickSmartyExtension:
    return QuickSmartyExtension(**kwargs)


class _HeadingsOnlyToc(TocTreeprocessor):
    """toc's pass, which leaves at once a text with no heading and no [TOC] marker.

    Such a text (every Summary, many short posts) comes out of toc unchanged, with an empty table of contents;
    toc still walks it three times and serialises that empty table. Here the empty table is made once.
    """

    _empty_toc: str | None = None

    def run(self, doc) -> None:
        if any(isinstance(el.tag, str) and self.header_rgx.match(el.tag) or self.marker and self.marker in (
                el.text or "") for el in doc.iter()):
            return super().run(doc)
        if self._empty_toc is None:
            super().run(etree.Element("div"))  # (toc of nothing: what toc would have attached for this text)
            self._empty_toc = self.md.toc
        self.md.toc_tokens = []
        self.md.toc = self._empty_toc
        return None


class HeadingsOnlyTocExtension(TocExtension):
    """Python-Markdown's toc, same settings and same output, skipping the texts without headings."""

    TreeProcessorClass = _HeadingsOnlyToc


class ReusedMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, converting every file with one Markdown instance, reset between files.

    Pelican builds a new instance per file: its extensions set up again each time, about half a millisecond of
    CPU, a second on a 2,000-post blog. Python-Markdown's reset() is made for converting several documents with
    one instance, and Pelican already calls it between a file and its Summary.
    """

    _reused: Markdown | None = None

    def read(self, source_path):
        self._source_path = source_path
        if self._reused is None:
            self._reused = Markdown(**self.settings["MARKDOWN"])
            self._meta = self._reused.preprocessors["meta"]
        else:
            self._reused.reset()
            if "meta" not in self._reused.preprocessors:
                # Pelican's _parse_metadata takes the metadata reader out (for the Summary's conversion): back
                # in, where the meta extension puts it.
                self._reused.preprocessors.register(self._meta, "meta", 27)
        self._md = self._reused
        with pelican_open(source_path) as text:
            content = self._md.convert(text)
        metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        return content, metadata
