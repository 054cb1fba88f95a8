"""Leave-one-source-out, the way the tagger's settings are chosen (run by hand; figures go in the README).

  .venv/bin/python bench/tagger_loso.py [--models DIR] [--grid]

For each corpus, a model is trained and calibrated on all the others (training.loso_models) and scored on
every example of the one left out, per language, beside the keyword list (feedback.keywords). With --grid,
the same models are scored again for each cue-assertion level (classify.ASSERT) and denial level
(classify.DENY) per label: the levels
shipped are the ones that keep the tagger above the keyword list on every source and language with the
best mean macro-F1 — chosen here, across sources, never on the in-corpus split. --models keeps the
trained models in DIR (named by the cues' signature) so that a second run only scores.
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedback import classify, cues, keywords, training  # noqa: E402
from feedback.classify import Classifier  # noqa: E402

LEVELS = (None, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6)  # None: the cues never assert
DENIALS = (None, 0.0, -1.0, -2.0)  # None: the cues never deny


def models(examples: list[dict], folder: Path | None) -> dict[str, dict]:
    path = folder / f"loso-{cues.SIGNATURE}.json" if folder else None
    if path and path.exists():
        return json.loads(path.read_text())
    found = training.loso_models(examples)
    if path:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(found))
    return found


def table(reports: dict) -> None:
    print(f"{'left out':<18}{'lang':<6}{'items':>6}  {'tagger':>7} {'keywords':>9}   "
          f"{'problem P/R':>12} {'kw':>10}   {'suggestion P/R':>14} {'kw':>10}")
    for held, both in reports.items():
        for lang in sorted(both["tagger"], key=lambda g: (g == "all", g)):
            t, k = both["tagger"][lang], both["keywords"][lang]
            pr = lambda r, o: f"{r['labels'][o]['precision']:.2f}/{r['labels'][o]['recall']:.2f}"  # noqa: E731
            flag = "" if t["macro_f1"] > k["macro_f1"] else "  <= keywords win"
            print(f"{held:<18}{lang:<6}{t['examples']:>6}  {t['macro_f1']:>7.3f} {k['macro_f1']:>9.3f}   "
                  f"{pr(t, 'problem'):>12} {pr(k, 'problem'):>10}   {pr(t, 'suggestion'):>14} "
                  f"{pr(k, 'suggestion'):>10}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, help="folder where the leave-one-source-out models are kept")
    parser.add_argument("--grid", action="store_true", help="score every pair of cue-assertion levels")
    args = parser.parse_args()
    started = time.perf_counter()
    examples = training.corpus()
    trained = models(examples, args.models)
    print(f"(models ready in {time.perf_counter() - started:.0f} s; cues {cues.SIGNATURE}, assert {classify.ASSERT})")
    by_source = {held: [e for e in examples if training.source_group(e) == held] for held in trained}
    reports = {held: {"tagger": training.evaluate(Classifier(model), by_source[held]),
                      "keywords": training.evaluate(keywords.labels, by_source[held])} for held, model in trained.items()}
    table(reports)
    if not args.grid:
        return
    # The model's probabilities and the cue scores do not depend on the levels: compute them once.
    seen = {}
    for held, model in trained.items():
        classifier = Classifier(model)
        rows = []
        for e in by_source[held]:
            analysis = training.analysed(e["text"][:classify.MAX_CHARS])
            rows.append((e.get("lang") or analysis.lang, set(e["labels"]), analysis.lang,
                         classifier.model_probabilities(analysis), analysis.cue_score, analysis.countered, classifier))
        seen[held] = rows
    print("\nassert: problem suggestion; deny: problem suggestion; mean macro-F1 (fr, en per source); worst margin")
    results = []
    for p, s, dp, ds in itertools.product(LEVELS, LEVELS, DENIALS, DENIALS):
        levels = {"problem": p or 1e9, "suggestion": s or 1e9}
        deny = {"problem": -1e9 if dp is None else dp, "suggestion": -1e9 if ds is None else ds}
        cells = []
        for held, rows in seen.items():
            predicted = [{label for label in classify.LABELS
                          if (probs[label] >= 0.5 if lang not in classify.MODEL_LANGS else
                              cue[label] >= levels[label] or (probs[label] >= c.thresholds[label] and not (
                                  label in countered and cue[label] <= deny[label])))}
                         for _gl, _truth, lang, probs, cue, countered, c in rows]
            report = training.score([(gl, truth) for gl, truth, *_ in rows], predicted)
            for lang in ("fr", "en"):
                if lang in report:
                    cells.append((report[lang]["macro_f1"], reports[held]["keywords"][lang]["macro_f1"]))
        mean = sum(t for t, _ in cells) / len(cells)
        margin = min(t - k for t, k in cells)
        results.append((p, s, dp, ds, mean, margin))
        print(f"{p or '-':>6} {s or '-':>6} {'-' if dp is None else dp:>6} {'-' if ds is None else ds:>6} {mean:>9.4f} "
              f"{margin:>8.3f}")
    best = max(results, key=lambda r: (r[5] > 0, r[4]))
    print(f"best: assert {best[0]} / {best[1]}, deny {best[2]} / {best[3]} (mean {best[4]:.4f}, "
          f"worst margin {best[5]:.3f})")


if __name__ == "__main__":
    main()
