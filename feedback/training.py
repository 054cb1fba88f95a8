"""Training and scoring the tagger: deterministic, from JSON lines with gold `labels`."""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from pathlib import Path

from . import classify
from .classify import LABELS, Classifier

DATA = Path(__file__).parent / "data"
TRAIN = DATA / "train.jsonl"
TEST = DATA / "test.jsonl"


class BadExample(ValueError):
    """A line of a labelled file is not {"text": str, "labels": [...]}."""


def read_examples(path: str | Path) -> list[dict]:
    """Labelled examples from a JSON-lines file; a bad line raises BadExample with its number."""
    examples = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadExample(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not isinstance(
                    row.get("labels"), list) or not set(row["labels"]) <= set(LABELS):
                raise BadExample(f"{path}:{number}: expected {{\"text\": str, \"labels\": [problem|suggestion]}}")
            examples.append(row)
    return examples


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def score(gold: Iterable[tuple[str | None, set[str]]], predicted: Iterable[set[str]]) -> dict:
    """Per language (and 'all'): precision, recall and F1 per label, and macro-F1 over the labels."""
    counts: dict[str, dict[str, list[int]]] = {}
    for (lang, truth), guess in zip(gold, predicted):
        for group in ("all", lang or "unknown"):
            table = counts.setdefault(group, {label: [0, 0, 0] for label in LABELS})
            for label in LABELS:
                cell = table[label]
                cell[0] += label in guess and label in truth
                cell[1] += label in guess and label not in truth
                cell[2] += label in truth and label not in guess
    report = {}
    for group, table in counts.items():
        per = {label: dict(zip(("precision", "recall", "f1"), (round(x, 3) for x in f1(*cell)), strict=True))
               for label, cell in table.items()}
        per_support = {label: cell[0] + cell[2] for label, cell in table.items()}
        report[group] = {"labels": per, "support": per_support,
                         "macro_f1": round(sum(v["f1"] for v in per.values()) / len(LABELS), 3)}
    return report


def evaluate(classifier: Classifier, examples: list[dict]) -> dict:
    gold = [(e.get("lang") or classify.language.detect(e["text"]), set(e["labels"])) for e in examples]
    predicted = [set(classifier.classify(e["text"]).labels) for e in examples]
    return score(gold, predicted)


def _folds(examples: list[dict], k: int = 5) -> list[tuple[list[dict], list[dict]]]:
    ordered = sorted(examples, key=lambda e: e["text"])
    return [([e for i, e in enumerate(ordered) if i % k != f], [e for i, e in enumerate(ordered) if i % k == f])
            for f in range(k)]


def fit_combine(examples: list[dict]) -> dict:
    """Choose how cues and the model add up, by cross-validation on the training examples only."""
    rows = []  # (lang, gold, feats, cue score) with the model trained without that example
    for train_part, held_out in _folds(examples):
        model = classify.train([(e["text"], e["labels"]) for e in train_part])
        for e in held_out:
            feats, cue_score, _fired, lang = classify.features(e["text"])
            rows.append((e.get("lang") or lang, set(e["labels"]), feats, cue_score, model))
    best, best_key = None, None
    for nb_w, cue_w, bias in itertools.product((0.0, 0.2, 0.35, 0.5, 0.8), (0.6, 0.8, 1.1, 1.5), (-2.5, -1.7, -1.0, -0.5)):
        combine = {**classify.DEFAULT_COMBINE, "nb": nb_w, "cues": cue_w, "bias": bias}
        predicted = []
        for _lang, _gold, feats, cue_score, model in rows:
            probs = Classifier({**model, "combine": combine}).probabilities(feats, cue_score)
            predicted.append({label for label, p in probs.items() if p >= combine["threshold"]})
        report = score([(lang, gold) for lang, gold, *_ in rows], predicted)
        langs = [g for g in report if g not in ("all", "ar", "unknown")]
        # The worst language counts first: the target is met per language, not on average.
        key = (min(report[g]["macro_f1"] for g in langs), report["all"]["macro_f1"], -abs(bias))
        if best_key is None or key > best_key:
            best, best_key = combine, key
    return best


def build_model(examples: list[dict]) -> dict:
    """Fit the combination by cross-validation, then train the model on every example."""
    combine = fit_combine(examples)
    return classify.train([(e["text"], e["labels"]) for e in examples], combine=combine)
