"""The manual is docs/ (MkDocs) and the README keeps the quick start: both are checked like code.

Every invoke task and every BOUCLE_* setting is documented in docs/; the manual builds with --strict and loads
nothing from another origin; every relative link of README.md and docs/*.md leads to a file and a heading that
exist; the commands, settings, routes, file paths and JSON shown in them exist or parse.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from invoke import Collection
from markdown.extensions.toc import slugify

from conftest import ROOT

import mkdocs_hooks
import tasks

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs").glob("*.md"))}
PAGES = {"README.md": README, **{f"docs/{name}": text for name, text in DOCS.items()}}
COLLECTION = Collection.from_module(tasks)
TASK_NAMES = sorted(COLLECTION.task_names)
# Folders of the repository whose files the manual names; instance/, output/, digests/… are made at run time.
SOURCE_FOLDERS = ("bench", "comments_api", "comments_store", "deploy", "feedback", "mailer", "pelican_comments",
                  "tests", "theme")


def settings_used() -> set[str]:
    names = set()
    for path in ROOT.glob("**/*.py"):
        if any(part in {".venv", "tests", "bench", "output", "site", "node_modules"}
               for part in path.relative_to(ROOT).parts):
            continue
        names |= set(re.findall(r"BOUCLE_[A-Z_]+", path.read_text(encoding="utf-8")))
    return names


def without_fences(text: str) -> str:
    """The page with its fenced code blocks (at any indentation) blanked."""
    return re.sub(r"^ *(```+|~~~+).*?^ *\1", "", text, flags=re.S | re.M)


def without_code(text: str) -> str:
    """The page with its fenced blocks and code spans blanked, so `[x](y)` shown as code is not a link."""
    return re.sub(r"(`+).+?\1", "", without_fences(text))


def code_of(text: str) -> list[str]:
    """Every fenced block and code span of a page."""
    blocks = [m.group(2) for m in re.finditer(r"^ *(```+|~~~+)[^\n]*\n(.*?)^ *\1", text, flags=re.S | re.M)]
    return blocks + [m.group(2) for m in re.finditer(r"(`+)(.+?)\1", without_fences(text))]


def code_blocks(language: str) -> list[tuple[str, str]]:
    return [(page, m.group(2)) for page, text in PAGES.items()
            for m in re.finditer(rf"^ *(```+){language}\n(.*?)^ *\1", text, flags=re.S | re.M)]


def commands(pattern: str) -> list:
    """(page, name, arguments) of each command matching `pattern` (its name in group 1) in the pages' code."""
    found = {}
    for page, text in PAGES.items():
        for code in code_of(text):
            for m in re.finditer(pattern + r"((?:[ \t]+[^\s;&|#'\"`)]+)*)", code):
                found[page, m.group(1), m.group(2).strip()] = None
    return [pytest.param(page, name, args.split(), id=f"{page}: {name} {args}".strip()) for page, name, args in found]


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading, for links into README.md."""
    text = re.sub(r"[`*_]", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def markdown_anchors(text: str) -> set[str]:
    """The ids MkDocs (Python-Markdown's toc) gives the headings of a page; the second of a name gets _1."""
    ids: set[str] = set()
    for heading in re.findall(r"^#+ (.+?)#*$", without_fences(text), flags=re.M):
        base = slugify(re.sub(r"[`*]", "", heading).strip(), "-")
        anchor, n = base, 0
        while anchor in ids:
            n += 1
            anchor = f"{base}_{n}"
        ids.add(anchor)
    return ids


def mkdocs_build(site: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", *options, "--config-file",
                           str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The manual built as `invoke docs` builds it (less --strict, which its own test checks), in a temporary folder."""
    site = tmp_path_factory.mktemp("manual")
    result = mkdocs_build(site)
    assert 0 == result.returncode, result.stderr
    return site


# --- The README ---------------------------------------------------------------------------------------


def test_quick_start_is_two_commands():
    """The quick start gives exactly `make run` and `make test`."""
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick, re.S).group(1)
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]


def test_readme_maps_every_page_of_the_manual():
    """The README links to every page of the manual, and keeps none of the manual's sections."""
    assert {f"docs/{name}" for name in DOCS} == set(re.findall(r"\]\((docs/[\w-]+\.md)\)", README))
    kept = re.findall(r"^## (.+)$", without_fences(README), flags=re.M)
    assert ["Quick start", "What you see first / Premier lancement", "The manual / Le manuel"] == kept


def test_readme_says_what_a_newcomer_sees_first():
    """The README tells, in the program's own words, that the admin token is printed once and that comments
    wait for moderation by default."""
    from comments_api.messages import MESSAGES

    first = " ".join(README.split("## What you see first", 1)[1].split("\n## ", 1)[0].split())
    assert "The admin token is printed once" in first
    assert re.search(r"Later runs print « (.+?) »", first).group(1) in (ROOT / "tasks.py").read_text(encoding="utf-8")
    assert "By default (`BOUCLE_MODERATION=all`)" in first
    assert MESSAGES["notice_pending"]["fr"] == re.search(r"the reader reads « (.+?) »", first).group(1)


# --- Everything is documented in docs/ ----------------------------------------------------------------


@pytest.mark.parametrize("name", TASK_NAMES)
def test_every_task_is_documented(name):
    """Each invoke task has a docstring and a row in the manual's table of tasks."""
    assert COLLECTION[name].__doc__
    assert f"| `invoke {name}" in DOCS["writing.md"]


@pytest.mark.parametrize("name", sorted(settings_used()))
def test_every_setting_is_documented(name):
    """Each BOUCLE_* variable read by the code has a row in the manual's settings table."""
    rows = [line for line in DOCS["settings.md"].splitlines() if line.startswith("| `")]
    assert any(f"`{name}`" in row.split(" | ")[0] for row in rows)


def test_every_page_is_in_the_navigation():
    """mkdocs.yml lists every page of docs/, once."""
    nav = re.findall(r"^  - [^:]+: ([\w-]+\.md)$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), flags=re.M)
    assert sorted(DOCS) == sorted(nav)


# --- The manual builds, and loads nothing from elsewhere -------------------------------------------------


def test_manual_builds_strictly(tmp_path):
    """`mkdocs build --strict` passes (no broken link or anchor, no page left out) and writes every page."""
    result = mkdocs_build(tmp_path, "--strict")
    assert 0 == result.returncode, result.stderr
    assert {Path(name).with_suffix(".html").name for name in DOCS} <= {p.name for p in tmp_path.glob("*.html")}


def test_manual_loads_nothing_from_another_origin(built):
    """No page, style sheet or script of the built manual fetches anything from another origin."""
    fetches = re.compile(r"""<(?:script|img|link|iframe|source)\b[^>]*\s(?:src|href)=["']?(?:https?:)?//"""
                         r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//""", re.I)
    offenders = [str(path.relative_to(built)) for path in built.rglob("*")
                 if path.suffix in {".html", ".css", ".js"} and fetches.search(path.read_text(encoding="utf-8"))]
    assert [] == offenders


def test_manual_reads_lists_and_step_code_as_github_does(built):
    """No page flattens a list into its paragraph or a step's code block into inline code, and no table shows
    the backslash of `a\\|b`, as GitHub does not."""
    for page in DOCS:
        html = (built / Path(page).with_suffix(".html").name).read_text(encoding="utf-8")
        assert [] == [p for p in re.findall(r"<p>(.*?)</p>", html, flags=re.S) if re.search(r"\n\s*(?:[-*+]|1\.) ", p)]
        assert not re.search(r"(?<!<pre>)<code>\w*\n", html), page
        assert "\\|" not in "".join(re.findall(r"<td>(.*?)</td>", html, flags=re.S)), page


@pytest.mark.parametrize(("page", "expected"), [
    ("Two ways:\n- one\n- two\n", "Two ways:\n\n- one\n- two\n"),
    ("Steps:\n1. first\n2. second\n", "Steps:\n\n1. first\n2. second\n"),
    ("Built in\n2026. Then more.\n", "Built in\n2026. Then more.\n"),
    ("- one\n  more of one\n- two\n", "- one\n  more of one\n- two\n"),
    ("A sentence - with a dash.\n", "A sentence - with a dash.\n"),
    ("```sh\nx\n- not a list\n```\n", "```sh\nx\n- not a list\n```\n"),
    ("1. **Step** — as root:\n   ```sh\n   make build\n\n   make test\n   ```\n2. next\n",
     "1. **Step** — as root:\n\n        make build\n\n        make test\n\n2. next\n"),
    ("| `a\\|b` | c \\| d |\n", "| `a|b` | c \\| d |\n"),
    ("text `a\\|b`\n", "text `a\\|b`\n"),
])
def test_hook_hands_python_markdown_what_github_reads(page, expected):
    """The hook adds the blank line before a list and indents a step's code; the rest stays as written."""
    assert expected == mkdocs_hooks.gfm_to_python_markdown(page)


# --- Links ---------------------------------------------------------------------------------------------


def links() -> list[tuple[str, str]]:
    found = []
    for page, text in PAGES.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", without_code(text)):
            if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: lead elsewhere
                found.append((page, target))
    return found


@pytest.mark.parametrize(("page", "target"), links())
def test_relative_links_resolve(page, target):
    """Each relative link leads to a file of the repository, and its #anchor to a heading of that file."""
    path, _, anchor = target.partition("#")
    resolved = ((ROOT / page).parent / path).resolve() if path else ROOT / page
    assert resolved.exists(), f"{page}: {target}"
    if anchor:
        headings = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", without_fences(README), flags=re.M)} \
            if resolved == ROOT / "README.md" else markdown_anchors(resolved.read_text(encoding="utf-8"))
        assert anchor in headings, f"{page}: {target}"


def test_the_manual_links_nowhere_outside_docs():
    """docs/ pages link only to each other and to their images, so the built manual has no broken link."""
    for page, target in links():
        if page.startswith("docs/") and target.split("#")[0]:
            assert ((ROOT / page).parent / target.split("#")[0]).resolve().parent == ROOT / "docs", (page, target)


# --- Code shown in the README and the manual -----------------------------------------------------------


@pytest.mark.parametrize(("page", "name", "arguments"), commands(r"\binvoke[ \t]+([a-z][\w-]*)"))
def test_invoke_commands_exist(page, name, arguments):
    """Each `invoke TASK --option` shown names a real task and options it takes."""
    assert name in TASK_NAMES, f"{page}: invoke {name}"
    options = {f"--{n}" for argument in COLLECTION[name].get_arguments() for n in argument.names}
    given = {a.split("=")[0] for a in arguments if a.startswith("--")}
    assert given <= options, f"{page}: invoke {name} {' '.join(arguments)}"


@pytest.mark.parametrize(("page", "name", "arguments"), commands(r"python -m feedback[ \t]+([a-z]+)"))
def test_feedback_commands_parse(page, name, arguments):
    """Each `python -m feedback …` shown is accepted by its argument parser."""
    from feedback import cli

    try:
        cli.parser().parse_args([name, *arguments])
    except SystemExit:
        pytest.fail(f"{page}: python -m feedback {name} {' '.join(arguments)}")


@pytest.mark.parametrize(("page", "module", "arguments"), commands(r"python -m ([\w.]+)"))
def test_python_modules_exist(page, module, arguments):
    """Each `python -m MODULE --option` shown names a module of ours (or installed) that reads that option."""
    spec = importlib.util.find_spec(module)
    assert spec, f"{page}: python -m {module}"
    files = Path(spec.origin).parent.glob("*.py") if spec.submodule_search_locations else [Path(spec.origin)]
    source = "".join(path.read_text(encoding="utf-8") for path in files)
    for option in (a.split("=")[0] for a in arguments if a.startswith("--")):
        assert f'"{option}"' in source, f"{page}: python -m {module} {option}"


@pytest.mark.parametrize(("page", "script", "arguments"), commands(r"python (bench/[\w/]+\.py)"))
def test_bench_scripts_exist(page, script, arguments):
    """Each benchmark shown exists and reads the options shown with it."""
    source = (ROOT / script).read_text(encoding="utf-8")
    for option in (a.split("=")[0] for a in arguments if a.startswith("--")):
        assert f'"{option}"' in source, f"{page}: {script} {option}"


@pytest.mark.parametrize(("page", "target", "arguments"), commands(r"(?m)(?:^|[;&|(])[ \t]*make[ \t]+([a-z]+)"))
def test_make_targets_exist(page, target, arguments):
    """Each `make TARGET` shown is a target of the Makefile."""
    assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(encoding="utf-8"), flags=re.M), f"{page}: {target}"


def named_settings() -> list[tuple[str, str]]:
    return sorted({(page, name) for page, text in PAGES.items() for code in code_of(text)
                   for name in re.findall(r"BOUCLE_[A-Z0-9_]*", code)})


@pytest.mark.parametrize(("page", "name"), named_settings())
def test_settings_shown_exist(page, name):
    """Each BOUCLE_* shown in code is a setting the code reads (`BOUCLE_SMTP_*` stands for several)."""
    real = settings_used()
    assert (name in real) if not name.endswith("_") else any(s.startswith(name) for s in real), f"{page}: {name}"


def source_paths() -> list[tuple[str, str]]:
    named = re.compile(rf"(?<![\w/.])(?:{'|'.join(SOURCE_FOLDERS)})/[\w./{{}},-]*")
    return sorted({(page, path.rstrip(".,")) for page, text in PAGES.items() for code in code_of(text)
                   for path in named.findall(code)})


def expand_braces(path: str) -> list[str]:
    m = re.search(r"\{([^{}]*)\}", path)
    if not m:
        return [path]
    return [p for choice in m.group(1).split(",") for p in expand_braces(path[:m.start()] + choice + path[m.end():])]


@pytest.mark.parametrize(("page", "path"), source_paths())
def test_source_paths_exist(page, path):
    """Each file or folder of the repository named in code (`deploy/…`, `tests/…`, `bench/…`) exists."""
    for one in expand_braces(path):
        assert (ROOT / one).exists(), f"{page}: {one}"


@pytest.mark.parametrize(("page", "block"), code_blocks("json"))
def test_json_blocks_parse(page, block):
    """Each JSON example is JSON."""
    assert json.loads(block) is not None


def curl_calls() -> list[tuple[str, str, str]]:
    calls = []
    for page, block in code_blocks("sh"):
        for line in block.replace("\\\n", " ").splitlines():
            if line.lstrip().startswith("curl "):
                words = shlex.split(line.split(" # ")[0].replace("…", "x"))
                method = words[words.index("-X") + 1] if "-X" in words else "GET"
                url = next(w for w in words if w.startswith("http"))
                calls.append((page, method, re.sub(r"^https?://[^/]+", "", url).split("?")[0]))
    return calls


@pytest.mark.parametrize(("page", "method", "path"), curl_calls())
def test_curl_examples_call_real_routes(page, method, path, app):
    """Each `curl` example calls a route the app serves, with that method."""
    app.url_map.bind("127.0.0.1").match(path, method=method)  # raises NotFound or MethodNotAllowed


def api_table_routes() -> list:
    """(method, path) of each row of the manual's API table, with sample values in place of <slug> and <id>."""
    routes = []
    for row in re.findall(r"^\| `([A-Z][A-Z, `]*/api/[^`]*)` \|", DOCS["comments.md"], flags=re.M):
        methods, _, path = row.replace("`", "").rpartition(" ")
        path = re.sub(r"<[^>]+>", "1", path.split("?")[0])
        path = re.sub(r"[\w-]+(?:\\\|[\w-]+)+", lambda m: "{" + m.group(0).replace("\\|", ",") + "}", path)
        for method in methods.split(","):
            routes += [pytest.param(method.strip(), one, id=f"{method.strip()} {one}") for one in expand_braces(path)]
    return routes


@pytest.mark.parametrize(("method", "path"), api_table_routes())
def test_api_table_names_real_routes(method, path, app):
    """Each route of the manual's API table is served by the app, with that method."""
    app.url_map.bind("127.0.0.1").match(path, method=method)
