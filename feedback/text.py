"""Text normalisation and our own tokenizer: no NLTK corpora needed."""
from __future__ import annotations

import re
import unicodedata

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


def opening(folded: str, n: int = 2) -> list[str]:
    """The first `n` tokens of a (folded) sentence, looking no further than its first 60 characters."""
    return _TOKEN.findall(folded, 0, 60)[:n]


def script_share(text: str) -> tuple[int, int]:
    """Numbers of Arabic and Latin letters."""
    return len(_ARABIC_LETTER.findall(text)), len(_LATIN_LETTER.findall(text))
