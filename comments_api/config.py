"""Settings read from BOUCLE_* environment variables, with defaults fit for `make run`."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def from_environ(env: Mapping[str, str], root: str) -> dict[str, Any]:
    """Translate the environment into Flask config keys."""
    return {
        "SITE_DIR": os.path.abspath(os.path.join(root, env.get("BOUCLE_OUTPUT", "output"))),
        # Off behind nginx or a CDN, which serve output/ themselves.
        "SERVE_SITE": _flag(env.get("BOUCLE_SERVE_SITE"), True),
    }
