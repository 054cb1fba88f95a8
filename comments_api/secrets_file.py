"""Secrets that must survive restarts: from the environment, else generated once into instance/."""
from __future__ import annotations

import hashlib
import os
import secrets

HASH_PREFIX = "sha256:"


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


def token_hash(token: str) -> str:
    """SHA-256 of a token: enough for 256 random bits, which no dictionary can guess."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _write_private(path: str, text: str) -> None:
    # A new file next to the old one, then renamed: a crash never leaves a half-written secret.
    tmp = f"{path}.tmp-{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.replace(tmp, path)


def new_token(instance_path: str, name: str) -> str:
    """A fresh token; only its hash is written to instance/<name>. The old one stops working."""
    os.makedirs(instance_path, exist_ok=True)
    token = secrets.token_urlsafe(32)
    _write_private(os.path.join(instance_path, name), HASH_PREFIX + token_hash(token))
    return token


def load_or_create_hashed(instance_path: str, name: str, configured: str | None) -> tuple[str, str | None]:
    """Return (hash of the token, the token itself if it was created just now).

    A configured token wins (hashed in memory). instance/<name> holds only the hash; a file written by an older
    version with the token in clear is rewritten as its hash, and the token keeps working.
    """
    if configured:
        return token_hash(configured), None
    path = os.path.join(instance_path, name)
    try:
        with open(path, encoding="utf-8") as f:
            value = f.read().strip()
    except FileNotFoundError:
        value = ""
    if value.startswith(HASH_PREFIX):
        return value[len(HASH_PREFIX):], None
    if value:
        _write_private(path, HASH_PREFIX + token_hash(value))
        return token_hash(value), None
    token = new_token(instance_path, name)
    return token_hash(token), token
