"""An edit of a published comment, in a real browser against the real `make run` stack (moderation on): the
author sees it waits, other readers keep the published text, the moderator reads the difference and publishes."""
from __future__ import annotations

import time

import pytest
import requests

from .conftest import axe_violations, wait_until

pytestmark = pytest.mark.browser

ARTICLE = "/recruter-a-distance/"
API = "/api/threads/recruter-a-distance/comments"


def test_an_edit_waits_apart_then_the_moderator_publishes_it(stack, page, axe_page):
    page.goto(stack.url + ARTICLE)
    wait_until(page, "document.querySelector('#comment-form').elements.ts.value !== ''")
    page.fill("#c-author", "Nadia")
    page.fill("#c-body", "Texte publié avant correction.")
    time.sleep(1.1)  # the stack's BOUCLE_MIN_FILL_SECONDS=1
    page.click("#comment-form button[type=submit]")
    wait_until(page, "document.querySelector('#form-status').textContent.includes('modération')")
    stack.approve_all()
    page.reload()
    page.wait_for_selector(".comment:has-text('avant correction') >> text=Modifier")
    page.click(".comment:has-text('avant correction') >> text=Modifier")
    page.fill(".comment:has-text('avant correction') textarea", "Texte publié après correction.")
    page.click(".comment:has-text('avant correction') >> text=Enregistrer")
    page.wait_for_selector("text=Texte publié après correction.")
    wait_until(page, "document.querySelector('#form-status').textContent.includes('modération')")

    readers = [c["html"] for c in requests.get(stack.url + API, timeout=5).json()["comments"]]
    assert "<p>Texte publié avant correction.</p>" in readers and not any("après" in h for h in readers)

    axe_page.goto(stack.url + "/admin/")
    axe_page.fill("#token", stack.token)
    axe_page.click("button[type=submit]")
    axe_page.wait_for_selector("section.edits del")
    assert axe_violations(axe_page) == []
    assert "avant" in axe_page.inner_text("section.edits del") and "après" in axe_page.inner_text("section.edits ins")
    axe_page.click("section.edits .btn-approve")
    axe_page.wait_for_selector(".flash-ok")
    readers = [c["html"] for c in requests.get(stack.url + API, timeout=5).json()["comments"]]
    assert "<p>Texte publié après correction.</p>" in readers
