"""Markdown from readers to safe HTML: Markdown without raw HTML or images, then nh3's allow-list."""
from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
# "*" empties the attributes nh3 would otherwise allow on every tag (title, lang).
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": set()}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

_URL = re.compile(r"(?:https?://|mailto:|www\.)", re.I)


def _markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")
    # Readers' raw HTML is shown as text, never parsed; images are not allowed.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("image_link")
    md.inlinePatterns.deregister("image_reference")
    return md


def render(body: str) -> str:
    """The sanitised HTML of a reader's Markdown `body`."""
    html = _markdown().convert(body)
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
