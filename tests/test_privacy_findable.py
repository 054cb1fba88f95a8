"""The privacy self-service is one click away: from the privacy page (French and English) and every comment form."""
from __future__ import annotations

import re

import pytest

ARTICLE = "negocier-son-salaire"


@pytest.mark.parametrize("page", ["pages/confidentialite/index.html", "en/pages/confidentialite/index.html"])
def test_the_privacy_page_links_to_the_self_service(site, page):
    """Both languages of the privacy page link to /api/privacy."""
    html = (site / page).read_text(encoding="utf-8")
    assert 'href="/api/privacy"' in html


def test_the_article_comment_form_links_to_the_self_service(site):
    """The comment form under an article links to the privacy self-service page."""
    html = (site / ARTICLE / "index.html").read_text(encoding="utf-8")
    form = re.search(r'<form class="comment-form".*?</form>', html, re.S).group(0)
    assert re.search(r'href="[^"]*/api/privacy"', form)


def test_the_retry_and_reply_forms_link_to_the_self_service(client):
    """The HTML forms the API serves (retry after an error, reply without JavaScript) link to it too."""
    retry = client.post(f"/api/threads/{ARTICLE}/comments", data={"author": "", "body": "x"},
                        headers={"Origin": "http://blog.test"})
    assert 'href="/api/privacy"' in retry.get_data(as_text=True)
    from comments_store import NewComment, add_comment, open_db

    db = open_db(client.application.config["DB_PATH"])
    comment, _ = add_comment(db, ARTICLE, NewComment(author="Samir", body="Bonjour à tous"), moderation="none")
    reply = client.get(f"/api/threads/{ARTICLE}/comments/{comment.id}/reply")
    assert 'href="/api/privacy"' in reply.get_data(as_text=True)
