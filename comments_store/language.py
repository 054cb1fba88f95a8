"""Language of a comment: French, English, Arabic or other.

Here, in the store, because the store records each comment's language when it keeps it (the page shows
every comment in its own language and direction), and feedback, downstream, tags with the same detector.

Arabic script is recognised by its letters; Latin-script text goes to py3langid
(a small n-gram model, a few MB) restricted to the languages our readers write,
with a word-list vote for the short texts where n-grams hesitate.
"""
from __future__ import annotations

import re
import threading
import unicodedata

__all__ = ["LANGS", "comment_lang", "detect", "detect_with_mix", "direction", "fold", "script_share", "tokens"]

LANGS = ("fr", "en", "ar", "other")
RTL = ("ar",)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "«": '"', "»": '"', "“": '"',
                              "”": '"', "\u00a0": " ", "\u202f": " "})
_TOKEN = re.compile(r"[a-z0-9]+|[\u0600-\u06ff]+")
_SPACES = re.compile(r"\s+")
# Latin accents, and Arabic short vowels and hamza marks (أ → ا), so spellings with or without them match.
_COMBINING = re.compile(r"[\u0300-\u036f\u064b-\u065f\u0670]")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")


def fold(text: str) -> str:
    """Lower case, straight apostrophes, accents removed, spaces squeezed: 'Ça n’a PAS marché' → "ca n'a pas marche"."""
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).lower()))
    return _SPACES.sub(" ", text).strip()


def tokens(folded: str) -> list[str]:
    return _TOKEN.findall(folded)


def script_share(text: str) -> tuple[int, int]:
    """Numbers of Arabic and Latin letters."""
    return len(_ARABIC_LETTER.findall(text)), len(_LATIN_LETTER.findall(text))
_CANDIDATES = ["fr", "en", "ar", "es", "it", "de", "pt", "nl"]
_lock = threading.Lock()
_identifier = None

# Frequent, unambiguous words; they settle short texts ("Super article, merci !").
_FR = set("""le la les un une des du de et est pas je tu il nous vous ils elle on ce cette ces mon ma mes ton ta votre vos
leur dans pour avec sur sans mais ou donc car qui que quoi ne plus tres merci bonjour salut svp stp rien tout tous
c'est j'ai aussi depuis toujours jamais encore deja ca cela marche fonctionne impossible faudrait serait
l.appli appli application site compte offre offres conseils bravo nul cet""".split())
_EN = set("""the a an and is are was were not i you he she we they it this that these my your our their in on for
with without but or so who what doesn't don't can't won't it's i'm i've please thanks thank hello hi very
really just still never already also app site account job jobs tips great nice love would should could""".split())

_FR, _EN = _FR - _EN, _EN - _FR  # words both languages use say nothing


def _langid():
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
            ident.set_languages(_CANDIDATES)
            _identifier = ident
    return _identifier


def detect(text: str) -> str:
    """'fr', 'en', 'ar' or 'other'."""
    return detect_with_mix(text)[0]


def detect_with_mix(text: str, words: list[str] | None = None, *, model: bool = True) -> tuple[str, bool]:
    """The language, and whether the text also carries many words of the other one (French/English mix).

    Without `model`, texts the letters and the word vote do not settle are "other" rather than given to the
    n-gram model (which takes seconds to load and a few MB to hold).
    """
    arabic, latin = script_share(text)
    if arabic == 0 and latin == 0:
        return "other", False
    if arabic > latin:
        return "ar", latin > 3
    if words is None:
        words = tokens(fold(text))
    fr = sum(1 for w in words if w in _FR)
    en = sum(1 for w in words if w in _EN)
    mixed = min(fr, en) >= 2 or len(words) <= 4
    # Clear majorities of common words settle most texts without the n-gram model.
    if fr >= 2 and fr >= 3 * en:
        return "fr", mixed
    if en >= 2 and en >= 3 * fr:
        return "en", mixed
    if not model:
        return ("fr" if fr > en else "en") if fr != en else "other", True
    return _guess(text, words, fr, en), True


def _guess(text: str, words: list[str], fr: int, en: int) -> str:
    if len(words) <= 6 and fr != en:
        return "fr" if fr > en else "en"
    guess = _langid().classify(text)[0]
    if guess in ("fr", "en"):
        # Mixed French and English: the word vote overrides a narrow n-gram call.
        if guess == "fr" and en >= 2 * fr + 2:
            return "en"
        if guess == "en" and fr >= 2 * en + 2:
            return "fr"
        return guess
    if fr or en:
        return "fr" if fr >= en else "en"
    return "other"


def comment_lang(text: str, fallback: str | None) -> str | None:
    """The language to mark a stored comment with: the detected one, or `fallback` (the page's) when unsure.

    "other" is no language tag: a comment in a language we do not tell apart keeps the page's, as before.
    """
    # Without the n-gram model: the API's process stores comments without loading it, and an unsure text
    # keeps the page's language, which is what the model's hesitations would mostly give anyway.
    found = detect_with_mix(text, model=False)[0] if text else "other"
    return found if found != "other" else fallback


def direction(lang: str | None) -> str:
    """'rtl' for a language written right to left, else 'ltr'."""
    return "rtl" if (lang or "").split("-")[0].lower() in RTL else "ltr"
