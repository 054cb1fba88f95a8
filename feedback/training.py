"""Training and scoring the tagger, deterministically, from the labelled JSON-lines files in feedback/data.

The corpus is public human-labelled feedback (feedback/data/public/, provenance
in feedback/data/README.md) plus the comments we wrote (feedback/data/ours/).
Each example falls in one split by a hash of its folded text, so the same text
always lands in the same split and no text is on both sides:

- public examples: 20 % test, 15 % validation, 65 % training;
- our training file: 15 % validation, the rest training; our test file is a test set of its own.

Weights are learnt on the training split only; calibration and thresholds on
the validation split only; the test splits are only ever scored.
"""
from __future__ import annotations

import hashlib
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from . import classify, cues, keywords
from .classify import LABELS, Classifier
from .text import fold

DATA = Path(__file__).parent / "data"
PUBLIC = sorted((DATA / "public").glob("*.jsonl"))
OURS_TRAIN = DATA / "ours" / "train.jsonl"
OURS_TEST = DATA / "ours" / "test.jsonl"
SPLITS = ("train", "validation", "test")
C_GRID = (2.0, 4.0, 8.0, 16.0)  # inverse regularisation strengths tried; the validation split picks one
MIN_COUNT = 2  # a feature seen once in training is noise
CORRECTION_WEIGHT = 2.0  # a product owner's correction counts twice as much as a corpus example


class BadExample(ValueError):
    """A line of a labelled file is not {"text": str, "labels": [...]}."""


class TrainingUnavailable(RuntimeError):
    """scikit-learn, needed to train (not to classify), cannot be imported."""


# scikit-learn and SciPy are for training only, and `make` installs them in .venv/train, off the default
# path: NLTK (under TextBlob) imports both eagerly whenever they are importable, which adds almost a second
# to every start of `classify`, `tag` or the digest.
TRAIN_LIBS = Path(sys.prefix) / "train"


def _logistic_regression():
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        if TRAIN_LIBS.is_dir() and str(TRAIN_LIBS) not in sys.path:
            sys.path.append(str(TRAIN_LIBS))
        try:
            from sklearn.linear_model import LogisticRegression
        except ImportError:
            raise TrainingUnavailable("training needs scikit-learn: run `make` (it installs it in "
                                      f"{TRAIN_LIBS}) or `pip install -r requirements-train.lock`") from None
    return LogisticRegression


def read_examples(path: str | Path, source: str | None = None) -> list[dict]:
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
            if source and "source" not in row:
                row["source"] = source
            examples.append(row)
    return examples


def _bucket(text: str, salt: str = "") -> int:
    return int(hashlib.sha256((salt + fold(text)).encode("utf-8")).hexdigest()[:8], 16) % 100


def split_of(example: dict) -> str:
    """'train', 'validation' or 'test', from the text alone (see the module's docstring)."""
    bucket = _bucket(example["text"])
    if example.get("source") == "ours-test":
        return "test"
    if example.get("source") == "ours":
        return "validation" if 20 <= bucket < 35 else "train"
    return "test" if bucket < 20 else "validation" if bucket < 35 else "train"


def corpus() -> list[dict]:
    """Every shipped labelled example, with its `source` and `split`."""
    examples = [e for path in PUBLIC for e in read_examples(path, source=path.stem)]
    examples += read_examples(OURS_TRAIN, source="ours") + read_examples(OURS_TEST, source="ours-test")
    for e in examples:
        e["split"] = split_of(e)
    # A text that is a test example somewhere (our test file puts "Top" in test, a review may say it too)
    # is never trained or calibrated on.
    tested = {fold(e["text"]) for e in examples if e["split"] == "test"}
    return [e for e in examples if e["split"] == "test" or fold(e["text"]) not in tested]


def source_group(example: dict) -> str:
    """The corpus an example belongs to, for the leave-one-source-out figures ('ours' for both of our files)."""
    return "ours" if example["source"] in ("ours", "ours-test") else example["source"]


# ---------------------------------------------------------------- scoring

def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


OUTCOMES = ("problem", "suggestion", "other")  # "other": neither tag, as the digest counts it


def outcomes(labels: Iterable[str]) -> set[str]:
    """The digest's outcomes of a set of tags: each tag given, or "other" when there is none."""
    return set(labels) or {"other"}


