"""Drafts are previews for editors only, and a livereload session builds beside `make run`, never over it."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

import tasks

DRAFT_SLUG = "salon-emploi-marrakech"  # content/2026-11-20-brouillon-salon.md, Status: draft
NOINDEX = '<meta name="robots" content="noindex">'


def test_a_draft_preview_is_never_indexed(site):
    """The draft's preview page asks search engines not to index it."""
    assert NOINDEX in (site / "brouillons" / DRAFT_SLUG / "index.html").read_text(encoding="utf-8")


def test_published_pages_stay_indexable(site):
    """Published articles, pages and listings carry no noindex."""
    for page in ("index.html", "cv-qui-se-fait-remarquer/index.html", "pages/a-propos/index.html",
                 "archives/index.html"):
        assert 'name="robots"' not in (site / page).read_text(encoding="utf-8"), page


def test_a_draft_is_listed_nowhere(site):
    """Outside its own preview, no page, listing, feed or sitemap of the local build names the draft."""
    naming = [str(path.relative_to(site)) for path in site.rglob("*")
              if path.is_file() and "brouillons" not in path.relative_to(site).parts
              and path.suffix in {".html", ".xml"} and DRAFT_SLUG in path.read_text(encoding="utf-8")]
    assert [] == naming


def test_production_build_writes_no_draft(published_site):
    """The production build has no drafts folder and no file named after a draft."""
    assert not (published_site / "brouillons").exists()
    assert [] == list(published_site.rglob(f"*{DRAFT_SLUG}*"))


def test_livereload_and_make_run_use_different_outputs_and_addresses():
    """livereload has its own output folder and port, so `make run`'s output/ is never rebuilt under it."""
    assert tasks.LIVERELOAD_OUTPUT != tasks.CONFIG["deploy_path"]
    options = shlex.split(tasks.livereload_options(tasks.LIVERELOAD_OUTPUT, "127.0.0.1", 8001))
    assert tasks.LIVERELOAD_OUTPUT == options[options.index("-o") + 1]
    assert 'SITEURL="http://127.0.0.1:8001"' in options


def test_a_livereload_build_goes_to_its_own_folder_with_its_own_address(tmp_path):
    """The real build with livereload's options writes only its folder (and cache), with its own URL in feeds."""
    output = tmp_path / "output-livereload"
    env = {key: value for key, value in os.environ.items() if not key.startswith("BOUCLE_")}
    env["BOUCLE_DB"] = str(tmp_path / "comments.db")  # never the project's own database
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "-q", *shlex.split(tasks.livereload_options(str(output), "127.0.0.1", 8001))],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert ["comments.db", "output-livereload", "output-livereload-cache"] == sorted(p.name for p in tmp_path.iterdir())
    feed = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8001/cv-qui-se-fait-remarquer/" in feed
    assert "http://127.0.0.1:8000/" not in feed
