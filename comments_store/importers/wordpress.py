"""Reading a WordPress export (WXR): the comments of each post, with their approval state."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .html_text import to_markdown
from .source import ImportedComment, Source, iso_from_text
from .xml_export import elements_at, local, text

# comment_approved: '1', '0', 'spam', 'trash' (and 'post-trashed' when the post went to the bin).
_STATUSES = {"1": "approved", "0": "pending", "spam": "spam", "trash": "rejected", "post-trashed": "rejected"}


def read(path: str | Path) -> Source:
    """Every reader comment of the WXR file at `path`; pingbacks and trackbacks are counted, not imported."""
    source = Source(format="wordpress")
    site, skipped = "", Counter()
    for element in elements_at(path, 2, "rss"):  # rss > channel > item (and the channel's own fields)
        name = local(element.tag)
        if name in ("base_site_url", "link") and not site:
            site = (element.text or "").strip().rstrip("/")
        if name != "item":
            continue
        link, slug = text(element, "link"), text(element, "post_name")
        for comment in (c for c in element if local(c.tag) == "comment"):
            kind = text(comment, "comment_type") or "comment"
            if kind != "comment":
                skipped[kind] += 1
                continue
            cid, parent = text(comment, "comment_id"), text(comment, "comment_parent")
            approved = text(comment, "comment_approved")
            when = text(comment, "comment_date_gmt")
            if not when or when.startswith("0000"):
                when = text(comment, "comment_date")  # drafts imported into WordPress lack the GMT date
            source.comments.append(ImportedComment(
                key=f"wordpress:{site}#{cid}",
                uri=link,
                slug_hint=slug or None,
                parent_key=f"wordpress:{site}#{parent}" if parent and parent != "0" else None,
                author=text(comment, "comment_author"),
                email=text(comment, "comment_author_email") or None,
                website=text(comment, "comment_author_url") or None,
                body=to_markdown(text(comment, "comment_content")),
                created_at=iso_from_text(when),
                status=_STATUSES.get(approved, "pending"),
            ))
            if approved not in _STATUSES:
                source.notes.append(f"wordpress:{site}#{cid} : état {approved!r} inconnu, mis en attente")
    for kind, count in sorted(skipped.items()):
        source.notes.append(f"{count} {kind}(s) WordPress (pas des commentaires de lecteurs) : non repris")
    return source
