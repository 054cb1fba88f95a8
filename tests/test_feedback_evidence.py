"""The sentence that decided each tag is stored with the comment's analysis, on SQLite and PostgreSQL."""
from __future__ import annotations

import json

import pytest

import comments_store
from comments_store import NewComment
from feedback import store, tagging

pytestmark = pytest.mark.both_databases


def approved(db, body: str) -> int:
    comment, _token = comments_store.add_comment(db, "negocier-son-salaire", NewComment(author="Lecteur", body=body))
    comments_store.set_status(db, comment.id, "approved")
    return comment.id


def stored_evidence(db, comment_id: int) -> dict:
    return json.loads(db.execute("SELECT evidence FROM feedback_items WHERE comment_id = ?", [comment_id]).fetchone()[0])


def test_tagging_stores_the_sentence_that_decided_each_tag(fdb, classifier):
    cid = approved(fdb, "Merci pour cet article très clair. Le bouton postuler ne marche plus depuis hier.")
    tagging.tag_comments(fdb, classifier)
    assert {"problem": "Le bouton postuler ne marche plus depuis hier."} == stored_evidence(fdb, cid)


def test_a_comment_without_tags_stores_no_evidence(fdb, classifier):
    cid = approved(fdb, "Merci pour cet article très clair, bonne continuation !")
    tagging.tag_comments(fdb, classifier)
    assert {} == stored_evidence(fdb, cid)


def test_an_edited_comment_gets_the_evidence_of_its_new_text(fdb, classifier):
    comment, token = comments_store.add_comment(fdb, "negocier-son-salaire",
                                                NewComment(author="Lecteur", body="Très bon article, merci."))
    comments_store.set_status(fdb, comment.id, "approved")
    tagging.tag_comments(fdb, classifier)
    comments_store.edit_own(fdb, "negocier-son-salaire", comment.id, token,
                            "Très bon article. Please add a dark mode to the site.",
                            window=__import__("datetime").timedelta(minutes=15), moderation="none")
    tagging.tag_comments(fdb, classifier)
    assert {"suggestion": "Please add a dark mode to the site."} == stored_evidence(fdb, comment.id)


def test_forgetting_a_comments_evidence_blanks_it_and_no_other(fdb, classifier):
    """Erasing a reader blanks the evidence of their comments (it quotes them); other comments keep theirs."""
    erased = approved(fdb, "Bon article. Le lien XYZZY ne marche plus.")
    kept = approved(fdb, "Bon article. Le formulaire ne marche plus.")
    tagging.tag_comments(fdb, classifier)
    store.forget_evidence(fdb, [erased])
    assert ({}, {"problem": "Le formulaire ne marche plus."}) == (stored_evidence(fdb, erased),
                                                                   stored_evidence(fdb, kept))
