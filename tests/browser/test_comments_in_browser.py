"""Readers comment in a real browser, with and without JavaScript, against the real `make run` stack."""
from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET

import pytest
import requests

from conftest import with_ts

from .conftest import axe_violations, wait_until

pytestmark = pytest.mark.browser

ATOM = "{http://www.w3.org/2005/Atom}"
FILL = 1.1  # a person takes longer than the stack's BOUCLE_MIN_FILL_SECONDS=1


def fill_and_send(page, author: str, body: str) -> None:
    page.fill("#c-author", author)
    page.fill("#c-body", body)
    time.sleep(1.1)  # a person takes longer than the stack's BOUCLE_MIN_FILL_SECONDS=1
    page.click("#comment-form button[type=submit]")


def test_comment_with_javascript_then_approval_reply_counts_and_feed(stack, page):
    """Post with JS, see the pending notice; once approved it shows live, then in the static page,
    the home page count and the comment feed; a reply lands under it."""
    slug = "marque-employeur-pme"  # newest post: on the first home page
    page.goto(f"{stack.url}/{slug}/")
    wait_until(page, "document.querySelector('#comment-form').elements.ts.value !== ''")
    fill_and_send(page, "Yasmine", "Notre PME a enfin **une page entreprise** complète.")
    page.wait_for_selector("#form-status:not([hidden])")
    assert page.inner_text("#form-status") == "Merci ! Votre commentaire sera publié après modération."

    (first,) = stack.approve_all()
    page.reload()
    page.wait_for_selector(f"#comment-{first}")  # live, fetched from the API before any rebuild
    assert "une page entreprise" in page.inner_text(f"#comment-{first} .comment-body")

    seconds = stack.wait_static(f"{slug}/index.html", f'id="comment-{first}"')
    assert seconds < 60
    page.reload()
    page.click(f"#comment-{first} .reply-link")
    assert page.evaluate("document.querySelector('#comment-form').elements.parent_id.value") == str(first)
    fill_and_send(page, "Omar", "Pareil pour moi, merci Yasmine.")
    page.wait_for_selector("#form-status:not([hidden])")
    (reply,) = stack.approve_all()
    page.reload()
    page.wait_for_selector(f"#comment-{reply}")
    nested = page.evaluate(
        f"document.getElementById('comment-{first}').parentElement.contains(document.getElementById('comment-{reply}'))")
    assert nested

    stack.wait_static("index.html", "2 commentaires")
    page.goto(stack.url + "/")
    assert page.inner_text(f"[data-count-for='{slug}']") == "2 commentaires"

    feed = ET.fromstring(requests.get(f"{stack.url}/feeds/commentaires/{slug}.atom.xml", timeout=5).content)
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert any(link.endswith(f"#comment-{first}") for link in links)
    # The feeds are written after the pages (Pelican's article_writer_finalized): wait for them too.
    stack.wait_static("feeds/commentaires.atom.xml", f"#comment-{reply}")
    site_feed = requests.get(f"{stack.url}/feeds/commentaires.atom.xml", timeout=5).text
    assert f"#comment-{reply}" in site_feed
    assert page.problems == []


def test_a_comment_sent_before_the_form_token_arrives_still_carries_one(stack, page):
    """On a slow network the reader may send before the fill-time token has come: the script waits for it."""
    held = []
    page.route("**/api/form-token", lambda route: held.append(route))  # answered by hand below, late
    page.goto(f"{stack.url}/cv-qui-se-fait-remarquer/")
    page.fill("#c-author", "Rachid")
    page.fill("#c-body", "Envoyé avant que le jeton arrive.")
    page.click("#comment-form button[type=submit]")
    wait_until(page, "document.querySelector('#form-status').textContent !== ''")
    assert held and stack.admin("GET", "/api/admin/comments?q=jeton+arrive")["total"] == 0
    token = with_ts(stack.url, {}, wait=FILL)["ts"]
    for route in held:
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"token": token}))
    wait_until(page, "document.querySelector('#form-status').textContent.startsWith('Merci')")
    assert page.inner_text("#form-status") == "Merci ! Votre commentaire sera publié après modération."
    assert stack.admin("GET", "/api/admin/comments?q=jeton+arrive")["total"] == 1
    assert page.problems == []


def test_comment_without_javascript_shows_the_notice(stack, nojs_page):
    """JavaScript off: the form posts, the reader confirms a preview, and lands on the article's notice."""
    page = nojs_page
    page.goto(f"{stack.url}/preparer-entretien-une-soiree/")
    fill_and_send(page, "Karim", "La méthode STAR m'a **beaucoup** aidé.")
    page.wait_for_selector(".comment-preview")
    assert "<strong>beaucoup</strong>" in page.inner_html(".comment-preview")
    time.sleep(1.1)  # BOUCLE_MIN_FILL_SECONDS in the stack
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/preparer-entretien-une-soiree/#merci$"))
    assert page.is_visible("text=Merci ! Votre commentaire sera publié après modération.")
    assert stack.admin("GET", "/api/admin/comments?status=pending&q=STAR")["total"] == 1


