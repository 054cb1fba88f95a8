"""Comments that other systems keep as HTML (Disqus, WordPress), turned into the Markdown our readers write."""
from __future__ import annotations

import re

import nh3
from markdownify import markdownify

# What a comment may carry through; everything else keeps its text and loses its tag (scripts lose both).
_KEEP = {"p", "br", "em", "i", "strong", "b", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
_BLOCK = re.compile(r"<\s*(?:p|br|div|ul|ol|li|blockquote|pre)\b", re.I)


def _paragraphs(text: str) -> str:
    # WordPress stores comments as typed, and adds <p> and <br> only when it shows them.
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "".join(f"<p>{block.strip().replace(chr(10), '<br>')}</p>" for block in blocks if block.strip())


def to_markdown(fragment: str) -> str:
    """Markdown for an HTML comment: paragraphs, emphasis, links, lists and quotes kept, the rest as text."""
    if not fragment or not fragment.strip():
        return ""
    if not _BLOCK.search(fragment):
        fragment = _paragraphs(fragment)
    safe = nh3.clean(fragment, tags=_KEEP, attributes={"a": {"href"}, "*": set()},
                     url_schemes={"http", "https", "mailto"}, link_rel=None)
    text = markdownify(safe, heading_style="ATX", bullets="-", escape_underscores=True, escape_asterisks=True)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
