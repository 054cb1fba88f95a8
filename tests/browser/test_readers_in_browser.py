"""Readers in a real browser: the reply-notification opt-in (with and without JavaScript), share links, and each
comment shown in its own language, against the real `make run` stack and a real SMTP server."""
from __future__ import annotations

import re
import time
from email import message_from_bytes
from email.policy import default
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import comments_store
from conftest import Inbox, with_ts

from .conftest import CHROMIUM, axe_violations, free_port, need, start_stack, stop_stack, wait_until

pytestmark = pytest.mark.browser

FILL = 1.1  # a person takes longer than the stack's BOUCLE_MIN_FILL_SECONDS=1


@pytest.fixture(scope="module")
def inbox():
    """A real SMTP server (aiosmtpd) for the whole module."""
    from aiosmtpd.controller import Controller

    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def mail_stack(tmp_path_factory, inbox):
    """`invoke run` with moderation on, mailing through the module's SMTP server."""
    need(CHROMIUM, "install Debian's chromium package for the browser tests")
    s = start_stack(tmp_path_factory.mktemp("readers"), BOUCLE_SMTP_HOST="127.0.0.1",
                    BOUCLE_SMTP_PORT=str(inbox.port), BOUCLE_SMTP_STARTTLS="0")
    yield s
    stop_stack(s.proc)


def published_comment(stack, slug: str, body: str, **fields) -> int:
    created = requests.post(f"{stack.url}/api/threads/{slug}/comments",
                            json=with_ts(stack.url, {"author": "Sam", "body": body, **fields}, wait=FILL), timeout=10)
    assert 201 == created.status_code, created.text
    stack.approve_all()
    return created.json()["id"]


def reply_mails(inbox, address: str):
    found = []
    for envelope in inbox.messages:
        message = message_from_bytes(envelope.content, policy=default)
        if [address] == [r.lower() for r in envelope.rcpt_tos] and message["Subject"].startswith("Nouvelle réponse"):
            found.append(message)
    return found


def test_the_opt_in_with_javascript_brings_the_reply_mail(mail_stack, inbox, page):
    """With JavaScript, ticking the box subscribes: the published reply comes by e-mail with a link to it."""
    slug = "alertes-emploi-plus-precises"
    page.goto(f"{mail_stack.url}/{slug}/")
    wait_until(page, "document.querySelector('#comment-form').elements.ts.value !== ''")
    page.fill("#c-author", "Nadia")
    page.fill("#c-email", "nadia.js@exemple.ma")
    page.fill("#c-body", "Peut-on filtrer les alertes par salaire ?")
    page.check("input[name=notify_replies]")
    time.sleep(FILL)
    page.click("#comment-form button[type=submit]")
    wait_until(page, "document.querySelector('#form-status').textContent.startsWith('Merci')")
    (mine,) = mail_stack.approve_all()
    reply = published_comment(mail_stack, slug, "Oui, depuis la dernière version.", parent_id=mine)
    assert inbox.wait(1, seconds=30) and wait_for_mail(inbox, "nadia.js@exemple.ma")
    text = reply_mails(inbox, "nadia.js@exemple.ma")[0].get_content()
    assert f"{mail_stack.url}/{slug}/#comment-{reply}" in text
    assert page.problems == []


def wait_for_mail(inbox, address: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reply_mails(inbox, address):
            return True
        time.sleep(0.1)
    return False


def test_the_opt_in_without_javascript_brings_the_reply_mail(mail_stack, inbox, nojs_page):
    """JavaScript off: the box is on the form and on the preview page, ticked; the reply comes by e-mail."""
    slug = "rediger-offre-emploi"
    page = nojs_page
    page.goto(f"{mail_stack.url}/{slug}/")
    page.fill("#c-author", "Karim")
    page.fill("#c-email", "karim.nojs@exemple.ma")
    page.fill("#c-body", "Faut-il indiquer le salaire dans l'offre ?")
    page.check("input[name=notify_replies]")
    time.sleep(FILL)
    page.click("#comment-form button[type=submit]")
    page.wait_for_selector(".comment-preview")
    assert page.is_checked("input[name=notify_replies]")
    time.sleep(FILL)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"#merci$"))
    (mine,) = mail_stack.approve_all()
    reply = published_comment(mail_stack, slug, "Oui, les candidats le demandent.", parent_id=mine)
    assert wait_for_mail(inbox, "karim.nojs@exemple.ma")
    assert f"#comment-{reply}" in reply_mails(inbox, "karim.nojs@exemple.ma")[0].get_content()