def score(gold: Iterable[tuple[str | None, set[str]]], predicted: Iterable[set[str]]) -> dict:
    """Per language (and 'all'): precision, recall and F1 per outcome (problem, suggestion, other: a comment
    with neither tag), and macro-F1, the unweighted mean of the three outcomes' F1."""
    counts: dict[str, dict[str, list[int]]] = {}
    sizes: Counter = Counter()
    for (lang, truth), guess in zip(gold, predicted):
        truth, guess = outcomes(truth), outcomes(guess)
        for group in ("all", lang or "unknown"):
            sizes[group] += 1
            table = counts.setdefault(group, {outcome: [0, 0, 0] for outcome in OUTCOMES})
            for outcome in OUTCOMES:
                cell = table[outcome]
                cell[0] += outcome in guess and outcome in truth
                cell[1] += outcome in guess and outcome not in truth
                cell[2] += outcome in truth and outcome not in guess
    report = {}
    for group, table in counts.items():
        per = {outcome: dict(zip(("precision", "recall", "f1"), (round(x, 3) for x in f1(*cell)), strict=True))
               for outcome, cell in table.items()}
        per_support = {outcome: cell[0] + cell[2] for outcome, cell in table.items()}
        report[group] = {"labels": per, "support": per_support, "examples": sizes[group],
                         "macro_f1": round(sum(v["f1"] for v in per.values()) / len(OUTCOMES), 3)}
    return report


_ANALYSES: dict[str, classify.Analysis] = {}


def analysed(text: str) -> classify.Analysis:
    """classify.analyse(text), remembered: training, calibration and scoring see each text many times."""
    found = _ANALYSES.get(text)
    if found is None:
        found = _ANALYSES[text] = classify.analyse(text)
    return found


def evaluate(classifier: Classifier | Callable[[str], Iterable[str]], examples: list[dict]) -> dict:
    """`score` of a classifier (or of any function text → labels, such as keywords.labels) on `examples`."""
    if isinstance(classifier, Classifier):
        def predict(text: str) -> list[str]:
            return classifier.decide_analysis(analysed(text[:classify.MAX_CHARS]))
    else:
        predict = classifier
    gold = [(e.get("lang") or classify.language.detect(e["text"]), set(e["labels"])) for e in examples]
    return score(gold, [set(predict(e["text"])) for e in examples])


# ---------------------------------------------------------------- fitting

def idf(document_counts: Counter, examples: int) -> dict[str, float]:
    """Inverse document frequency of each feature (the smoothed form scikit-learn uses), rounded as stored.

    A word every second review carries ("app", "the") weighs about 1.7, one that a few dozen carry about 6:
    rare, specific words count more than the common ones a text is mostly made of.
    """
    return {f: round(math.log((1 + examples) / (1 + n)) + 1.0, 4) for f, n in document_counts.items()}


def _matrix(analyses: list[classify.Analysis], vocab: dict[str, int], rarity: list[float]):
    """One row per text: each known feature's IDF, the row scaled to unit length (as Classifier.scores does)."""
    _logistic_regression()  # puts SciPy on the path if it lives in .venv/train
    import numpy as np
    import scipy.sparse as sp

    indptr, indices = [0], []
    for a in analyses:
        indices.extend(sorted(vocab[f] for f in a.features if f in vocab))  # set order varies per process
        indptr.append(len(indices))
    data = np.array([rarity[i] for i in indices], dtype=float)
    for i in range(len(analyses)):
        start, end = indptr[i], indptr[i + 1]
        if end > start:
            data[start:end] /= math.sqrt(float(np.dot(data[start:end], data[start:end])))
    return sp.csr_matrix((data, indices, indptr), shape=(len(analyses), len(vocab)))


def _best_threshold(probs: list[float], gold: list[bool]) -> float:
    """The threshold with the best F1 on these (validation) examples; ties go to the one nearest 0.5."""
    best, best_key = 0.5, None
    for step in range(5, 96):
        t = step / 100
        tp = sum(1 for p, g in zip(probs, gold) if p >= t and g)
        fp = sum(1 for p, g in zip(probs, gold) if p >= t and not g)
        fn = sum(1 for p, g in zip(probs, gold) if p < t and g)
        key = (round(f1(tp, fp, fn)[2], 6), -abs(t - 0.5))
        if best_key is None or key > best_key:
            best, best_key = t, key
    return best


