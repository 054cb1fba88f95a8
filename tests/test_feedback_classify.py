"""The tagger on French, English and Arabic feedback, hard cases included."""
from __future__ import annotations

import json
import os
from collections import Counter
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from feedback import keywords, language, training
from feedback.classify import LABELS, Classifier, ModelError, analyse, sentences, sentiment
from feedback import classify as classify_module
from feedback.text import fold


CASES = [
    # French: malfunctions, with negation and phrasing
    ("fr", "L'appli ne marche plus depuis la mise à jour.", ["problem"]),
    ("fr", "Je n'arrive pas à me connecter à mon compte.", ["problem"]),
    ("fr", "Impossible de télécharger mon CV.", ["problem"]),
    ("fr", "Plus moyen de changer ma photo.", ["problem"]),
    ("fr", "jarrive pas a me connecter depuis hier", ["problem"]),
    ("fr", "Le site plante quand je clique sur postuler", ["problem"]),
    # French: requests
    ("fr", "Il faudrait un filtre par salaire.", ["suggestion"]),
    ("fr", "Ce serait bien d'avoir un mode sombre.", ["suggestion"]),
    ("fr", "Pourquoi ne pas ajouter les offres de Dakhla ?", ["suggestion"]),
    ("fr", "J'aimerais recevoir les alertes par SMS.", ["suggestion"]),
    ("fr", "Pourriez-vous ajouter un bouton de partage ?", ["suggestion"]),
    # French: both, and neither
    ("fr", "Le paiement échoue à chaque fois, proposez le virement svp.", ["problem", "suggestion"]),
    ("fr", "Merci pour cet article très clair !", []),
    ("fr", "Les salaires sont trop bas dans ce secteur.", []),  # a complaint, nothing broken
    ("fr", "Combien de temps une offre reste-t-elle en ligne ?", []),
    ("fr", "Génial, encore une mise à jour qui fait planter l'appli.", ["problem"]),  # sarcasm
    # English
    ("en", "The app keeps crashing when I open messages.", ["problem"]),
    ("en", "It doesn't work on my phone anymore.", ["problem"]),
    ("en", "I can't log in since the update.", ["problem"]),
    ("en", "Please add a dark mode.", ["suggestion"]),
    ("en", "It would be nice to filter by salary.", ["suggestion"]),
    ("en", "I wish I could save several cover letters.", ["suggestion"]),
    ("en", "Login fails every time; you should add login by phone.", ["problem", "suggestion"]),
    ("en", "Thanks, great article!", []),
    ("en", "I should have read this before my interview.", []),
    # A strong cue asserts the problem that the praise around it hides (sarcasm, or praise then a malfunction)
    ("en", "Love how it logs me out every five minutes. Really useful.", ["problem"]),
    ("en", "Nice game, freezes a lot.", ["problem"]),
    # A problem denied or solved: the counter-cue outweighs the cue, and the cues deny the tag
    ("fr", "Le bug des alertes a été corrigé, merci !", []),
    ("en", "No problems at all since the last update.", []),
    ("fr", "Impossible de s'en passer, bravo à l'équipe.", []),
    ("fr", "Rien ne manque, parking disponible.", []),
    # A missing capability is a request
    ("fr", "Il manque encore un filtre par ville.", ["suggestion"]),
    # Arabic
    ("ar", "التطبيق لا يعمل منذ التحديث", ["problem"]),
    ("ar", "أتمنى إضافة فلتر حسب المدينة", ["suggestion"]),
    ("ar", "شكرا على المقال", []),
]


# Cases the tagger still gets wrong: a missing capability asked about in words that also report a malfunction
# ("can't", "still no"). They stay here so that a tagger which learns them is noticed (strict: an unexpected
# pass fails the run).
HARD_CASES = [
    ("en", "Why can't I download videos?", ["suggestion"]),
    ("en", "Still no side-game tracking.", ["suggestion"]),
    ("en", "The app lacks a dark mode.", ["suggestion"]),  # "lacks" asserting it lowered every source: see README
]


