"""`invoke newpost "Titre"` creates a post with front matter and never overwrites one."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT

import tasks

NOW = dt.datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Africa/Casablanca"))


def test_writes_front_matter_and_slug(tmp_path):
    """The new file is named by date and slug and starts with complete front matter."""
    path = tasks.write_new_post(tmp_path, "Réussir sa période d'essai", NOW, tags="essai, contrat")
    assert path.name == "2026-11-26-reussir-sa-periode-dessai.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:8] == [
        "Title: Réussir sa période d'essai",
        "Date: 2026-11-26 09:30",
        "Category: Conseils candidats",
        "Tags: essai, contrat",
        "Slug: reussir-sa-periode-dessai",
        "Lang: fr",
        "Summary: Résumé en une ou deux phrases, affiché sur l'accueil et dans les flux.",
        "Status: draft",
    ]


def test_publish_flag_writes_no_draft_status(tmp_path):
    """--publish creates a post that is published on the next build."""
    path = tasks.write_new_post(tmp_path, "Salon de Fès", NOW, publish=True)
    assert "Status:" not in path.read_text(encoding="utf-8")


def test_refuses_to_overwrite_an_existing_file(tmp_path):
    """The same title on the same day is refused and the first file is left untouched."""
    first = tasks.write_new_post(tmp_path, "Mon titre", NOW)
    first.write_text(first.read_text() + "Texte déjà écrit.\n", encoding="utf-8")
    before = first.read_text()
    with pytest.raises(tasks.PostExists):
        tasks.write_new_post(tmp_path, "Mon titre", NOW)
    assert first.read_text() == before


def test_refuses_a_slug_used_by_another_post(tmp_path):
    """A slug already used by a post of another day is refused (URLs would collide)."""
    (tmp_path / "ancien.md").write_text("Title: X\nSlug: mon-titre\n\nTexte\n", encoding="utf-8")
    with pytest.raises(tasks.PostExists):
        tasks.write_new_post(tmp_path, "Mon titre", NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ancien.md"]


@pytest.mark.parametrize("title", ["", "   ", "!!!", "« »"])
def test_refuses_a_title_without_letters(tmp_path, title):
    """A title that gives an empty slug is refused with a clear error."""
    with pytest.raises(ValueError, match="aucune lettre"):
        tasks.write_new_post(tmp_path, title, NOW)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A throwaway copy of the project, so the real content/ is never touched."""
    for module in ROOT.glob("*.py"):  # the settings, the tasks and every module of ours they import
        shutil.copy(module, tmp_path / module.name)
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path


def run_invoke(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_creates_a_post_then_refuses_the_same_title(project_copy):
    """From the command line: first call creates the post (exit 0), the second writes nothing (exit 1)."""
    first = run_invoke(project_copy, "newpost", "Trouver un stage à Agadir")
    assert first.returncode == 0, first.stderr
    created = list((project_copy / "content").glob("*-trouver-un-stage-a-agadir.md"))
    assert len(created) == 1
    before = created[0].read_text()
    second = run_invoke(project_copy, "newpost", "Trouver un stage à Agadir")
    assert second.returncode == 1
    assert "Rien n'a été écrit" in second.stderr + second.stdout
    assert created[0].read_text() == before


def test_cli_reports_an_empty_title(project_copy):
    """An unusable title exits with status 2 and a message."""
    result = run_invoke(project_copy, "newpost", "???")
    assert result.returncode == 2
    assert "Titre refusé" in result.stderr + result.stdout
