"""Readers' Markdown becomes safe HTML: an allow-list of tags, safe links, nothing executable."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments_store import render
from comments_store.render import ALLOWED_TAGS


class Inspect(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags, self.attrs = [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)


def assert_safe(html: str) -> None:
    page = Inspect(html)
    assert set(page.tags) <= ALLOWED_TAGS, page.tags
    for tag, name, value in page.attrs:
        assert (tag, name) in {("a", "href"), ("a", "rel")}, (tag, name)
        assert not name.startswith("on")
        if name == "href":
            assert re.match(r"^(https?:|mailto:)", value, re.I), value
    assert "<script" not in html.lower()


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("**gras** et *italique*", "<p><strong>gras</strong> et <em>italique</em></p>"),
        ("`code`", "<p><code>code</code></p>"),
        ("- un\n- deux", "<ul>\n<li>un</li>\n<li>deux</li>\n</ul>"),
        ("> cité", "<blockquote>\n<p>cité</p>\n</blockquote>"),
        ("[site](https://exemple.ma)", '<p><a href="https://exemple.ma" rel="nofollow ugc noopener">site</a></p>'),
        ("<b>brut</b>", "<p>&lt;b&gt;brut&lt;/b&gt;</p>"),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("![image](https://exemple.ma/x.png)", "<p>![image](https://exemple.ma/x.png)</p>"),
        ("[x](javascript:alert(1))", '<p><a rel="nofollow ugc noopener">x</a></p>'),
        ("[x](/chemin-relatif)", '<p><a rel="nofollow ugc noopener">x</a></p>'),
        ("ligne 1\nligne 2", "<p>ligne 1<br>\nligne 2</p>"),
        ("مرحبا بكم", "<p>مرحبا بكم</p>"),
    ],
)
def test_markdown_renders_to_the_allowed_subset(markdown, expected):
    assert render(markdown) == expected


ATTACKS = [
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '[x](JaVaScRiPt:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '[x](vbscript:msgbox)',
    '<svg/onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    '<<script>script>alert(1)<</script>/script>',
    '[x](https://ok.ma "title" onmouseover="alert(1)")',
    '<style>body{}</style>',
    '<a href="https://ok.ma" onclick="alert(1)">x</a>',
    '[x](&#106;avascript:alert(1))',
    '<details open ontoggle=alert(1)>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_known_attacks_come_out_inert(attack):
    assert_safe(render(attack))


PIECES = list("<>\"'=/:;()[]!*_`#-&. \nabcjsvritpxoneql") + [
    "javascript:", "onerror=", "<script>", "<img ", "<a href=", "](", "data:", "&#x", "<svg", "style=", "http://"]
markdownish = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(markdownish)
def test_no_output_ever_holds_script_handler_or_bad_scheme(body):
    """Property: whatever the input, the output has only allowed tags, no handlers, only safe schemes."""
    assert_safe(render(body))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text_renders(body):
    assert_safe(render(body))
