"""Text normalisation and our own tokenizer: no NLTK corpora needed.

fold, tokens and script_share live with the language detector in comments_store.language (the store
detects each comment's language); they are the same functions here.
"""
from __future__ import annotations

from comments_store.language import _TOKEN, fold, script_share, tokens

__all__ = ["fold", "opening", "script_share", "tokens"]


def opening(folded: str, n: int = 2) -> list[str]:
    """The first `n` tokens of a (folded) sentence, looking no further than its first 60 characters."""
    return _TOKEN.findall(folded, 0, 60)[:n]
