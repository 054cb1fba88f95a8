"""Reading our own JSON export (invoke export): a move between Boucle databases keeps everything it carries."""
from __future__ import annotations

import json
from pathlib import Path

from ..export import FORMAT, VERSION
from ..records import STATUSES
from .source import ImportedComment, ImportFileError, Source

_REQUIRED = {"id": int, "thread": str, "author": str, "body": str, "status": str, "created_at": str}
_OPTIONAL = {"parent_id": int, "website": str, "edited_at": str, "status_changed_at": str, "lang": str,
             "deleted": bool, "team": bool, "notify": bool, "import_key": str, "email": str, "client_hash": str}


def _checked(item: object, index: int) -> dict:
    where = f"commentaire n° {index + 1}"
    if not isinstance(item, dict):
        raise ImportFileError(f"{where} : un objet JSON attendu")
    for name, kind in _REQUIRED.items():
        if not isinstance(item.get(name), kind) or isinstance(item.get(name), bool) is not (kind is bool):
            raise ImportFileError(f"{where} : champ {name!r} manquant ou du mauvais type")
    for name, kind in _OPTIONAL.items():
        value = item.get(name)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool)):
            raise ImportFileError(f"{where} : champ {name!r} du mauvais type")
    if item["status"] not in STATUSES:
        raise ImportFileError(f"{where} : statut {item['status']!r} inconnu")
    return item


def read(path: str | Path) -> Source:
    """The threads and comments of a Boucle export; the whole file is checked before anything is imported."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ImportFileError(f"fichier introuvable : {path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"JSON illisible ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFileError(f"pas un export Boucle (format {FORMAT!r} attendu)")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise ImportFileError(f"version d'export {data.get('version')!r} inconnue de ce Boucle (≤ {VERSION})")
    threads, comments = data.get("threads"), data.get("comments")
    if not isinstance(threads, list) or not isinstance(comments, list):
        raise ImportFileError("les listes 'threads' et 'comments' sont attendues")
    urls = {}
    for t in threads:
        if not isinstance(t, dict) or not isinstance(t.get("slug"), str) or not t["slug"]:
            raise ImportFileError("un article sans slug dans 'threads'")
        urls[t["slug"]] = t.get("url") or ""
    source = Source(format="boucle", threads=[t for t in threads])
    for index, raw in enumerate(comments):
        item = _checked(raw, index)
        key = item.get("import_key")
        source.comments.append(ImportedComment(
            key=key, native_id=item["id"], uri=urls.get(item["thread"], ""), slug_hint=item["thread"],
            parent_key=None, author=item["author"], body=item["body"], created_at=item["created_at"],
            status=item["status"], email=item.get("email"), website=item.get("website"),
            edited_at=item.get("edited_at"), lang=item.get("lang"), deleted=bool(item.get("deleted")),
            notify=bool(item.get("notify")), team=bool(item.get("team")), client_hash=item.get("client_hash"),
            status_changed_at=item.get("status_changed_at"),
        ))
    identity = {c.native_id: c for c in source.comments}
    for raw, item in zip(comments, source.comments):
        parent = identity.get(raw.get("parent_id"))
        if raw.get("parent_id") is not None:
            item.parent_key = parent.identity() if parent else f"boucle:?#{raw['parent_id']}"
    if not data.get("personal_data"):
        source.notes.append("export sans données personnelles : ni e-mails ni abonnements aux réponses")
    return source