def fit(train: list[dict], validation: list[dict], c: float = 4.0) -> dict:
    """A model (plain data, JSON-ready): weights from `train`, calibration and thresholds from `validation`.

    Same examples (in any order), same model. An example may carry a "weight".
    """
    LogisticRegression = _logistic_regression()  # noqa: N806 - a class

    train = sorted(train, key=lambda e: (e["text"], sorted(e["labels"]), e.get("source", "")))
    validation = sorted(validation, key=lambda e: (e["text"], sorted(e["labels"]), e.get("source", "")))
    if not train or not validation:
        raise BadExample("training needs examples in both the training and the validation split")
    analyses = [analysed(e["text"]) for e in train]
    counts = Counter(f for a in analyses for f in a.features)
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    names = sorted(vocab, key=vocab.get)
    rarity = idf(counts, len(train))
    x = _matrix(analyses, vocab, [rarity[f] for f in names])
    sample_weight = [float(e.get("weight", 1.0)) for e in train]
    columns, biases = [], []
    for label in LABELS:
        y = [label in e["labels"] for e in train]
        if all(y) or not any(y):
            raise BadExample(f"training needs examples with and without the label {label!r}")
        lr = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=2000, random_state=0)
        lr.fit(x, y, sample_weight=sample_weight)
        columns.append(lr.coef_[0])
        biases.append(float(lr.intercept_[0]))
    weights = {name: [round(float(col[vocab[name]]), 4) for col in columns] + [rarity[name]] for name in names}
    model = {"format": classify.MODEL_FORMAT, "cues": cues.SIGNATURE, "weights": weights,
             "labels": {label: {"bias": round(b, 4), "calibration": [1.0, 0.0], "threshold": 0.5}
                        for label, b in zip(LABELS, biases)},
             "training": {"examples": len(train), "validation": len(validation), "C": c,
                          "features": len(weights), "sources": dict(sorted(Counter(
                              e.get("source", "extra") for e in train).items()))},
             "version": ""}
    _calibrate(model, validation)
    model["version"] = hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:12]
    return model


def _calibrate(model: dict, validation: list[dict]) -> None:
    """Platt scaling of each label's score, then the threshold, both on the validation examples only."""
    LogisticRegression = _logistic_regression()  # noqa: N806 - a class

    classifier = Classifier(model)
    analyses = [analysed(e["text"]) for e in validation]
    raw = [classifier.scores(a) for a in analyses]
    for label in LABELS:
        gold = [label in e["labels"] for e in validation]
        xs = [[r[label]] for r in raw]
        platt = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(xs, gold)
        a, b = round(float(platt.coef_[0][0]), 4), round(float(platt.intercept_[0]), 4)
        probs = [classify._sigmoid(a * r[label] + b) for r in raw]
        model["labels"][label].update(calibration=[a, b], threshold=_best_threshold(probs, gold))


def validation_score(model: dict, validation: list[dict]) -> float:
    """Mean macro-F1 over French and English (the languages with data) on the validation examples."""
    report = evaluate(Classifier(model), validation)
    langs = [g for g in ("fr", "en") if g in report] or ["all"]
    return sum(report[g]["macro_f1"] for g in langs) / len(langs)


def fit_best(train: list[dict], validation: list[dict], grid: Iterable[float] = C_GRID) -> dict:
    """`fit` with each regularisation strength of `grid`; the best on the validation split wins (ties: the first)."""
    best, best_score = None, None
    for c in grid:
        model = fit(train, validation, c)
        value = validation_score(model, validation)
        if best_score is None or value > best_score:
            best, best_score = model, value
    best["training"]["validation_macro_f1"] = round(best_score, 4)
    best["version"] = ""
    best["version"] = hashlib.sha256(json.dumps(best, sort_keys=True).encode()).hexdigest()[:12]
    return best


def build_model(extra: list[dict] | None = None, grid: Iterable[float] = C_GRID) -> dict:
    """The shipped model: every training-split example (plus `extra`, e.g. human corrections) and validation."""
    examples = corpus()
    train = [e for e in examples if e["split"] == "train"] + list(extra or [])
    validation = [e for e in examples if e["split"] == "validation"]
    return fit_best(train, validation, grid)


def held_out(classifier: Classifier) -> dict:
    """Scores on the test splits: public corpora, and our own comments."""
    examples = corpus()
    return {"public": evaluate(classifier, [e for e in examples if e["split"] == "test" and e["source"] != "ours-test"]),
            "ours": evaluate(classifier, [e for e in examples if e["source"] == "ours-test"])}


def loso_models(examples: list[dict] | None = None, grid: Iterable[float] = C_GRID) -> dict[str, dict]:
    """For each corpus, the model trained (and calibrated) on all the others: it never saw that corpus."""
    examples = corpus() if examples is None else examples
    models = {}
    for held in sorted({source_group(e) for e in examples}):
        rest = [e for e in examples if source_group(e) != held]
        models[held] = fit_best([e for e in rest if e["split"] != "validation"],
                                [e for e in rest if e["split"] == "validation"], grid)
    return models


def leave_one_source_out(examples: list[dict] | None = None, grid: Iterable[float] = C_GRID) -> dict:
    """For each corpus: train (and calibrate) on all the others, score on every example of the one left out;
    the keyword list (feedback.keywords) scored on the same examples beside it."""
    examples = corpus() if examples is None else examples
    report = {}
    for held, model in loso_models(examples, tuple(grid)).items():
        left_out = [e for e in examples if source_group(e) == held]
        report[held] = {"tagger": evaluate(Classifier(model), left_out),
                        "keywords": evaluate(keywords.labels, left_out)}
    return report
