"""Writing what an importer read into the store: one transaction, same rules as readers' comments, a report."""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from sqlite_utils import Database

from ..db import write
from ..errors import InvalidComment
from ..records import STATUSES, NewComment, Thread
from ..render import render
from ..rules import Limits, check, fingerprint
from ..sequences import handed_out, next_after
from ..threads import list_threads, register_threads, site_path_problem
from .matching import ThreadMatcher
from .source import ImportedComment, Source

# Old comments were accepted by another system's rules: keep long ones and long names rather than lose them.
IMPORT_LIMITS = Limits(body_min=1, body_max=100_000, author_max=200)
ANONYMOUS = "Anonyme"


@dataclass
class ArticleReport:
    imported: int = 0
    already_there: int = 0
    old_addresses: set[str] = field(default_factory=set)
    matched_by: set[str] = field(default_factory=set)


@dataclass
class Report:
    """What an import did, article by article, and everything it did not take, with the reason."""

    format: str
    dry_run: bool = False
    articles: dict[str, ArticleReport] = field(default_factory=dict)
    unmatched: Counter = field(default_factory=Counter)  # old address -> comments left out
    refused: list[tuple[str, str]] = field(default_factory=list)  # (source key, reason)
    notes: list[str] = field(default_factory=list)
    threads_added: list[str] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return sum(a.imported for a in self.articles.values())

    @property
    def already_there(self) -> int:
        return sum(a.already_there for a in self.articles.values())

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "already_there": self.already_there,
            "articles": {slug: {"imported": a.imported, "already_there": a.already_there,
                                "old_addresses": sorted(a.old_addresses), "matched_by": sorted(a.matched_by)}
                         for slug, a in sorted(self.articles.items())},
            "unmatched": dict(sorted(self.unmatched.items())),
            "refused": [{"key": key, "reason": reason} for key, reason in self.refused],
            "threads_added": self.threads_added,
            "notes": self.notes,
        }

    def as_text(self) -> str:
        lines = [f"Import {self.format}" + (" (essai : rien n'a été écrit)" if self.dry_run else "")]
        for slug, a in sorted(self.articles.items()):
            lines.append(f"  {slug:<40} {a.imported:>5} importé(s), {a.already_there:>5} déjà là"
                         f"   ← {', '.join(sorted(a.old_addresses))}")
        lines.append(f"Total : {self.imported} importé(s), {self.already_there} déjà là.")
        if self.threads_added:
            lines.append(f"Articles ajoutés depuis le fichier : {', '.join(self.threads_added)}")
        if self.unmatched:
            lines.append("Adresses sans article correspondant (commentaires non importés ; "
                         "--map ANCIENNE=slug pour les rattacher) :")
            lines += [f"  {uri}  ({n} commentaire(s))" for uri, n in sorted(self.unmatched.items())]
        if self.refused:
            lines.append("Commentaires refusés :")
            lines += [f"  {key} : {reason}" for key, reason in self.refused]
        lines += [f"Note : {note}" for note in self.notes]
        return "\n".join(lines)


class _DryRun(Exception):
    """Raised inside the transaction to roll a trial import back."""


def _in_parent_order(items: list[ImportedComment]) -> list[ImportedComment]:
    """Parents before their replies (exports list them in any order); a cycle is cut where it closes."""
    by_key = {i.identity(): i for i in items}
    depth: dict[str, int] = {}
    for item in items:
        chain, key = [], item.identity()
        while key in by_key and key not in depth and key not in chain:
            chain.append(key)
            key = by_key[key].parent_key
        base = depth.get(key, -1) if key in by_key else -1
        for offset, k in enumerate(reversed(chain), start=1):
            depth[k] = base + offset
    return sorted(items, key=lambda i: (depth[i.identity()], i.created_at))


def _printable(text: str) -> str:
    """`text` with control and invisible characters escaped, for a report read in a terminal."""
    return "".join(ch if unicodedata.category(ch)[0] not in "CZ" or ch == " " else ascii(ch)[1:-1] for ch in text)


def _with_site_path(thread: dict, report: Report) -> dict:
    """An exported article whose address is not a path of this site is added without it (the next build of the
    site gives it its own), and the refusal is reported; its comments are imported all the same."""
    problem = site_path_problem(thread.get("url") or "")
    if problem is None:
        return thread
    report.refused.append((f"article:{_printable(thread['slug'])}",
                           f"adresse {_printable(str(thread['url']))} : {problem} ; article ajouté sans adresse"))
    return {**thread, "url": ""}


def _address_problem(uri: object, fmt: str) -> str | None:
    """Why a comment's old page address cannot be taken (None when it can).

    Isso and our own export know pages by their path on the site; Disqus and WordPress by their full address
    on the old site, which only serves to find the article and is never shown as a link.
    """
    if fmt in ("isso", "boucle"):
        return site_path_problem(uri)
    if not isinstance(uri, str):
        return "n'est pas un texte"
    if any(unicodedata.category(ch)[0] in "CZ" for ch in uri) or "\\" in uri:
        return "contient un espace, un caractère de contrôle ou une barre oblique inverse"
    return None


