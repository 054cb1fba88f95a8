"""Reading a Disqus XML export: threads by link, posts with parents, deleted and spam flags."""
from __future__ import annotations

from pathlib import Path

from .html_text import to_markdown
from .source import ImportedComment, ImportFileError, Source, iso_from_text
from .xml_export import attribute, child, elements_at, local, text


def _flag(element, name: str) -> bool:
    return text(element, name).lower() == "true"


def read(path: str | Path) -> Source:
    """Every post of the Disqus export at `path`; deleted posts are kept only as placeholders for their replies."""
    threads: dict[str, dict] = {}
    posts = []
    for element in elements_at(path, 1, "disqus"):
        kind = local(element.tag)
        if kind == "thread":
            threads[attribute(element, "id")] = {"link": text(element, "link"), "ident": text(element, "id")}
        elif kind == "post":
            author = child(element, "author")
            posts.append({
                "id": attribute(element, "id"),
                "thread": attribute(child(element, "thread"), "id"),
                "parent": attribute(child(element, "parent"), "id") or None,
                "message": text(element, "message"),
                "created": text(element, "createdAt"),
                "deleted": _flag(element, "isDeleted"),
                "spam": _flag(element, "isSpam"),
                "pending": text(element, "isApproved").lower() == "false",
                "name": text(author, "name") if author is not None else "",
                "email": text(author, "email") if author is not None else "",
            })
    source = Source(format="disqus")
    with_replies = {p["parent"] for p in posts if p["parent"]}
    dropped_deleted = 0
    for post in posts:
        if not post["id"]:
            raise ImportFileError("un <post> sans dsq:id")
        if post["deleted"] and post["id"] not in with_replies:
            dropped_deleted += 1
            continue
        thread = threads.get(post["thread"])
        if thread is None:
            source.notes.append(f"disqus:{post['id']} : fil {post['thread']!r} absent du fichier")
            thread = {"link": f"disqus-thread:{post['thread']}", "ident": ""}
        status = "spam" if post["spam"] else "pending" if post["pending"] else "approved"
        source.comments.append(ImportedComment(
            key=f"disqus:{post['id']}",
            uri=thread["link"] or thread["ident"],
            slug_hint=thread["ident"].rstrip("/").rsplit("/", 1)[-1] or None,
            parent_key=f"disqus:{post['parent']}" if post["parent"] else None,
            author=post["name"],
            email=post["email"] or None,
            body="" if post["deleted"] else to_markdown(post["message"]),
            created_at=iso_from_text(post["created"]),
            status=status,
            deleted=post["deleted"],
        ))
    if dropped_deleted:
        source.notes.append(f"{dropped_deleted} commentaire(s) supprimé(s) sur Disqus, sans réponse : non repris")
    return source
