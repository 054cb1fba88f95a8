"""Tag the approved comments of the database: only new or edited ones, unless asked for all."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

import comments_store

from . import store
from .classify import Classifier

BATCH = 1000


@dataclass(frozen=True)
class TagReport:
    tagged: int
    unchanged: int


def tag_comments(db: Database, classifier: Classifier, *, everything: bool = False,
                 progress: Callable[[int], None] | None = None) -> TagReport:
    """Classify approved comments not yet tagged (or edited since); idempotent; human tags stay."""
    done = {} if everything else store.tagged_versions(db)
    batch, tagged, unchanged = [], 0, 0
    for comment in comments_store.iter_approved(db):
        edited = comment.edited_at or ""
        if done.get(comment.id) == edited:
            unchanged += 1
        else:
            batch.append((comment.id, edited, classifier.classify(comment.body)))
        if len(batch) >= BATCH:
            tagged += store.save_auto(db, batch, classifier.version)
            batch = []
        if progress:
            progress(1)
    if batch:
        tagged += store.save_auto(db, batch, classifier.version)
    return TagReport(tagged=tagged, unchanged=unchanged)
