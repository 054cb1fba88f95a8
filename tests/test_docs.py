"""The README is the manual: every invoke task and every BOUCLE_* setting is documented there."""
from __future__ import annotations

import re

import pytest
from invoke import Collection

from conftest import ROOT

import tasks

README = (ROOT / "README.md").read_text(encoding="utf-8")
TASK_NAMES = sorted(Collection.from_module(tasks).task_names)


def settings_used() -> set[str]:
    names = set()
    for path in ROOT.glob("**/*.py"):
        if any(part in {".venv", "tests", "bench", "output"} for part in path.relative_to(ROOT).parts):
            continue
        names |= set(re.findall(r"BOUCLE_[A-Z_]+", path.read_text(encoding="utf-8")))
    return names


def test_quick_start_is_two_commands():
    """The quick start gives exactly `make run` and `make test`."""
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick, re.S).group(1)
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make run", "make test"]


@pytest.mark.parametrize("name", TASK_NAMES)
def test_every_task_is_documented(name):
    """Each invoke task has a docstring and a row in the README."""
    assert Collection.from_module(tasks)[name].__doc__
    assert f"`invoke {name}" in README


@pytest.mark.parametrize("name", sorted(settings_used()))
def test_every_setting_is_documented(name):
    """Each BOUCLE_* variable read by the code is in the README's settings table."""
    assert f"`{name}`" in README
