"""Secrets that must survive restarts: from the environment, else generated once into instance/."""
from __future__ import annotations

import os
import secrets


def load_or_create(instance_path: str, name: str, configured: str | None) -> tuple[str, bool]:
    """Return (secret, created_now). A configured value wins; otherwise instance/<name> is read or written."""
    if configured:
        return configured, False
    path = os.path.join(instance_path, name)
    try:
        with open(path, encoding="utf-8") as f:
            value = f.read().strip()
        if value:
            return value, False
    except FileNotFoundError:
        pass
    os.makedirs(instance_path, exist_ok=True)
    value = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value, True