def test_reply_without_javascript(stack, nojs_page):
    """JavaScript off: the reply link opens a form answering that comment."""
    created = requests.post(f"{stack.url}/api/threads/rediger-offre-emploi/comments",
                            json=with_ts(stack.url, {"author": "Salma", "body": "Et pour les offres de stage ?"},
                                         wait=FILL), timeout=5).json()
    stack.approve_all()
    stack.wait_static("rediger-offre-emploi/index.html", f'id="comment-{created["id"]}"')
    page = nojs_page
    page.goto(f"{stack.url}/rediger-offre-emploi/")
    page.click(f"#comment-{created['id']} .reply-link")
    assert "Et pour les offres de stage ?" in page.inner_text("blockquote")
    page.fill("#author", "Équipe RH")
    page.fill("#body", "Les mêmes règles s'appliquent.")
    time.sleep(1.1)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"#merci$"))
    reply = stack.admin("GET", "/api/admin/comments?status=pending&q=mêmes règles")["comments"][0]
    assert reply["parent_id"] == created["id"]


def test_without_moderation_a_form_post_lands_on_the_published_comment(open_stack, nojs_page):
    """Moderation off, JavaScript off: after confirming, the article already shows the comment."""
    page = nojs_page
    page.goto(f"{open_stack.url}/negocier-son-salaire/")
    fill_and_send(page, "Hind", "J'ai obtenu 10 % de plus en suivant ces conseils.")
    page.wait_for_selector(".comment-preview")
    time.sleep(1.1)  # the preview's token is fresh
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/negocier-son-salaire/#comment-\d+$"))
    target = page.url.rsplit("#", 1)[1]
    assert "10 % de plus" in page.inner_text(f"#{target}")


def test_markdown_payload_with_script_stays_inert(stack, page):
    """Scripts, handlers and javascript: links in a comment never run, live or baked."""
    payload = ('<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2"> '
               '[clic](javascript:window.__pwned=3) <svg onload="window.__pwned=4">')
    created = requests.post(f"{stack.url}/api/threads/alertes-emploi-plus-precises/comments",
                            json=with_ts(stack.url, {"author": "<b>Mallory</b>", "body": payload}, wait=FILL),
                            timeout=5).json()
    stack.approve_all()
    page.goto(f"{stack.url}/alertes-emploi-plus-precises/")
    page.wait_for_selector(f"#comment-{created['id']}")
    # The javascript: link is shown as text (the renderer makes no link of it); clicking the text runs nothing.
    assert page.eval_on_selector_all(f"#comment-{created['id']} a[href^='javascript' i]", "els => els.length") == 0
    page.click(f"#comment-{created['id']} .comment-body")
    assert page.evaluate("window.__pwned") is None
    stack.wait_static("alertes-emploi-plus-precises/index.html", f'id="comment-{created["id"]}"')
    page.reload()
    assert page.evaluate("window.__pwned") is None
    assert page.inner_text(f"#comment-{created['id']} .comment-author") == "<b>Mallory</b>"
    assert page.eval_on_selector_all(f"#comment-{created['id']} [onerror], #comment-{created['id']} script, "
                                     f"#comment-{created['id']} img", "els => els.length") == 0


def test_author_edits_own_comment_within_the_window(open_stack, page):
    """The author sees Edit and Delete on their own comment, and the change is saved."""
    page.goto(f"{open_stack.url}/recruter-a-distance/")
    wait_until(page, "document.querySelector('#comment-form').elements.ts.value !== ''")
    time.sleep(1.1)
    fill_and_send(page, "Nadia", "Premier jet avec une fote.")
    page.wait_for_selector(".comment:has-text('Premier jet') >> text=Modifier")
    page.click(".comment:has-text('Premier jet') >> text=Modifier")
    page.fill(".comment:has-text('Premier jet') textarea", "Premier jet sans faute.")
    page.click(".comment:has-text('Premier jet') >> text=Enregistrer")
    page.wait_for_selector("text=Premier jet sans faute.")
    page.once("dialog", lambda d: d.accept())
    page.click(".comment:has-text('sans faute') >> text=Supprimer")
    page.wait_for_selector("text=Premier jet sans faute.", state="detached")


def test_pages_work_under_the_strict_policy(stack, page):
    """Home, article and admin load with the CSP sent by make run and raise no violation."""
    for path in ["/", "/negocier-son-salaire/", "/admin/"]:
        response = page.goto(stack.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(stack.url + "/negocier-son-salaire/")
    wait_until(page, "document.querySelector('#comment-form').elements.ts.value !== ''")
    assert page.problems == []


@pytest.mark.parametrize("path", ["/", "/negocier-son-salaire/", "/en/nouvelle-application-mobile/", "/archives/"])
def test_reader_pages_have_no_serious_accessibility_violation(stack, axe_page, path):
    requests.post(f"{stack.url}/api/threads/negocier-son-salaire/comments",
                  json=with_ts(stack.url, {"author": "Amine", "body": "Un commentaire pour l'audit d'accessibilité."},
                               wait=FILL), timeout=5)
    stack.approve_all()
    axe_page.goto(stack.url + path)
    axe_page.wait_for_load_state("networkidle")
    assert axe_violations(axe_page) == []


def test_admin_pages_have_no_serious_accessibility_violation(stack, axe_page):
    axe_page.goto(stack.url + "/admin/")
    assert axe_violations(axe_page) == []
    axe_page.fill("#token", stack.token)
    axe_page.click("button[type=submit]")
    axe_page.wait_for_selector("nav.tabs")
    assert axe_violations(axe_page) == []
    axe_page.goto(stack.url + "/admin/feedback?label=none")
    axe_page.wait_for_selector("h1")
    assert axe_violations(axe_page) == []
