"""The plain keyword list the tagger is judged against: a comment holding one of these words is tagged.

It stands for what a product owner would do without the tagger (search the comments for "bug",
"crash", "ajouter"…). It was written once, before any score was looked at, and is never tuned per
source: a baseline that moved with the data would prove nothing. Matching is on folded text
(feedback.text.fold: lower case, no accents), whole words or phrases.
"""
from __future__ import annotations

import re

from .text import fold

PROBLEM = """
crash|crashes|crashed|crashing|bug|bugs|buggy|error|errors|broken|freeze|freezes|freezing|frozen|stuck
fail|fails|failed|failing|failure|glitch|glitches|lag|laggy|slow|problem|problems|issue|issues|wrong
not working|doesn't work|does not work|don't work|didn't work|won't|can't|cannot|unable|stopped working
plante|plantage|planté|beug|bug|erreur|erreurs|bloqué|bloquée|lent|lente|panne|problème|problèmes|souci|soucis
ne marche|marche pas|marche plus|ne fonctionne|fonctionne pas|fonctionne plus|impossible|n'arrive pas|ne peux pas
لا يعمل|مشكلة|مشكل|خطأ|عطل
"""
SUGGESTION = """
add|adding|please add|would be nice|would be great|would like|would love|wish|should|could you|feature request
suggest|suggestion|option|need
ajouter|ajoutez|rajouter|faudrait|serait bien|serait bon|serait top|j'aimerais|aimerais|souhaite|souhaiterais
pourriez|pourrait|suggère|propose|proposer|manque|dommage
أتمنى|اتمنى|أقترح|اقترح|إضافة|اضافة
"""


def _pattern(words: str) -> re.Pattern:
    entries = [e for line in words.strip().splitlines() for e in line.split("|")]
    return re.compile(r"(?<!\w)(?:%s)(?!\w)" % "|".join(re.escape(fold(e)) for e in entries))


PATTERNS = {"problem": _pattern(PROBLEM), "suggestion": _pattern(SUGGESTION)}


def labels(text: str) -> list[str]:
    """The labels whose keywords occur in `text`."""
    folded = fold(text)
    return [label for label, pattern in PATTERNS.items() if pattern.search(folded)]
