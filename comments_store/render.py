"""Markdown from readers to safe HTML: CommonMark without raw HTML or images, then nh3's allow-list."""
from __future__ import annotations

import functools
import re

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
# "*" empties the attributes nh3 would otherwise allow on every tag (title, lang).
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
# Deeper quotes or lists than this stay text: nobody writes them, and each level costs a parse.
MAX_NESTING = 20

_URL = re.compile(r"(?:https?://|mailto:|www\.)", re.I)


def _image_as_text(renderer, tokens, idx, options, env) -> str:
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    return escapeHtml(f"![{token.content}]({token.attrGet('src') or ''})")


def _heading_open(renderer, tokens, idx, options, env) -> str:
    return "<p><strong>"


def _heading_close(renderer, tokens, idx, options, env) -> str:
    return "</strong></p>\n"


# markdown-it-py rather than Python-Markdown: its parser stays linear in the length of the text (5,000 `[` took
# Python-Markdown 4 s, markdown-it 0.06 s), and it caps nesting. Readers' raw HTML is shown as text, never
# parsed (html=False); an image is shown as the Markdown that asked for it; a line break is a <br> (breaks).
# The parser keeps no state between calls, so one serves every thread. It is made (and markdown-it and nh3
# imported) at the first comment with a mark: the site's build imports this module and renders nothing (0.03 s).
@functools.cache
def _markdown():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "maxNesting": MAX_NESTING})
    parser.add_render_rule("image", _image_as_text)
    # A reader's "# Title" is emphasis in a comment, not a heading of the page's outline (which h1-h6 would
    # join): bold text in its own paragraph, where nh3 would otherwise strip the tags and run it into the next line.
    parser.add_render_rule("heading_open", _heading_open)
    parser.add_render_rule("heading_close", _heading_close)
    return parser


# What can make a text more than paragraphs of plain lines: Markdown's inline marks, entities and HTML-like text,
# what opens a block at the start of a line (lists, quotes, headings, fences, underlines, indented code), control
# characters (the parser and the cleaner replace them), and the Unicode spaces that the parser's trimming and ours
# could treat apart. Most comments hold none of them.
_NOT_PLAIN = re.compile(r"[\\`*_\[\]<>&\x00-\x08\x0b-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f"
                        r"\u205f\u3000\ufeff]|^(?:[ \t]*(?:[-+#=~>]|\d{1,9}[.)])| {4}| *\t)", re.M)
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def _paragraphs(body: str) -> str:
    # What the parser and the cleaner make of plain lines: a paragraph per run of lines, a <br> per line break,
    # spaces trimmed at both ends of each line. Nothing in such a text needs escaping (no <, > or &).
    blocks = (block.strip(" \t\n") for block in _BLANK_LINES.split(body))
    return "\n".join("<p>" + "<br>\n".join(line.strip(" ") for line in block.split("\n")) + "</p>"
                     for block in blocks if block)


def is_plain(body: str) -> bool:
    """True when `body` holds no Markdown mark, nothing to escape and no unusual space or control character: its
    HTML is then its own lines in paragraphs."""
    return not _NOT_PLAIN.search(body)


def render(body: str) -> str:
    """The sanitised HTML of a reader's Markdown `body`."""
    if is_plain(body):
        # Without a mark the parser has nothing to find: the same HTML without it (tests/test_render.py compares
        # both ways), a tenth of a comment post's time.
        return _paragraphs(body)
    import nh3

    html = _markdown().render(body)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
        url_relative="deny",
    ).strip()


def count_links(body: str) -> int:
    """How many URLs the raw text carries, for the spam heuristic."""
    return len(_URL.findall(body))
