"""How much of the tagger's held-out score is the luck of one split, run by hand (figures go in docs/benchmarks.md).

  .venv/bin/python bench/tagger_resplits.py [--salts a b c d]

For each salt, every public example's split is drawn again from sha256(salt + folded text), with the shares
of feedback/training.py (65 % training, 15 % validation, 20 % test); the tagger is trained and calibrated as
`python -m feedback train` does, and scored on that split's test part. The shipped split is the empty salt.
"""
from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedback import training  # noqa: E402
from feedback.classify import Classifier  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--salts", nargs="+", default=["", "a", "b", "c", "d"])
    args = parser.parse_args()
    shipped = training._bucket
    print("salt     en macro-F1  en sugg. recall  fr macro-F1  fr sugg. recall  seconds")
    for salt in args.salts:
        started = time.perf_counter()
        training._bucket = functools.partial(shipped, salt=salt)
        try:
            examples = training.corpus()
            model = training.fit_best([e for e in examples if e["split"] == "train"],
                                      [e for e in examples if e["split"] == "validation"])
            report = training.evaluate(Classifier(model), [e for e in examples
                                                           if e["split"] == "test" and e["source"] != "ours-test"])
        finally:
            training._bucket = shipped
        en, fr = report["en"], report["fr"]
        print(f"{salt or '(shipped)':<9}{en['macro_f1']:>11.3f}{en['labels']['suggestion']['recall']:>17.3f}"
              f"{fr['macro_f1']:>13.3f}{fr['labels']['suggestion']['recall']:>17.3f}"
              f"{time.perf_counter() - started:>9.0f}")


if __name__ == "__main__":
    main()
