"""Rebuild feedback/data/public/*.jsonl from the public corpora (run by hand; see feedback/data/README.md).

  python feedback/data/import_public.py minibar /path/to/Jl-wei/mini-bar.git
  python feedback/data/import_public.py shah /path/to/Jl-wei/feedback-classification.git

Each argument is a git directory of the source repository at the commit named in the README;
the files are read with `git show`, so no work tree is needed. The output is deterministic.
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

OUT = Path(__file__).parent / "public"
MINIBAR_COMMIT = "74aab75b0f2399602e0971632a42b6ff2a5f27a9"
SHAH_COMMIT = "3c9de7a205143ed64937897cc1b47399fb387343"
MINIBAR_APPS = {"Garmin Connect": "garmin", "Huawei Health": "huawei", "Samsung Health": "samsung"}
SHAH_APPS = ["ANGRY_BIRD", "DROP_BOX", "EVERNOTE", "PIC_ART", "PINTEREST", "TRIP_ADVISOR", "WHATSAPP"]


def show(git_dir: str, commit: str, path: str) -> str:
    return subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def write(name: str, rows: list[dict]) -> None:
    OUT.mkdir(exist_ok=True)
    with open(OUT / f"{name}.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{name}: {len(rows)} examples → {OUT / name}.jsonl")


def minibar_rows(files: dict[tuple[str, str], str]) -> list[dict]:
    """Mini-BAR's CSV files ({(app, lang): text}) as our examples.

    problem_report → problem, feature_request → suggestion (both may be set), irrelevant → no label.
    """
    rows, seen = [], set()
    for (app, lang), text in sorted(files.items()):
        short = MINIBAR_APPS.get(app, app.split()[0].lower())
        for number, rec in enumerate(csv.DictReader(io.StringIO(text)), 1):
            body = clean(rec.get("data") or "")
            key = (lang, body.lower())
            if not body or key in seen:  # empty or repeated reviews ("Super", "Good app") count once
                continue
            seen.add(key)
            labels = [label for label, column in (("problem", "problem_report"), ("suggestion", "feature_request"))
                      if (rec.get(column) or "").strip() == "1"]
            rows.append({"id": f"minibar-{short}-{lang}-{number:04d}", "text": body, "labels": labels,
                         "lang": lang, "source": f"minibar-{short}"})
    return rows


def shah_rows(files: dict[str, str]) -> list[dict]:
    """Shah et al.'s review sentences ({app: xml}) whose aspects were classified: B → problem, R → suggestion,
    E (evaluation) and M → no label. Sentences without a classified aspect were not judged as a whole and
    are left out, not counted as "other"; so are sentences not in English."""
    from feedback import language

    rows, seen = [], set()
    for app, text in sorted(files.items()):
        for sentence in ET.fromstring(text):
            body = clean(sentence.findtext("text") or "")
            classes = {term.get("class") for term in sentence.iter("aspectTerm")}
            if not body or not classes or body.lower() in seen or language.detect(body) != "en":
                continue
            seen.add(body.lower())
            labels = [label for label, code in (("problem", "B"), ("suggestion", "R")) if code in classes]
            rows.append({"id": f"shah-{app.lower()}-{sentence.get('id')}", "text": body, "labels": labels,
                         "lang": "en", "source": "shah"})
    return rows


def minibar(git_dir: str) -> None:
    files = {(app, lang): show(git_dir, MINIBAR_COMMIT, f"dataset/for_classification/{app}.{lang}.csv")
             for app in MINIBAR_APPS for lang in ("en", "fr")}
    write("minibar", minibar_rows(files))


def shah(git_dir: str) -> None:
    write("shah", shah_rows({app: show(git_dir, SHAH_COMMIT, f"data/SHAH_UNION/{app}.xml") for app in SHAH_APPS}))


if __name__ == "__main__":
    {"minibar": minibar, "shah": shah}[sys.argv[1]](sys.argv[2])
