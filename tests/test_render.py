"""Readers' Markdown becomes safe HTML: an allow-list of tags, safe links, nothing executable."""
from __future__ import annotations

import re
import sys
from html.parser import HTMLParser

import nh3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comments_store import render
from comments_store.render import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS, LINK_REL

# The module itself: the package exports its function under the same name.
render_module = sys.modules["comments_store.render"]


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
        # CommonMark refuses the scheme, so the link stays text (before: an <a> whose href nh3 removed).
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("```\nprint(1)\n```", "<pre><code>print(1)\n</code></pre>"),
        ("[x](/chemin-relatif)", '<p><a rel="nofollow ugc noopener">x</a></p>'),
        ("ligne 1\nligne 2", "<p>ligne 1<br>\nligne 2</p>"),
        ("مرحبا بكم", "<p>مرحبا بكم</p>"),
        # Headings are bold text in their own paragraph, never flattened into the next line nor an <h1>.
        ("# Titre\nsuite", "<p><strong>Titre</strong></p>\n<p>suite</p>"),
        ("## Sous *titre*", "<p><strong>Sous <em>titre</em></strong></p>"),
        ("Soulignée\n===", "<p><strong>Soulignée</strong></p>"),
        ("# <script>x</script>", "<p><strong>&lt;script&gt;x&lt;/script&gt;</strong></p>"),
        # A fenced block keeps its lines, and its language name gives no class (no attribute but href).
        ("```python\nif a < b:\n    pass\n```", "<pre><code>if a &lt; b:\n    pass\n</code></pre>"),
        ("> une\n> citation\n\n> deux", "<blockquote>\n<p>une<br>\ncitation</p>\n</blockquote>\n<blockquote>\n"
                                         "<p>deux</p>\n</blockquote>"),
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


LIMIT = 5000  # the longest comment accepted (comments_store/rules.py, body_max)
# Shapes that made Python-Markdown's inline patterns backtrack (5,000 `[` took 4 s), and others that stress a
# Markdown parser: unclosed openers, emphasis runs, nesting, references, entities, HTML-like text.
# Each one is built at any length n, so that the test can compare the work at two lengths.
WORST_SHAPES = {
    "open brackets": "[",
    "image openers": "![",
    "link openers": "[a](",
    "bracket pairs": "[]",
    "reference uses": "[a][b]",
    "stars": "*",
    "star words": "*a ",
    "underscore words": "_a ",
    "mixed emphasis": "*_",
    "strong runs": "**a",
    "backticks": "`",
    "backtick runs": "`a``",
    "angle brackets": "<",
    "autolink openers": "<a",
    "html-like": "<a href='",
    "entities": "&amp;",
    "unfinished entities": "&#",
    "quotes": "> ",
    "list markers": "- ",
    "line breaks": "a\n",
    "escapes": "\\[",
}
SPECIAL = {
    "brackets then one close": lambda n: "[" * (n - 1) + "]",
    "nested link text": lambda n: "[" * (n // 2) + "a" + "](x)" * n,
    "reference definitions": lambda n: "".join(f"[{i}]: /u{i}\n" for i in range(n)),
    "nested lists": lambda n: "".join("  " * i + "- a\n" for i in range(80)) * (n // 500),
}


def shape(name: str, n: int) -> str:
    build = SPECIAL.get(name) or (lambda size: WORST_SHAPES[name] * size)
    return build(n)[:n]


def work(body: str) -> int:
    """How many function calls rendering takes: a count that does not depend on the machine's speed or load,
    unlike a stopwatch (a CPU-time limit failed on a busy CI host)."""
    calls = 0

    def count(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(count)
    try:
        render(body)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("name", sorted(WORST_SHAPES.keys() | SPECIAL.keys()))
def test_the_worst_shapes_take_work_in_proportion_to_their_length(name):
    """Each shape at 5,000 characters costs at most about four times what it costs at 1,250: the work grows
    with the length, not with its square (5,000 `[` took 4 s when it did), so no comment under the length
    limit can tie up a worker."""
    quarter, full = work(shape(name, LIMIT // 4)), work(shape(name, LIMIT))
    assert full <= 6 * quarter, f"{name}: {quarter} calls at {LIMIT // 4} characters, {full} at {LIMIT}"


def test_the_growth_check_catches_quadratic_work(monkeypatch):
    """The check above fails for a renderer whose work grows with the square of the length."""
    def quadratic(body):
        for _ in range(len(body) // 50):
            for _ in range(len(body) // 50):
                len("")
        return ""

    monkeypatch.setattr(sys.modules[__name__], "render", quadratic)
    quarter, full = work("[" * (LIMIT // 4)), work("[" * LIMIT)
    assert full > 6 * quarter


@settings(max_examples=300, deadline=None)
@given(st.one_of(markdownish, st.text(max_size=400)))
def test_render_never_raises_and_nh3_has_nothing_left_to_remove(body):
    """Property: any text renders, and the result is already what the allow-list keeps (cleaning it again
    changes nothing)."""
    html = render(body)
    again = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
                      link_rel=LINK_REL, strip_comments=True, url_relative="deny").strip()
    assert again == html
    assert_safe(html)


def render_with_the_parser(body: str) -> str:
    """What render gives when every text goes through markdown-it and nh3."""
    html = render_module._markdown().render(body)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
                     link_rel=LINK_REL, strip_comments=True, url_relative="deny").strip()


PLAINISH = "ab é ظ\t\n\n   .,;:!?'\"()1-+=~#|/%$@^"
MARKISH = "ab é\t\n\r\x00\x0b\x0c\u00a0\u2028\ufeff\ufffe\u200b\u0085-+#=~>.)1*_`[]<>&\\!'\"  "


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(PLAINISH), max_size=80) | st.text(alphabet=st.sampled_from(MARKISH), max_size=80)
       | st.text(max_size=80))
def test_plain_lines_skip_the_parser_and_give_the_same_html(body):
    """Property: a comment without any Markdown mark gets, without the parser, the HTML the parser and the
    cleaner would give it; any other goes through them."""
    assert render_with_the_parser(body) == render(body)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(PLAINISH), max_size=80) | st.text(alphabet=st.sampled_from(MARKISH), max_size=80)
       | st.text(max_size=80))
def test_a_plain_sentence_gives_the_words_its_html_would(body):
    """Property: the digest's one-line form of a sentence is the same whether or not it is rendered first: plain
    texts skip rendering, others go through it."""
    from feedback.digest import plain, plain_sentence

    assert " ".join(plain(render_with_the_parser(body)).split()) == plain_sentence(body)
