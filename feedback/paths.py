"""Where the feedback commands find the database and the model (same variables as the rest of Boucle)."""
from __future__ import annotations

import os
from pathlib import Path

from comments_store.db import default_path

ROOT = Path(__file__).resolve().parent.parent


def instance() -> Path:
    return Path(os.environ.get("BOUCLE_INSTANCE") or ROOT / "instance")


def database() -> str:
    return default_path()


def trained_model() -> Path:
    """Where `train` writes; `classify` and `tag` prefer it to the shipped model when it exists."""
    return Path(os.environ.get("BOUCLE_FEEDBACK_MODEL") or instance() / "feedback-model.json")
