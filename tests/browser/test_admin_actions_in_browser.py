"""The moderation page in a real browser against the real `make run` stack: the spam tab says why, bulk actions
work without JavaScript, deleting goes through a confirmation page; no serious or critical axe-core finding."""
from __future__ import annotations

import pytest
import requests

from conftest import with_ts

from .conftest import axe_violations

pytestmark = pytest.mark.browser

API = "/api/threads/recruter-a-distance/comments"


def post(stack, **fields) -> int:
    response = requests.post(stack.url + API, json=with_ts(stack.url, {"author": "Nadia", **fields}, wait=1.1),
                             timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_spam_reason_bulk_approval_and_confirmed_delete(stack, axe_page):
    spam = post(stack, body="Gagnez gros", telephone="0600000000")
    first, second = post(stack, body="Premier avis du lot"), post(stack, body="Second avis du lot")
    page = axe_page
    page.goto(stack.url + "/admin/")
    page.fill("#token", stack.token)
    page.click("button[type=submit]")

    page.goto(stack.url + "/admin/?status=spam")
    assert "champ piège rempli" in page.inner_text(f"#c{spam}")
    assert axe_violations(page) == []

    page.goto(stack.url + "/admin/?status=pending")
    page.check(f"#pick{first}")
    page.check(f"#pick{second}")
    page.select_option("#bulk-action", "approve")
    page.click("#bulk button[type=submit]")
    page.wait_for_selector(".flash-ok")
    assert "2 commentaire(s)" in page.inner_text(".flash-ok")
    assert {first, second} <= {c["id"] for c in stack.admin("GET", "/api/admin/comments?status=approved")["comments"]}
    assert axe_violations(page) == []

    page.goto(stack.url + "/admin/?status=approved")
    page.click(f"#c{first} a.btn-delete")
    page.wait_for_selector("text=Supprimer pour de bon ?")
    assert axe_violations(page) == []
    assert first in {c["id"] for c in stack.admin("GET", "/api/admin/comments?status=all")["comments"]}
    page.click("button.btn-delete")
    page.wait_for_selector(".flash-ok")
    assert first not in {c["id"] for c in stack.admin("GET", "/api/admin/comments?status=all")["comments"]}
