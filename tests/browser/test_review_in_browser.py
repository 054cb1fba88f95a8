"""A product owner corrects a tag and closes an item with a public reply, in a real browser."""
from __future__ import annotations

import re
import socket
import time

import pytest
import requests
from aiosmtpd.controller import Controller

from conftest import Inbox, with_ts

from .conftest import CHROMIUM, need, start_stack, stop_stack

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def mail_stack(tmp_path_factory):
    need(CHROMIUM, "install Debian's chromium package for the browser tests")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    stack = start_stack(tmp_path_factory.mktemp("review"), BOUCLE_MODERATION="none", BOUCLE_SMTP_HOST="127.0.0.1",
                        BOUCLE_SMTP_PORT=str(port), BOUCLE_SMTP_STARTTLS="0")
    yield stack, inbox
    stop_stack(stack.proc)
    controller.stop()


def test_correct_a_tag_then_close_the_loop(mail_stack, page):
    stack, inbox = mail_stack
    created = requests.post(f"{stack.url}/api/threads/tableau-de-bord-recruteur/comments", timeout=5, json=with_ts(
        stack.url, {"author": "Salma Idrissi", "email": "salma@exemple.ma", "notify": True,
                    "body": "L'export CSV de mes candidatures est vide."}, wait=1.1)).json()
    cid = created["id"]

    page.goto(stack.url + "/admin/")
    page.fill("#who", "Samira")
    page.fill("#token", stack.token)
    page.keyboard.press("Enter")  # keyboard only: the form submits on Enter
    page.wait_for_selector("nav.tabs")
    page.goto(stack.url + "/admin/feedback?label=problem")
    item = page.locator(f"#item-{cid}")
    assert "Problème" in item.locator(".line").inner_text()

    # The product owner thinks it is also a suggestion: the forms wait behind "Détails".
    item.locator("summary").click()
    item.locator("input[name=suggestion]").check()
    item.get_by_role("button", name=re.compile("Corriger")).click()
    page.wait_for_selector("text=étiquettes corrigées")
    assert "Suggestion" in page.locator(f"#item-{cid} .line").inner_text()

    # Done, with a public reply.
    item = page.locator(f"#item-{cid}")
    item.locator("summary").click()
    item.locator("select[name=status]").select_option("done")
    item.locator("textarea[name=reply]").fill("C'est corrigé depuis la version 3.4. Merci Salma !")
    item.get_by_role("button", name=re.compile("Enregistrer")).click()
    page.wait_for_selector("text=Le lecteur sera prévenu par e-mail.")

    # The reply shows on the article, signed by the team (the word once, no badge repeating it), live and then baked.
    page.goto(stack.url + "/tableau-de-bord-recruteur/")
    page.wait_for_selector(".comment-team")
    assert "Équipe" == page.inner_text(".comment-team .comment-author")
    assert 0 == page.locator(".comment-team .badge").count()
    assert "version 3.4" in page.inner_text(".comment-team")
    stack.wait_static("tableau-de-bord-recruteur/index.html", "comment-team")

    # The rebuild also put it on the public page, which the answered comment now links to.
    stack.wait_static("nous-l-avons-fait/index.html", f'id="done-{cid}"')
    stack.wait_static("tableau-de-bord-recruteur/index.html", f"nous-l-avons-fait/#done-{cid}")
    page.goto(stack.url + "/tableau-de-bord-recruteur/")
    page.locator(f"#comment-{cid} .comment-done a").click()
    page.wait_for_url(re.compile(r"/nous-l-avons-fait/#done-\d+$"))
    assert "version 3.4" in page.locator(f"#done-{cid}").inner_text()

    deadline = time.monotonic() + 10
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [m.rcpt_tos for m in inbox.messages] == [["salma@exemple.ma"]]
    assert page.problems == []


def test_log_in_returns_to_the_opened_link(mail_stack, page):
    """A "Revoir" link opened logged out leads, after the log-in, back to that exact URL, anchor included."""
    stack, _ = mail_stack
    target = "/admin/feedback?label=problem&status=new#item-1"
    page.goto(stack.url + target)
    page.fill("#who", "Samira")
    page.fill("#token", stack.token)
    page.keyboard.press("Enter")
    page.wait_for_url(stack.url + target)
    assert page.url == stack.url + target
    assert page.problems == []
