"""Tag feedback: problem and/or suggestion, with calibrated confidence, language, sentiment and the cues that fired.

This is the only module that imports TextBlob. It runs without NLTK corpora:
our own tokenizer (feedback.text) and TextBlob's pattern-based sentiment
(textblob-fr for French), which needs no corpus.

A decision is one linear model per label (logistic regression, trained by
feedback.training on public human-labelled feedback and our own comments) over
words, word pairs, the beginnings and endings of longer words, the cues that fired
and the mood of the text, each weighed by its rarity in the training data (IDF). Its
score goes through a calibration fitted on a validation split, then a threshold
chosen on that split. Where we have almost no labelled data (Arabic), the cues
decide alone. Cue names are also the explanation shown to product owners. A strong
cue asserts its tag and a counter-cue that outweighs the cues denies it, whatever the
model says (ASSERT, DENY); each tag given comes with the sentence that weighed most
for it (its evidence).

The model file is plain JSON, loaded once; classifying needs neither
scikit-learn nor NumPy.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import cues, language
from .text import fold, opening, tokens

log = logging.getLogger(__name__)

LABELS = ("problem", "suggestion")
PACKAGED_MODEL = Path(__file__).parent / "data" / "model.json"
MODEL_FORMAT = 3  # weights are [problem, suggestion, idf]; format 2 had no idf (every feature weighed 1)
READABLE_FORMATS = (2, 3)
MAX_CHARS = 5000  # longer texts are cut: comments are at most 5,000 characters anyway
# Languages the linear model learnt from; others are decided by the cues (see README, "Tagging").
MODEL_LANGS = frozenset({"fr", "en", "other"})
CUE_ONLY = {"bias": -1.7, "slope": 1.1}  # logistic of the cue score, for the cue-only languages
# From these cue scores, the cues assert a tag however much the model doubts it: on whole reviews the model
# lets praise outvote a malfunction ("Nice game, freezes a lot."). Chosen by leave-one-source-out
# (bench/tagger_loso.py), never on the in-corpus split: see README, "Tagging feedback".
ASSERT = {"problem": 1.8, "suggestion": 2.4}
# The other way round: where a counter-cue fired ("never crashed", "no problems since", "rien ne manque") and
# brought the cue score down to this level, the cues deny the tag however sure the model is. Chosen likewise.
DENY = {"problem": 0.0, "suggestion": 0.0}
# Where a sentence ends, for the evidence: after . ! ? ; … ؟ and a space, or at a line break. "v2.0" stays whole.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;…؟])\s+|\s*\n\s*")
_QUESTION = re.compile(r"\?\s*$|^(?:est-ce|pourquoi|comment|quand|quel|quelle|combien|ou |qui |is |are |do |does |"
                       r"how |what |why |when |where |who |can |could |should i)", re.I)
_SENTENCE_END = re.compile(r"[.!?;\n]+|\s-\s")
_PRAISE = re.compile(r"\b(?:merci|bravo|super|genial|top|excellent|parfait|great|thanks?|thank you|love|awesome|"
                     r"perfect|well done|nice|good job|chokran|شكرا|رائع)\b")


class ModelError(ValueError):
    """A model file is not a tagger model of the format this version reads."""


@dataclass
class Result:
    labels: list[str]
    lang: str
    confidence: dict[str, float]
    sentiment: float | None
    cues: list[str]
    kinds: list[str] = field(default_factory=list)  # extras: "question", "praise"
    # For each tag given, the sentence of the text that weighed most for it (verbatim, so it can be highlighted).
    evidence: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Analysis:
    """What the model sees of a text: its features, language, and the cues that fired."""
    features: set[str]
    lang: str
    cue_score: dict[str, float]
    fired: dict[str, list[str]]
    folded: str
    sentiment: float | None = None
    mixed: bool = False
    countered: frozenset[str] = frozenset()  # the labels for which a counter-cue fired


_ANALYSERS: dict = {}


@functools.cache
def _sentiment_tokens() -> re.Pattern:
    """Our tokenizer for the sentiment lexicons: TextBlob's own is half the cost of a classification, and
    splits less well ("great...love it" stays one unknown word). Words, "!" (it strengthens the word
    before it), the emoticons the lexicons score, web addresses kept whole; the text is lowercased first."""
    from textblob._text import EMOTICONS

    faces = sorted({e.lower() for group in EMOTICONS.values() for e in group}, key=len, reverse=True)
    return re.compile(r"(?<!\S)(?:%s)(?!\S)|(?:https?://|www\.)\S+|\.\.\.|\(!\)|\w+|[^\w\s]"
                      % "|".join(map(re.escape, faces)))


def sentiment(text: str, lang: str) -> float | None:
    """Polarity from -1 to 1 (TextBlob's pattern lexicon; textblob-fr's for French); None in other languages."""
    if lang not in ("fr", "en"):
        return None
    analyser = _ANALYSERS.get(lang)
    if analyser is None:
        # The analysers' own scoring functions: TextBlob's wrapper builds a namedtuple class per call.
        if lang == "fr":
            from textblob_fr.sentiments import pattern_sentiment as analyser
        else:
            from textblob.en import sentiment as analyser
        _ANALYSERS[lang] = analyser
    return round(float(analyser(_sentiment_tokens().findall(text.lower()))[0]), 3)


def analyse(text: str, lang: str | None = None, mixed: bool | None = None, mood: bool = True) -> Analysis:
    """Features of `text` (a set), the same for training and for classifying.

    With both `lang` and `mixed` given (a sentence of a text already analysed), the language is not detected
    again; with `mood` false, the sentiment is not computed (it is half the cost) and gives no feature.
    """
    folded = fold(text[:MAX_CHARS])
    words = tokens(folded)
    if lang is None or mixed is None:
        detected, found_mixed = language.detect_with_mix(text[:MAX_CHARS], words)
        lang, mixed = lang or detected, found_mixed if mixed is None else mixed
    found = cues.find(folded, lang, mixed)
    score, fired = cues.scores(found)
    countered = frozenset(cue.label for cue, _m in found if cue.weight < 0)
    feats = {"w:" + w for w in words}
    feats.update(["b:" + a + "_" + b for a, b in zip(words, words[1:])])
    # Beginnings and endings of longer words: "fonctionne", "fonctionnait" and "fonctionnent" share "p:fonct".
    feats.update(["p:" + w[:5] for w in words if len(w) > 5])
    feats.update(["s:" + w[-4:] for w in words if len(w) > 5])
    # How each sentence opens: requests often open on a verb or "please" ("Add…", "Ajoutez…", "Please…").
    for sentence in _SENTENCE_END.split(folded):
        first = opening(sentence)
        if first:
            feats.add("o:" + first[0])
            if len(first) > 1:
                feats.add("o:" + first[0] + "_" + first[1])
    # The length (a two-word review and a long story have different odds) and the marks of a question or a cry.
    n = len(words)
    feats.add("len:" + ("1" if n <= 3 else "2" if n <= 8 else "3" if n <= 20 else "4" if n <= 50 else "5"))
    feats.update("mark:" + mark for mark in "?!" if mark in folded)
    for label in LABELS:
        feats.update(["cue:" + name for name in fired[label]])
    feats.add("lang:" + lang)
    polarity = sentiment(text[:MAX_CHARS], lang) if mood else None
    if polarity is not None:
        feats.add("mood:negative" if polarity < -0.1 else "mood:positive" if polarity > 0.3 else "mood:neutral")
    return Analysis(feats, lang, score, fired, folded, polarity, mixed, countered)


def sentences(text: str) -> list[str]:
    """The sentences of `text`, each a verbatim piece of it; pieces without a letter ("(2)", "!!", "10/10") are
    dropped: they cannot be the reason for a tag."""
    return [p for p in (piece.strip() for piece in _SENTENCE_BREAK.split(text)) if any(c.isalpha() for c in p)]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def _cue_probability(cue_score: float) -> float:
    return _sigmoid(CUE_ONLY["slope"] * cue_score + CUE_ONLY["bias"])


class Classifier:
    """Loads a model once; `classify` is then safe to call from many threads."""

    def __init__(self, model: dict):
        if not isinstance(model, dict) or model.get("format") not in READABLE_FORMATS:
            raise ModelError(f"not a tagger model of format {MODEL_FORMAT}: run `python -m feedback train`")
        self.model = model
        self.version = model["version"]
        if model.get("cues") != cues.SIGNATURE:
            # The cues changed since this model was trained: it still works, but `train` should be run.
            log.warning("feedback: model %s was trained with other cues; run `python -m feedback train`",
                        self.version)
        # Each feature's two weights, times its IDF, as one complex number (problem + suggestion·i): summing
        # them is then one call to the built-in sum, which runs in C. The squared IDFs give the text's length.
        self.weights: dict[str, complex] = {}
        self.idf2: dict[str, float] = {}
        for f, (p, s, *rest) in model["weights"].items():
            rarity = rest[0] if rest else 1.0
            self.weights[f] = complex(p * rarity, s * rarity)
            self.idf2[f] = rarity * rarity
        self.bias = [model["labels"][label]["bias"] for label in LABELS]
        self.calibration = [model["labels"][label]["calibration"] for label in LABELS]
        self.thresholds = {label: model["labels"][label]["threshold"] for label in LABELS}

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> Classifier:
        """The model at `path`, else $BOUCLE_FEEDBACK_MODEL, else the one shipped in feedback/data."""
        path = path or os.environ.get("BOUCLE_FEEDBACK_MODEL") or PACKAGED_MODEL
        with open(path, encoding="utf-8") as f:
            try:
                return cls(json.load(f))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ModelError(f"{path}: not a tagger model ({exc})") from None

    def scores(self, analysis: Analysis) -> dict[str, float]:
        """The raw linear score per label (before calibration)."""
        weights = self.weights
        known = [f for f in analysis.features if f in weights]
        total = sum(map(weights.__getitem__, known), 0j) / (math.sqrt(sum(map(self.idf2.__getitem__, known))) or 1.0)
        return {LABELS[0]: self.bias[0] + total.real, LABELS[1]: self.bias[1] + total.imag}

    def model_probabilities(self, analysis: Analysis) -> dict[str, float]:
        """Calibrated probability per label from the model alone (from the cues, in the cue-only languages)."""
        if analysis.lang not in MODEL_LANGS:
            return {label: _cue_probability(analysis.cue_score[label]) for label in LABELS}
        raw = self.scores(analysis)
        return {label: _sigmoid(a * raw[label] + b) for label, (a, b) in zip(LABELS, self.calibration)}

    def probabilities(self, analysis: Analysis) -> dict[str, float]:
        """Calibrated probability per label: the model's, or the cues' where they assert or deny the label."""
        probs = self.model_probabilities(analysis)
        for label in LABELS:
            if analysis.cue_score[label] >= ASSERT[label]:
                probs[label] = max(probs[label], _cue_probability(analysis.cue_score[label]))
            elif label in analysis.countered and analysis.cue_score[label] <= DENY[label]:
                probs[label] = min(probs[label], _cue_probability(analysis.cue_score[label]))
        return probs

    def decide(self, probs: dict[str, float], lang: str, cue_score: dict[str, float] | None = None,
               countered: frozenset[str] = frozenset()) -> list[str]:
        """The labels given: probability over the threshold, unless the cues deny the label; or the cues assert it."""
        if lang not in MODEL_LANGS:
            return [label for label in LABELS if probs[label] >= 0.5]
        cue_score = cue_score or {label: 0.0 for label in LABELS}
        return [label for label in LABELS
                if cue_score[label] >= ASSERT[label] or (probs[label] >= self.thresholds[label] and not (
                    label in countered and cue_score[label] <= DENY[label]))]

    def decide_analysis(self, analysis: Analysis) -> list[str]:
        """The labels of an analysed text (what `classify` gives, without the explanations)."""
        return self.decide(self.probabilities(analysis), analysis.lang, analysis.cue_score, analysis.countered)

    def evidence(self, text: str, analysis: Analysis, labels: list[str]) -> dict[str, str]:
        """For each label, the sentence of `text` that weighs most for it, scored like a whole text (model and
        cues; the cues alone where they decide) but without the mood, whose lexicon lookup would double the cost
        of a tagged comment; the first of equals, so the same text gives the same answer."""
        if not labels:
            return {}
        parts = sentences(text)
        if len(parts) <= 1:
            return {label: parts[0] if parts else text.strip() for label in labels}
        probs = [self.probabilities(analyse(part, analysis.lang, analysis.mixed, mood=False)) for part in parts]
        return {label: parts[max(range(len(parts)), key=lambda i: (probs[i][label], -i))] for label in labels}

    def classify(self, text: str) -> Result:
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        text = text[:MAX_CHARS]
        analysis = analyse(text)
        probs = self.probabilities(analysis)
        labels = self.decide(probs, analysis.lang, analysis.cue_score, analysis.countered)
        kinds = []
        if _QUESTION.search(analysis.folded.strip()):
            kinds.append("question")
        if not labels and _PRAISE.search(analysis.folded):
            kinds.append("praise")
        return Result(
            labels=labels, lang=analysis.lang, confidence={k: round(v, 3) for k, v in probs.items()},
            sentiment=analysis.sentiment,
            cues=[n for label in LABELS for n in analysis.fired[label]], kinds=kinds,
            evidence=self.evidence(text, analysis, labels),
        )