@pytest.mark.parametrize(("lang", "text", "labels"), CASES)
def test_tags_and_language(classifier, lang, text, labels):
    result = classifier.classify(text)
    assert (result.lang, result.labels) == (lang, labels)


@pytest.mark.xfail(strict=True, reason="known limit of the model: see docs/tagging.md")
@pytest.mark.parametrize(("lang", "text", "labels"), HARD_CASES)
def test_hard_cases(classifier, lang, text, labels):
    result = classifier.classify(text)
    assert (result.lang, result.labels) == (lang, labels)


def test_result_explains_itself(classifier):
    """Each tag has a confidence; the cues that fired are named; sentiment comes with French and English."""
    result = classifier.classify("Impossible de payer, il faudrait accepter PayPal")
    assert set(result.confidence) == set(LABELS)
    assert result.labels == ["problem", "suggestion"]
    assert all(result.confidence[label] >= classifier.thresholds[label] for label in LABELS)
    assert "impossible de" in result.cues and "il faudrait" in result.cues
    assert -1 <= result.sentiment <= 1
    assert classifier.classify("مقال رائع").sentiment is None


@pytest.mark.parametrize(("text", "lang"), [
    ("Super article, merci !", "fr"), ("Great article, thanks!", "en"), ("شكرا جزيلا", "ar"),
    ("Der Artikel ist sehr gut und hilfreich für mich", "other"), ("", "other"), ("12345 !!!", "other"),
    ("The app is super, merci beaucoup pour tout le travail", "fr"),
])
def test_language_detection(text, lang):
    assert language.detect(text) == lang


def test_extra_kinds(classifier):
    assert "question" in classifier.classify("Est-ce gratuit pour les candidats ?").kinds
    assert "praise" in classifier.classify("Bravo pour la nouvelle appli").kinds


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_an_answer(text):
    """Empty, emoji, control characters, right-to-left: always a well-formed result, never an exception."""
    result = CLASSIFIER.classify(text)
    assert set(result.labels) <= set(LABELS) and result.lang in language.LANGS
    assert all(0 <= p <= 1 for p in result.confidence.values())
    assert set(result.evidence) == set(result.labels) and all(e in text for e in result.evidence.values())


CLASSIFIER = Classifier.load()


@pytest.mark.parametrize("text", ["", " ", "🙂🙂🙂", "\x00\x01\x1b[31m", "‮ltr override‬", "a" * 100_000,
                                  "مرحبا " * 1000, "\ud7ff", "\n\n\n"])
def test_awkward_texts(classifier, text):
    result = classifier.classify(text)
    assert isinstance(result.labels, list)


def test_held_out_scores_are_what_the_readme_says(classifier):
    """On the public test split the shipped model scores at least the figures of docs/tagging.md, per language."""
    report = training.held_out(classifier)
    public, ours = report["public"], report["ours"]
    assert public["fr"]["macro_f1"] >= 0.80 and public["en"]["macro_f1"] >= 0.80
    assert public["fr"]["labels"]["suggestion"]["recall"] >= 0.70
    assert public["en"]["labels"]["suggestion"]["recall"] >= 0.70
    assert ours["fr"]["macro_f1"] >= 0.82 and ours["en"]["macro_f1"] >= 0.80


def test_every_text_has_one_split_and_the_splits_never_share_a_text():
    examples = training.corpus()
    by_split = {split: {fold(e["text"]) for e in examples if e["split"] == split} for split in training.SPLITS}
    assert by_split["train"].isdisjoint(by_split["test"]) and by_split["validation"].isdisjoint(by_split["test"])
    assert by_split["train"].isdisjoint(by_split["validation"])
    public = [e for e in examples if e["source"] not in ("ours", "ours-test")]
    share = {split: sum(e["split"] == split for e in public) / len(public) for split in training.SPLITS}
    assert 0.17 < share["test"] < 0.23 and 0.12 < share["validation"] < 0.18
    assert {e["split"] for e in examples if e["source"] == "ours-test"} == {"test"}


