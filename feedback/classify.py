"""Tag feedback: problem and/or suggestion, with confidence, language, sentiment and the cues that fired.

This is the only module that imports TextBlob. It runs without NLTK corpora:
our own tokenizer (feedback.text), pre-tokenised training data for TextBlob's
NaiveBayesClassifier, and TextBlob's pattern-based sentiment (textblob-fr for
French), which needs no corpus.

A decision combines two signals: the cues (hand-written phrasings per
language, feedback.cues) and a naive Bayes model trained on our labelled
comments, whose features are words, word pairs and the cues themselves.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import cues, language
from .text import fold, tokens

log = logging.getLogger(__name__)

LABELS = ("problem", "suggestion")
PACKAGED_MODEL = Path(__file__).parent / "data" / "model.json"
MAX_CHARS = 5000  # longer texts are cut: comments are at most 5,000 characters anyway
_QUESTION = re.compile(r"\?\s*$|^(?:est-ce|pourquoi|comment|quand|quel|quelle|combien|ou |qui |is |are |do |does |"
                       r"how |what |why |when |where |who |can |could |should i)", re.I)
_PRAISE = re.compile(r"\b(?:merci|bravo|super|genial|top|excellent|parfait|great|thanks?|thank you|love|awesome|"
                     r"perfect|well done|nice|good job|chokran|شكرا|رائع)\b")


@dataclass
class Result:
    labels: list[str]
    lang: str
    confidence: dict[str, float]
    sentiment: float | None
    cues: list[str]
    kinds: list[str] = field(default_factory=list)  # extras: "question", "praise"

    def as_dict(self) -> dict:
        return asdict(self)


def features(text: str, lang: str | None = None) -> tuple[list[str], dict[str, float], dict[str, list[str]], str]:
    """Model features of `text`, with its cue scores, fired cue names and language."""
    return _features(text, lang)[:4]


def _features(text: str, lang: str | None = None):
    text = text[:MAX_CHARS]
    folded = fold(text)
    words = tokens(folded)
    detected, mixed = language.detect_with_mix(text, words)
    lang = lang or detected
    score, fired = cues.scores(cues.find(folded, lang, mixed))
    feats = words + [f"{a}_{b}" for a, b in zip(words, words[1:])]
    feats += [f"cue={name}" for label in LABELS for name in fired[label]]
    feats.append(f"lang={lang}")
    return feats, score, fired, lang, folded


def _extractor(document) -> dict[str, bool]:
    return dict.fromkeys(document, True)


def train(examples: list[tuple[str, list[str]]], combine: dict | None = None) -> dict:
    """A model (plain data, JSON-ready) from (text, labels) pairs; same input, same model."""
    from textblob.classifiers import NaiveBayesClassifier

    prepared = sorted(((features(text)[0], set(labels)) for text, labels in examples), key=lambda p: p[0])
    model = {"labels": {}, "combine": combine or DEFAULT_COMBINE, "cues": cues.SIGNATURE}
    for label in LABELS:
        train_set = [(feats, "yes" if label in gold else "no") for feats, gold in prepared]
        nb = NaiveBayesClassifier(train_set, feature_extractor=_extractor).classifier
        prior = nb._label_probdist.logprob("yes") - nb._label_probdist.logprob("no")
        weights = {}
        for (value_label, name), dist in nb._feature_probdist.items():
            if value_label != "yes":
                continue
            other = nb._feature_probdist.get(("no", name))
            if other is None:
                continue
            w = dist.logprob(True) - other.logprob(True)
            if abs(w) >= 0.05:
                weights[name] = round(w, 4)
        model["labels"][label] = {"prior": round(prior, 4), "weights": dict(sorted(weights.items()))}
    model["version"] = hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:12]
    return model


# How cues and the model's log-odds add up (see README, "Tagging"): logit = a*nb + b*cues + c.
DEFAULT_COMBINE = {"nb": 0.35, "cues": 1.1, "bias": -1.7, "nb_clip": 4.0, "threshold": 0.5}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


class Classifier:
    """Loads a model once; `classify` is then safe to call from many threads."""

    def __init__(self, model: dict):
        self.model = model
        self.version = model["version"]
        if model.get("cues") != cues.SIGNATURE:
            # The cues changed since this model was trained: it still works, but `train` should be run.
            log.warning("feedback: model %s was trained with other cues; run `python -m feedback train`",
                        self.version)
        self.combine = {**DEFAULT_COMBINE, **model.get("combine", {})}
        self._fr = self._en = None

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Classifier:
        """The model at `path`, else $BOUCLE_FEEDBACK_MODEL, else the one shipped in feedback/data."""
        path = path or os.environ.get("BOUCLE_FEEDBACK_MODEL") or PACKAGED_MODEL
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    def sentiment(self, text: str, lang: str) -> float | None:
        """Polarity from -1 to 1 (TextBlob's pattern analyser; textblob-fr's for French)."""
        # The analysers' own scoring functions: TextBlob's wrapper builds a namedtuple class per call.
        if lang == "fr":
            if self._fr is None:
                from textblob_fr.sentiments import pattern_sentiment as french

                self._fr = french
            return round(float(self._fr(text)[0]), 3)
        if lang == "en":
            if self._en is None:
                from textblob.en import sentiment as english

                self._en = english
            return round(float(self._en(text)[0]), 3)
        return None

    def probabilities(self, feats: list[str], score: dict[str, float]) -> dict[str, float]:
        c = self.combine
        present = set(feats)
        out = {}
        for label in LABELS:
            params = self.model["labels"][label]
            weights = params["weights"]
            nb = params["prior"] + sum(map(weights.__getitem__, present & weights.keys()))
            nb = max(-c["nb_clip"], min(c["nb_clip"], nb))
            out[label] = _sigmoid(c["nb"] * nb + c["cues"] * score[label] + c["bias"])
        return out

    def classify(self, text: str) -> Result:
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        text = text[:MAX_CHARS]
        feats, score, fired, lang, folded = _features(text)
        probs = self.probabilities(feats, score)
        labels = [label for label in LABELS if probs[label] >= self.combine["threshold"]]
        kinds = []
        if _QUESTION.search(folded.strip()):
            kinds.append("question")
        if not labels and _PRAISE.search(folded):
            kinds.append("praise")
        return Result(
            labels=labels, lang=lang, confidence={k: round(v, 3) for k, v in probs.items()},
            sentiment=self.sentiment(text, lang), cues=[n for label in LABELS for n in fired[label]], kinds=kinds,
        )