def _checked(item: ImportedComment, report: Report) -> NewComment | None:
    """The comment cleaned by the store's rules; a bad e-mail or website is dropped (with a note), not the comment."""
    new = NewComment(author=item.author or ANONYMOUS, body=item.body, email=item.email, website=item.website,
                     lang=item.lang)
    for _ in range(3):
        try:
            return check(new, IMPORT_LIMITS)
        except InvalidComment as exc:
            if exc.field == "email" and new.email:
                report.notes.append(f"{item.key} : adresse e-mail invalide ignorée")
                new.email = None
            elif exc.field == "website" and new.website:
                report.notes.append(f"{item.key} : site web invalide ignoré")
                new.website = None
            else:
                report.refused.append((item.identity(), exc.code))
                return None
    return None


def _existing(db: Database, item: ImportedComment, thread: Thread) -> int | None:
    row = db.execute("SELECT id FROM comments WHERE import_key = ?", [item.identity()]).fetchone()
    if row:
        return row[0]
    if item.native_id is not None:  # our own export: the same comment still under its own number
        row = db.execute("SELECT id FROM comments WHERE id = ? AND thread_id = ? AND created_at = ? AND fingerprint = ?",
                         [item.native_id, thread.id, item.created_at, fingerprint(item.body)]).fetchone()
        if row:
            return row[0]
    return None


def _insert(db: Database, item: ImportedComment, thread: Thread, parent_id: int | None, new: NewComment | None,
            handed: int) -> int:
    if item.deleted:
        author, body, email, website, html = "", "", None, None, ""
    else:
        author, body, email, website, html = new.author, new.body, new.email, new.website, render(new.body)
    row = {
        "thread_id": thread.id, "parent_id": parent_id, "author": author, "email": email, "website": website,
        "body": body, "html": html, "status": item.status, "created_at": item.created_at,
        "edited_at": item.edited_at, "lang": item.lang or thread.lang, "client_hash": item.client_hash,
        "fingerprint": fingerprint(body), "notify": int(bool(item.notify and email)), "deleted": int(item.deleted),
        "is_team": int(item.team), "status_changed_at": item.status_changed_at, "import_key": item.identity(),
    }
    if item.native_id is not None and item.native_id > handed and not db.execute(
            "SELECT 1 FROM comments WHERE id = ?", [item.native_id]).fetchone():
        # A move into an empty database keeps every number (and links to #comment-N); a number this database
        # ever gave, even to a comment deleted since, is never given to another text.
        row["id"] = item.native_id
        row["import_key"] = item.key
    columns = ", ".join(row)
    cursor = db.execute(f"INSERT INTO comments ({columns}) VALUES ({', '.join('?' for _ in row)}) RETURNING id",
                        list(row.values()))
    return cursor.fetchone()[0]


def import_source(db: Database, source: Source, *, prefix: str = "", overrides: dict[str, str] | None = None,
                  dry_run: bool = False) -> Report:
    """Add `source`'s comments to the articles they belong to; comments already imported are skipped."""
    report = Report(format=source.format, dry_run=dry_run, notes=list(source.notes))
    try:
        with write(db):
            known = {t.slug for t in list_threads(db)}
            missing = [_with_site_path(t, report) for t in source.threads if t["slug"] not in known]
            if missing:
                register_threads(db, missing)
                report.threads_added = sorted(t["slug"] for t in missing)
            matcher = ThreadMatcher(list_threads(db), prefix, overrides)
            if not matcher.threads:
                report.notes.append("aucun article connu dans cette base : construisez le site (invoke build) "
                                    "avant d'importer, il enregistre les articles")
            by_key = {i.identity(): i for i in source.comments}
            ids: dict[str, int] = {}
            handed = handed_out(db, "comments")
            for item in _in_parent_order(source.comments):
                problem = _address_problem(item.uri, source.format)
                if problem and source.format == "boucle":
                    item.uri = ""  # our export finds the article by its slug; the address went with its article
                elif problem:
                    reason = f"adresse {_printable(str(item.uri))} : {problem}"
                    report.refused.append((_printable(item.identity()), reason))
                    continue
                if item.status not in STATUSES:
                    report.refused.append((item.identity(), "status_invalid"))
                    continue
                thread, rule = matcher.match(item.uri, item.slug_hint, slug_first=source.format == "boucle")
                if thread is None:
                    report.unmatched[item.uri] += 1
                    continue
                article = report.articles.setdefault(thread.slug, ArticleReport())
                article.old_addresses.add(item.uri)
                article.matched_by.add(rule)
                found = _existing(db, item, thread)
                if found is not None:
                    ids[item.identity()] = found
                    article.already_there += 1
                    continue
                new = None if item.deleted else _checked(item, report)
                if new is None and not item.deleted:
                    continue
                parent_id, parent_key = None, item.parent_key
                while parent_key is not None and parent_id is None:
                    parent_id = ids.get(parent_key)
                    if parent_id is None:
                        parent = by_key.get(parent_key)
                        report.notes.append(f"{item.identity()} : réponse à {parent_key}, absent ou refusé ; "
                                            "rattachée plus haut")
                        parent_key = parent.parent_key if parent else None
                ids[item.identity()] = _insert(db, item, thread, parent_id, new, handed)
                article.imported += 1
            next_after(db, "comments", handed)  # numbers kept from our export: new comments come after them
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
