"""Readers' feedback for the product team: tags (problem, suggestion), review, weekly digests.

Reads comments through comments_store; owns its own tables (feedback.store). Other
packages (the admin pages of comments_api) use what is exported here and feedback.store.
"""
from __future__ import annotations

from .weeks import BadWeek, Week

__all__ = ["BadWeek", "Week", "tag_new_comments"]


def tag_new_comments(db, model_path: str | None = None):
    """Tag the approved comments that are new or edited since last time, and place the new problems and
    suggestions in themes; returns a TagReport."""
    from . import paths, tagging, themes

    trained = paths.trained_model()
    path = model_path or (trained if trained.exists() else None)
    report = tagging.tag_comments(db, _classifier(str(path) if path else None))
    if report.tagged:
        themes.update(db)
    return report


_CLASSIFIERS: dict = {}


def _classifier(path):
    # A model is loaded once per process and path.
    from .classify import Classifier

    if path not in _CLASSIFIERS:
        _CLASSIFIERS[path] = Classifier.load(path)
    return _CLASSIFIERS[path]
