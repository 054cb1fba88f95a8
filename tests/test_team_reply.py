"""A team reply's header in the built page: the "Équipe" badge, never twice when the name already says it."""
from __future__ import annotations

import re

import comments_store
from comments_store import NewComment

from conftest import build_site

SLUG = "cv-qui-se-fait-remarquer"


def headers_of(page: str) -> list[str]:
    """Each comment header's text, tags removed and spaces collapsed."""
    found = re.findall(r'<header class="comment-meta">(.*?)<a class="comment-date"', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in found]


def test_the_team_badge_does_not_repeat_the_team_name(tmp_path):
    """A reply signed "Équipe" shows the word once; a reply signed by a person keeps the badge."""
    path = str(tmp_path / "comments.db")
    db = comments_store.open_db(path)
    comments_store.register_threads(db, [{"slug": SLUG, "title": "Un CV", "url": f"/{SLUG}/", "lang": "fr"}])
    first, _ = comments_store.add_comment(db, SLUG, NewComment(author="Samir", body="Et pour un stage ?"),
                                          moderation="none")
    comments_store.add_team_reply(db, first.id, "Oui, la même règle vaut.")
    comments_store.add_team_reply(db, first.id, "Et une lettre courte.", author="Samia")
    db.close()
    site = build_site(tmp_path / "site", COMMENTS={"db": path})
    page = (site / SLUG / "index.html").read_text(encoding="utf-8")
    assert ["Samir", "Équipe", "Samia Équipe"] == headers_of(page)