def test_corpus_has_french_and_english_from_several_public_sources():
    examples = training.corpus()
    sources = {training.source_group(e) for e in examples}
    assert {"minibar-garmin", "minibar-huawei", "minibar-samsung", "shah", "ours"} <= sources
    langs = Counter(e.get("lang") for e in examples)
    assert langs["fr"] > 5000 and langs["en"] > 5000


def test_the_model_saw_only_the_training_split_and_chose_thresholds_on_validation():
    """Weights come from the training split, calibration and thresholds from the validation split, nothing else."""
    shipped = json.loads((ROOT / "feedback" / "data" / "model.json").read_text())
    examples = training.corpus()
    assert shipped["training"]["examples"] == sum(e["split"] == "train" for e in examples)
    assert shipped["training"]["validation"] == sum(e["split"] == "validation" for e in examples)


SMALL = [{"text": t, "labels": labels} for t, labels in [
    ("the app crashes at start", ["problem"]), ("crashes every time i open it", ["problem"]),
    ("login fails since the update", ["problem"]), ("it does not work at all", ["problem"]),
    ("please add a dark mode", ["suggestion"]), ("please add a calendar", ["suggestion"]),
    ("it would be nice to add filters", ["suggestion"]), ("add an export please", ["suggestion"]),
    ("great app thanks", []), ("love it", []), ("very useful app", []), ("nice work", []),
]]


def test_thresholds_move_with_the_validation_split_and_weights_do_not():
    train = SMALL * 3
    lenient = training.fit(train, SMALL)
    strict = training.fit(train, [dict(e, labels=[]) for e in SMALL[:2]] + SMALL[2:])
    assert lenient["weights"] == strict["weights"]
    assert lenient["labels"]["problem"]["calibration"] != strict["labels"]["problem"]["calibration"]


def test_rare_features_weigh_more_than_common_ones():
    """IDF: a feature in every text weighs 1, one in a single text of 99 about 4.9; the model stores it."""
    rarity = training.idf(Counter({"w:the": 99, "w:crash": 1}), 99)
    assert rarity["w:the"] == 1.0 and rarity["w:crash"] == pytest.approx(4.912, abs=1e-3)
    model = training.fit(SMALL * 3, SMALL)
    assert model["format"] == 3 and all(len(w) == 3 and w[2] >= 1.0 for w in model["weights"].values())
    common, rare = model["weights"]["w:please"][2], model["weights"]["w:crashes"][2]
    assert rare > common


def test_a_model_without_idf_still_reads_as_before():
    """A format-2 model (no IDF: every feature weighed 1) gives the scores it always gave."""
    model = training.fit(SMALL * 3, SMALL)
    old = dict(model, format=2, weights={f: w[:2] for f, w in model["weights"].items()})
    analysis = analyse("the app crashes at start, please add a dark mode")
    known = [w for f, w in old["weights"].items() if f in analysis.features]
    expected = old["labels"]["problem"]["bias"] + sum(w[0] for w in known) / len(known) ** 0.5
    assert Classifier(old).scores(analysis)["problem"] == pytest.approx(expected)


def test_sentence_openings_length_and_marks_are_features():
    features = analyse("Great app. Please add a calendar! Ajoutez les offres de Fès ?").features
    assert {"o:great_app", "o:please_add", "o:ajoutez_les", "o:please", "mark:!", "mark:?", "len:3"} <= features
    assert "len:1" in analyse("Top").features and "len:5" in analyse("mot " * 60).features


@pytest.mark.parametrize(("text", "lang", "sign"), [
    ("Simply...AWESOME!", "en", 1),            # TextBlob's own tokenizer kept "simply...awesome" as one word
    ("Useless… it never syncs", "en", -1),
    ("Great app :)", "en", 1), ("It crashed again :(", "en", -1),
    ("C'est génial, merci !", "fr", 1), ("Application nulle, vraiment décevante", "fr", -1),
])
def test_sentiment_reads_the_lexicon_through_our_tokens(text, lang, sign):
    assert sentiment(text, lang) * sign > 0


def test_exclamation_marks_strengthen_the_word_before():
    assert sentiment("great!!", "en") > sentiment("great", "en") > 0
    assert sentiment("http://example.com/very-good :) ok", "en") == sentiment(":) ok", "en")


