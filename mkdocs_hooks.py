r"""MkDocs hook: lets Python-Markdown read the manual as GitHub reads it, so docs/*.md stay plain GitHub Markdown.

Three habits of our pages differ between the two: a list that starts right under a paragraph line (GitHub
starts a list, Python-Markdown keeps one paragraph), a fenced code block inside a numbered step
(Python-Markdown only sees fences at the start of a line), and `a\|b` in a table cell's code (GitHub shows
`a|b`; Python-Markdown keeps a code span's pipes in their cell already, and would show the backslash).
The pages are left as written; only the text handed to Python-Markdown changes.
"""
from __future__ import annotations

import re

__all__ = ["gfm_to_python_markdown", "on_page_markdown"]

LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)]) \S")
# As in CommonMark, only a bullet or "1." starts a list inside a paragraph: "2026. " at a line's start does not.
LIST_START = re.compile(r"^(?:[-*+]|1[.)]) \S")
FENCE = re.compile(r"^( *)(```+|~~~+)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def gfm_to_python_markdown(markdown: str) -> str:
    """The same page, with a blank line before each list that follows a paragraph, in-list fences indented
    and table code unescaped."""
    out: list[str] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence and not fence.group(1):  # a top-level fence: copied untouched to its end
            end = _fence_end(lines, i, fence.group(2))
            out.extend(lines[i:end + 1])
            i = end + 1
            continue
        if fence:  # a fence inside a list item: an indented code block of that item
            indent, end = len(fence.group(1)), _fence_end(lines, i, fence.group(2))
            out.append("")
            out.extend("        " + body[indent:] if body.strip() else "" for body in lines[i + 1:end])
            out.append("")
            i = end + 1
            continue
        if line.startswith("|"):
            line = CODE_SPAN.sub(lambda code: code.group(0).replace("\\|", "|"), line)
        previous = out[-1] if out else ""
        if LIST_START.match(line) and previous.strip() and not _in_list(out):
            out.append("")
        out.append(line)
        i += 1
    return "\n".join(out)


def _fence_end(lines: list[str], start: int, marker: str) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].strip().startswith(marker):
            return j
    return len(lines) - 1  # an unclosed fence runs to the end of the page, as in CommonMark


def _in_list(out: list[str]) -> bool:
    """Whether the last paragraph seen (back to a blank line) is a list item or its continuation."""
    for line in reversed(out):
        if not line.strip():
            return False
        if LIST_ITEM.match(line):
            return True
    return False


def on_page_markdown(markdown: str, **kwargs) -> str:
    return gfm_to_python_markdown(markdown)
