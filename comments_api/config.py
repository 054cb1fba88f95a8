"""Settings read from BOUCLE_* environment variables, with defaults fit for `make run`.

A bad value stops the app at start-up with a message naming the variable,
rather than failing on a reader's first comment.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many

MODERATION_MODES = ("all", "first", "none")


class ConfigError(ValueError):
    """A BOUCLE_* setting has a value the service cannot use."""


def _flag(name: str, value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} doit valoir 1 ou 0 (reçu : {value!r})")


def _int(name: str, value: str | None, default: int, minimum: int = 0) -> int:
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} doit être un nombre entier (reçu : {value!r})") from None
    if number < minimum:
        raise ConfigError(f"{name} doit valoir au moins {minimum} (reçu : {number})")
    return number


def _zone(value: str | None) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = (value or "").strip() or "Africa/Casablanca"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"BOUCLE_TIMEZONE doit être un fuseau horaire comme Africa/Casablanca (reçu : {value!r})") \
            from None
    return name


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def host_name(host: str) -> str:
    """The name part of a Host header or URL netloc, lower case, without port (IPv6 kept in brackets)."""
    host = host.strip().lower()
    if host.startswith("[") and "]" in host:
        name, _, port = host.partition("]")
        name, port = name + "]", port.removeprefix(":")
    elif host.count(":") == 1:
        name, port = host.split(":")
    else:
        name, port = host, ""
    if port and not port.isdigit():
        return host  # "blog.example:evil" names no host of ours
    return name.rstrip(".")  # "blog.example." names the same host


def allowed_hosts(listed: list[str] | str, site_url: str) -> list[str]:
    """The host names served: the listed ones, else the site's own (and the loopback names when it is local)."""
    names = [host_name(h) for h in (_list(listed) if isinstance(listed, str) else listed) if h.strip()]
    if names:
        return names
    site_host = host_name(urlsplit(site_url).netloc)
    if site_host in LOOPBACK_HOSTS:  # `make run`: the reader may type localhost or 127.0.0.1
        return [site_host, *(h for h in LOOPBACK_HOSTS if h != site_host)]
    return [site_host]


def from_environ(env: Mapping[str, str], root: str) -> dict[str, Any]:
    """Translate the environment into Flask config keys."""
    port = _int("BOUCLE_PORT", env.get("BOUCLE_PORT"), 8000, 1)
    moderation = (env.get("BOUCLE_MODERATION") or "all").strip().lower()
    if moderation not in MODERATION_MODES:
        raise ConfigError(f"BOUCLE_MODERATION doit valoir all, first ou none (reçu : {moderation!r})")
    rate = (env.get("BOUCLE_RATE_LIMIT") or "5/minute;30/hour").strip()
    if rate.lower() != "off":
        try:
            parse_many(rate)
        except ValueError:
            raise ConfigError(f"BOUCLE_RATE_LIMIT doit valoir off ou des limites comme 5/minute;30/hour "
                              f"(reçu : {rate!r})") from None
    site_url = (env.get("BOUCLE_SITEURL") or f"http://127.0.0.1:{port}").rstrip("/")
    smtp_port = _int("BOUCLE_SMTP_PORT", env.get("BOUCLE_SMTP_PORT"), 587, 1)
    db = env.get("BOUCLE_DB")
    return {
        "SITE_DIR": os.path.abspath(os.path.join(root, env.get("BOUCLE_OUTPUT", "output"))),
        # Off behind nginx or a CDN, which serve output/ themselves.
        "SERVE_SITE": _flag("BOUCLE_SERVE_SITE", env.get("BOUCLE_SERVE_SITE"), True),
        # PostgreSQL when BOUCLE_DATABASE_URL is set; else a SQLite file (None: instance/boucle.db).
        "DB_PATH": env.get("BOUCLE_DATABASE_URL") or (os.path.abspath(os.path.join(root, db)) if db else None),
        "ADMIN_TOKEN": env.get("BOUCLE_ADMIN_TOKEN") or None,
        "SECRET_KEY": env.get("BOUCLE_SECRET_KEY") or None,
        "MODERATION": moderation,
        "RATE_LIMIT": rate,
        "RATELIMIT_STORAGE_URI": env.get("BOUCLE_RATE_LIMIT_STORAGE") or "memory://",
        "EDIT_WINDOW": _int("BOUCLE_EDIT_WINDOW", env.get("BOUCLE_EDIT_WINDOW"), 15 * 60),
        # Set by `make run`, whose watcher rebuilds within seconds; a timer's minute would be too long to wait.
        "WAIT_FOR_REBUILD": _int("BOUCLE_WAIT_FOR_REBUILD", env.get("BOUCLE_WAIT_FOR_REBUILD"), 0),
        "MAX_DEPTH": _int("BOUCLE_MAX_DEPTH", env.get("BOUCLE_MAX_DEPTH"), 3, 1),
        "MIN_FILL_SECONDS": _int("BOUCLE_MIN_FILL_SECONDS", env.get("BOUCLE_MIN_FILL_SECONDS"), 3),
        "FORM_MAX_AGE": _int("BOUCLE_FORM_MAX_AGE", env.get("BOUCLE_FORM_MAX_AGE"), 7 * 24 * 3600, 60),
        "MAX_LINKS": _int("BOUCLE_MAX_LINKS", env.get("BOUCLE_MAX_LINKS"), 3),
        "DUPLICATE_WINDOW": _int("BOUCLE_DUPLICATE_WINDOW", env.get("BOUCLE_DUPLICATE_WINDOW"), 24 * 3600),
        "MAX_CONTENT_LENGTH": _int("BOUCLE_MAX_REQUEST_BYTES", env.get("BOUCLE_MAX_REQUEST_BYTES"), 64 * 1024, 1024),
        "SITEURL": site_url,
        "TIMEZONE": _zone(env.get("BOUCLE_TIMEZONE")),
        "CORS_ORIGINS": [origin_of(o) or o for o in _list(env.get("BOUCLE_CORS_ORIGINS"))],
        "PROXY_COUNT": _int("BOUCLE_PROXIES", env.get("BOUCLE_PROXIES"), 0),
        # Empty: the site's own host (create_app fills it in from the final SITEURL).
        "ALLOWED_HOSTS": _list(env.get("BOUCLE_ALLOWED_HOSTS")),
        "ADMIN_IDLE_MINUTES": _int("BOUCLE_ADMIN_IDLE_MINUTES", env.get("BOUCLE_ADMIN_IDLE_MINUTES"), 60, 1),
        "SMTP_HOST": env.get("BOUCLE_SMTP_HOST") or None,
        "SMTP_PORT": smtp_port,
        "SMTP_USER": env.get("BOUCLE_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("BOUCLE_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag("BOUCLE_SMTP_STARTTLS", env.get("BOUCLE_SMTP_STARTTLS"), smtp_port == 587),
        "SMTP_FROM": env.get("BOUCLE_SMTP_FROM") or "blog@localhost",
        "MODERATOR_EMAILS": _list(env.get("BOUCLE_MODERATOR_EMAILS")),
        "MAIL_RETRY_SECONDS": _int("BOUCLE_MAIL_RETRY_SECONDS", env.get("BOUCLE_MAIL_RETRY_SECONDS"), 30),
    }