def test_threshold_is_the_best_f1_on_the_examples_given():
    assert training._best_threshold([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == pytest.approx(0.5)
    assert training._best_threshold([0.1, 0.3, 0.35, 0.9], [False, True, True, True]) == pytest.approx(0.3)


def test_training_is_deterministic():
    """Same examples in another order, same model, byte for byte."""
    examples = [e for e in training.corpus() if e["split"] == "train"][:600]
    validation = [e for e in training.corpus() if e["split"] == "validation"][:200]
    first = training.fit(examples, validation)
    again = training.fit(list(reversed(examples)), list(reversed(validation)))
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_shipped_model_is_the_trained_one():
    """feedback/data/model.json is exactly what `python -m feedback train --no-db` produces from the corpus."""
    shipped = json.loads((ROOT / "feedback" / "data" / "model.json").read_text())
    rebuilt = training.build_model()
    assert shipped["version"] == rebuilt["version"]
    assert (ROOT / "feedback" / "data" / "model.json").stat().st_size < 3_000_000


def test_leave_one_source_out_scores_each_source_with_a_model_that_never_saw_it():
    examples = [dict(e, source="a", lang="en", split=s) for e, s in zip(SMALL * 2, ["train", "validation"] * 12)]
    examples += [dict(e, source="b", lang="en", split=s) for e, s in zip(SMALL * 2, ["validation", "train"] * 12)]
    report = training.leave_one_source_out(examples)
    assert set(report) == {"a", "b"} and report["a"]["tagger"]["all"]["examples"] == 24


def test_leave_one_source_out_puts_the_keyword_list_beside_every_figure():
    """Each source left out is scored twice on the same examples: by the tagger and by the keyword list."""
    examples = [dict(e, source="a", lang="en", split=s) for e, s in zip(SMALL * 2, ["train", "validation"] * 12)]
    examples += [dict(e, source="b", lang="en", split=s) for e, s in zip(SMALL * 2, ["validation", "train"] * 12)]
    report = training.leave_one_source_out(examples)
    expected = training.evaluate(keywords.labels, [e for e in examples if e["source"] == "b"])
    assert expected == report["b"]["keywords"]
    assert set(report["b"]["tagger"]["en"]["labels"]) == {"problem", "suggestion", "other"}


def test_macro_f1_is_the_mean_over_problem_suggestion_and_other():
    """"other" (neither tag) is an outcome of its own, as in the digest: macro-F1 averages three F1 scores."""
    gold = [("en", {"problem"}), ("en", set()), ("en", {"suggestion"}), ("en", set())]
    predicted = [{"problem"}, set(), set(), {"suggestion"}]
    report = training.score(gold, predicted)["en"]
    expected = {"problem": 1.0, "suggestion": 0.0, "other": 0.5}
    assert expected == {outcome: report["labels"][outcome]["f1"] for outcome in training.OUTCOMES}
    assert 0.5 == report["macro_f1"] and 4 == report["examples"]


@pytest.mark.parametrize(("text", "labels"), [
    ("The app crashes at start", ["problem"]), ("Ça plante au démarrage", ["problem"]),
    ("Please add a dark mode", ["suggestion"]), ("Il faudrait un filtre par ville", ["suggestion"]),
    ("Login fails, you should add a phone login", ["problem", "suggestion"]),
    ("Great article, thanks", []), ("Super article, merci", []), ("التطبيق لا يعمل", ["problem"]),
])
def test_the_keyword_list_tags_any_text_holding_one_of_its_words(text, labels):
    assert labels == keywords.labels(text)


def test_the_keyword_list_matches_whole_words_only():
    """"address" does not hold "add", nor "debugging" "bug": the baseline is a fair word list, not substrings."""
    assert [] == keywords.labels("My address is debugging-free")


@pytest.mark.parametrize(("line", "message"), [
    ("pas du json", "not JSON"), ('{"text": 3, "labels": []}', "expected"),
    ('{"text": "x", "labels": ["praise"]}', "expected"), ('["x"]', "expected"),
])
def test_bad_training_lines_are_refused_with_their_number(tmp_path, line, message):
    path = tmp_path / "extra.jsonl"
    path.write_text('{"text": "ok", "labels": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(training.BadExample, match=rf"extra.jsonl:2: {message}"):
        training.read_examples(path)


def test_training_needs_both_splits_and_both_kinds_of_example():
    with pytest.raises(training.BadExample, match="validation"):
        training.fit(SMALL, [])
    with pytest.raises(training.BadExample, match="suggestion"):
        training.fit([dict(e, labels=[x for x in e["labels"] if x != "suggestion"]) for e in SMALL], SMALL)


def test_training_without_scikit_learn_says_how_to_get_it(tmp_path):
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "from pathlib import Path\nfrom feedback import training\n"
            f"training.TRAIN_LIBS = Path({str(tmp_path)!r})\n"
            "try:\n    training._logistic_regression()\n"
            "except training.TrainingUnavailable as exc:\n    print(exc)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "training needs scikit-learn" in result.stdout, result.stderr


@pytest.mark.parametrize("content", ["pas du json", '{"format": 1, "labels": {}}', '{"format": 2}', "[]"])
def test_a_bad_model_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError):
        Classifier.load(path)
    result = subprocess.run([sys.executable, "-m", "feedback", "classify", "--model", str(path)], input="",
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1 and "Erreur" in result.stderr and "Traceback" not in result.stderr


def test_arabic_is_decided_by_the_cues(classifier):
    """Too little Arabic is labelled to learn from: there the cues decide, and say why."""
    result = classifier.classify("التطبيق لا يعمل منذ التحديث")
    assert result.lang == "ar" and result.labels == ["problem"] and result.cues == ["لا يعمل"]


def test_runs_without_nltk_corpora(tmp_path):
    """No NLTK data anywhere: classify still works (own tokenizer, pattern sentiment)."""
    env = {**os.environ, "NLTK_DATA": str(tmp_path), "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "feedback", "classify"], input='{"id": 1, "text": "Ça plante"}\n',
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["labels"] == ["problem"]


# The sentence that decided: a comment mixing praise and a report shows the report, in each language.
EVIDENCE = [
    ("fr", "Super article, merci beaucoup ! Mais le lien pour postuler ne marche plus depuis hier.", "problem",
     "Mais le lien pour postuler ne marche plus depuis hier."),
    ("en", "Great blog, I read it every week. The search page crashes every time I open it.", "problem",
     "The search page crashes every time I open it."),
    ("ar", "مقال رائع، شكرا جزيلا. التطبيق لا يعمل منذ التحديث", "problem", "التطبيق لا يعمل منذ التحديث"),
    ("fr", "Article très utile, bravo. Il faudrait un filtre par ville.", "suggestion", "Il faudrait un filtre par ville."),
    ("en", "Love the new design, well done! Please add a dark mode.", "suggestion", "Please add a dark mode."),
    ("ar", "شكرا على المقال الرائع. أتمنى إضافة فلتر حسب المدينة", "suggestion", "أتمنى إضافة فلتر حسب المدينة"),
]


@pytest.mark.parametrize(("lang", "text", "label", "sentence"), EVIDENCE)
def test_evidence_is_the_sentence_that_weighed_most(classifier, lang, text, label, sentence):
    result = classifier.classify(text)
    assert (lang, True, sentence) == (result.lang, label in result.labels, result.evidence.get(label))


def test_evidence_names_each_tag_given_and_no_other(classifier):
    """A problem and a request in two sentences: each tag points at its own sentence."""
    result = classifier.classify("Le paiement échoue à chaque fois. Proposez le virement, svp.")
    expected = {"problem": "Le paiement échoue à chaque fois.", "suggestion": "Proposez le virement, svp."}
    assert expected == result.evidence


@pytest.mark.parametrize("text", [
    "Never crashed once in two years. Great app!",
    "The update fixed the crash, it has never crashed since. Thanks!",
    "Aucun problème depuis la mise à jour, merci !",
    "Impossible de s'en passer, bravo à l'équipe.",
])
def test_a_denied_problem_gives_no_problem_and_no_problem_evidence(classifier, text):
    result = classifier.classify(text)
    assert ("problem" in result.labels, "problem" in result.evidence) == (False, False)


def test_a_strong_cue_asserts_the_tag_the_model_doubts(classifier):
    """Praise outvotes the malfunction in the model; the cue "freezes" still makes it a problem, and says so."""
    text = "Nice game, freezes a lot."
    doubted = classifier.model_probabilities(analyse(text))["problem"]
    result = classifier.classify(text)
    assert doubted < classifier.thresholds["problem"]
    assert (["problem"], ["freezes"], text) == (result.labels, result.cues, result.evidence["problem"])
    assert result.confidence["problem"] >= classifier.thresholds["problem"]


def test_the_cues_assert_a_tag_from_their_level_on_and_not_below():
    """Where the model gives a tag no chance, the cues give it only from the assertion level up."""
    doubt = {label: 0.0 for label in LABELS}
    below = {label: level - 0.1 for label, level in classify_module.ASSERT.items()}
    assert [] == CLASSIFIER.decide(doubt, "en", below)
    assert list(LABELS) == CLASSIFIER.decide(doubt, "fr", dict(classify_module.ASSERT))


def test_sentences_are_verbatim_pieces_split_at_their_ends():
    expected = ["Version 2.0 crashes.", "Please add a dark mode!", "Thanks…", "مقال رائع؟", "Bye"]
    assert expected == sentences("Version 2.0 crashes. Please add a dark mode!\nThanks… مقال رائع؟ Bye")


def test_cli_classify_keeps_its_contract_and_adds_the_evidence():
    """Every key of before, plus "evidence"; bad lines still get their error and the stream goes on."""
    lines = ['{"id": 1, "text": "Great blog. The search page crashes."}', "pas du json", '{"id": 3, "text": 4}', "",
             '{"id": 5, "text": "Merci !"}']
    result = subprocess.run([sys.executable, "-m", "feedback", "classify"], input="\n".join(lines) + "\n",
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    keys = {"id", "labels", "lang", "confidence", "sentiment", "cues", "evidence"}
    assert [keys, {"id", "error"}, {"id", "error"}, {"id", "error"}, keys] == [set(a) for a in answers]
    assert ["invalid_json", "invalid_text", "empty_line"] == [a["error"]["code"] for a in answers[1:4]]
    assert ({"problem": "The search page crashes."}, {}) == (answers[0]["evidence"], answers[4]["evidence"])


def test_evaluate_on_a_labelled_file_puts_the_keyword_list_beside_the_tagger(tmp_path):
    """`evaluate FILE` scores the tagger and the keyword list on the same lines, over the three outcomes."""
    path = tmp_path / "mine.jsonl"
    rows = [{"text": "L'appli plante au démarrage", "labels": ["problem"]},
            {"text": "Please add a dark mode", "labels": ["suggestion"]},
            {"text": "Merci pour l'article", "labels": []}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "feedback", "evaluate", str(path), "--json"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    report = json.loads(result.stdout)["reports"][str(path)]
    assert training.evaluate(keywords.labels, rows) == report["keywords"]
    assert 1.0 == report["tagger"]["all"]["macro_f1"]


def test_on_every_source_left_out_the_tagger_beats_the_keyword_list():
    """Leave-one-source-out, French and English: the tagger's macro-F1 is above the keyword list's on each source.

    One regularisation strength (the shipped model's) instead of the grid, so that the five trainings take a
    minute; `python -m feedback evaluate` runs the full grid for the README's figures.
    """
    shipped = json.loads((ROOT / "feedback" / "data" / "model.json").read_text())
    report = training.leave_one_source_out(grid=(shipped["training"]["C"],))
    margins = {(source, lang): pair["tagger"][lang]["macro_f1"] - pair["keywords"][lang]["macro_f1"]
               for source, pair in report.items() for lang in ("fr", "en") if lang in pair["tagger"]}
    assert len(margins) == 9
    assert [] == [cell for cell, margin in margins.items() if margin <= 0.05]
