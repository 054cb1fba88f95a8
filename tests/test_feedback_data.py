"""The public corpora: how their files become our examples (feedback/data/import_public.py)."""
from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import ROOT

spec = importlib.util.spec_from_file_location("import_public", ROOT / "feedback" / "data" / "import_public.py")
import_public = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_public)

MINIBAR = ("data,score,thumbsUpCount,problem_report,feature_request,irrelevant,ori_lang,app\n"
           '"Plante  au démarrage, ajoutez un mode hors ligne",1,0,1,1,0,fr,Garmin Connect\n'
           "Super appli,5,0,0,0,1,fr,Garmin Connect\n"
           "super appli,5,0,0,0,1,fr,Garmin Connect\n"
           ",3,0,0,0,1,fr,Garmin Connect\n"
           "Please add a sleep widget,4,0,0,1,0,fr,Garmin Connect\n")

SHAH = """<sentences>
  <sentence id="1"><text>It crashes when I open a note.</text>
    <aspectTerms><aspectTerm class="B" term="note"/></aspectTerms></sentence>
  <sentence id="2"><text>Please let me sort notes by colour.</text>
    <aspectTerms><aspectTerm class="R" term="sort"/><aspectTerm class="B" term="notes"/></aspectTerms></sentence>
  <sentence id="3"><text>The sync is lovely.</text>
    <aspectTerms><aspectTerm class="E" term="sync"/></aspectTerms></sentence>
  <sentence id="4"><text>I use it every day.</text></sentence>
  <sentence id="5"><text>La aplicación se cierra cuando abro una nota.</text>
    <aspectTerms><aspectTerm class="B" term="nota"/></aspectTerms></sentence>
</sentences>"""


def test_minibar_labels_map_onto_ours_and_repeats_count_once():
    rows = import_public.minibar_rows({("Garmin Connect", "fr"): MINIBAR})
    assert [(r["text"], r["labels"]) for r in rows] == [
        ("Plante au démarrage, ajoutez un mode hors ligne", ["problem", "suggestion"]),
        ("Super appli", []),
        ("Please add a sleep widget", ["suggestion"]),
    ]
    assert {r["source"] for r in rows} == {"minibar-garmin"} and {r["lang"] for r in rows} == {"fr"}


def test_shah_keeps_judged_english_sentences_only():
    rows = import_public.shah_rows({"EVERNOTE": SHAH})
    assert [(r["id"], r["labels"]) for r in rows] == [
        ("shah-evernote-1", ["problem"]), ("shah-evernote-2", ["problem", "suggestion"]), ("shah-evernote-3", [])]


@pytest.mark.parametrize("name", ["minibar", "shah"])
def test_shipped_public_files_are_well_formed(name):
    lines = (ROOT / "feedback" / "data" / "public" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["text"].strip() and set(r["labels"]) <= {"problem", "suggestion"} for r in rows)


def test_provenance_is_written_down():
    readme = (ROOT / "feedback" / "data" / "README.md").read_text(encoding="utf-8")
    for fact in (import_public.MINIBAR_COMMIT, import_public.SHAH_COMMIT, "MIT", "CC BY 4.0", "Jl-wei/mini-bar",
                 "Jl-wei/feedback-classification"):
        assert fact in readme