def test_share_links_and_copy(mail_stack, page):
    """Under the article, the share links point at each network with the page's address; "copy link" copies it."""
    slug = "negocier-son-salaire"
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=mail_stack.url)
    page.goto(f"{mail_stack.url}/{slug}/")
    hrefs = page.eval_on_selector_all(".share a", "links => links.map(a => a.href)")
    assert 6 == len(hrefs)
    linkedin = parse_qs(urlsplit(hrefs[0]).query)["url"][0]
    assert linkedin == hrefs[-1] and linkedin.endswith(f"/{slug}/")
    page.click(".share-copy")
    wait_until(page, "document.querySelector('.share-copy').textContent === 'Lien copié'")
    assert hrefs[-1] == page.evaluate("navigator.clipboard.readText()")
    assert page.url.endswith(f"/{slug}/")  # the click copied instead of following the link
    assert page.problems == []


def test_copy_link_without_javascript_is_a_plain_link(mail_stack, nojs_page):
    """JavaScript off, "copy link" is the page's address as a link and as text."""
    nojs_page.goto(f"{mail_stack.url}/negocier-son-salaire/")
    href = nojs_page.get_attribute(".share-copy", "href")
    assert href.endswith("/negocier-son-salaire/") and href == nojs_page.inner_text(".share-url")


def test_a_live_comment_has_its_own_lang_and_dir(mail_stack, page):
    """A comment fetched by the script (published after the build) carries its own lang and dir."""
    slug = "premier-emploi-sans-experience"
    page.goto(f"{mail_stack.url}/{slug}/")  # the page as built: the comment below is not in it
    wait_until(page, "document.querySelector('#comment-form').elements.ts.value !== ''")
    arabic = published_comment(mail_stack, slug, "شكرا جزيلا على هذه النصائح المفيدة للباحثين عن عمل")
    page.reload()
    page.wait_for_selector(f"#comment-{arabic}")
    assert ["ar", "rtl"] == page.evaluate(f"[document.getElementById('comment-{arabic}').lang, "
                                          f"document.getElementById('comment-{arabic}').dir]")


def test_a_live_team_reply_names_the_team_once(mail_stack, page):
    """Shown by the script (published after the build), a team reply signed "Équipe" says the word once, without
    a badge repeating it; one signed by a person of the team keeps the badge, as the baked page does."""
    slug = "premier-emploi-sans-experience"
    built = requests.get(f"{mail_stack.url}/{slug}/", timeout=10).text  # before the replies: the script adds them
    question = published_comment(mail_stack, slug, "Faut-il un CV d'une seule page ?")
    db = comments_store.open_db(str(mail_stack.output.parent / "instance" / "boucle.db"))
    team = comments_store.add_team_reply(db, question, "Oui, une page suffit au début.")
    person = comments_store.add_team_reply(db, question, "Et une lettre courte.", author="Samia")
    db.close()
    # The page as it was built, whatever the rebuild has baked since: what the script shows is what is tested.
    page.route(f"{mail_stack.url}/{slug}/", lambda route: route.fulfill(
        status=200, content_type="text/html; charset=utf-8", body=built))
    page.goto(f"{mail_stack.url}/{slug}/")
    page.wait_for_selector(f"#comment-{person.id}")
    assert "Équipe" == page.inner_text(f"#comment-{team.id} .comment-meta .comment-author")
    assert 0 == page.locator(f"#comment-{team.id} .badge").count()
    assert "Samia Équipe" == " ".join(page.inner_text(f"#comment-{person.id} .comment-meta").split()[:2])


def test_the_article_with_share_links_has_no_serious_accessibility_violation(mail_stack, axe_page):
    """The share section and the new box keep the article free of serious or critical axe-core findings."""
    axe_page.goto(mail_stack.url + "/negocier-son-salaire/")
    axe_page.wait_for_load_state("networkidle")
    assert [] == axe_violations(axe_page)
