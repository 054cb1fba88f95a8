"""The moderation page /admin/ as moderators use it: titles and links, site times, counts, spam reasons, the edited
mark, a confirmation step before deleting, and bulk actions; and the admin API's `status=all`."""
from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes
from email.policy import default
from zoneinfo import ZoneInfo

import pytest

import comments_store
from conftest import ADMIN_TOKEN, with_ts

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"
TITLE = "Négocier son salaire sans gêne"


@pytest.fixture
def client(app):
    return app.test_client()


def create(client, body="Un avis à modérer", **fields) -> dict:
    response = client.post(URL, json=with_ts(client, {"author": "Samir", "body": body, **fields}))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def logged_in_page(client, query: str = "") -> str:
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(page)})
    return client.get(f"/admin/{query}").get_data(as_text=True)


def status_of(client, admin_headers, comment_id: int) -> str | None:
    response = client.get(f"/api/admin/comments/{comment_id}", headers=admin_headers)
    return response.get_json()["status"] if response.status_code == 200 else None


# --- What each comment shows ----------------------------------------------------------------------------------------

def test_each_comment_names_its_article_by_title_with_a_link_to_it(client, admin_headers):
    """A pending comment links its article's title; once published, the link leads to the comment itself."""
    cid = create(client)["id"]
    page = logged_in_page(client)
    assert f'<a href="http://blog.test/negocier-son-salaire/" dir="auto">{TITLE}</a>' in page
    client.post(f"/admin/comments/{cid}/approve", data={"csrf": csrf_of(page)})
    page = client.get("/admin/?status=approved").get_data(as_text=True)
    assert f'<a href="http://blog.test/negocier-son-salaire/#comment-{cid}" dir="auto">{TITLE}</a>' in page


def test_times_are_shown_in_the_site_time_zone(client, admin_headers):
    """The comment's time reads in the site's time zone (Africa/Casablanca), its UTC value kept for machines."""
    cid = create(client)["id"]
    stored = client.get(f"/api/admin/comments/{cid}", headers=admin_headers).get_json()["created_at"]
    local = dt.datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(ZoneInfo("Africa/Casablanca"))
    page = logged_in_page(client)
    assert f'<time datetime="{stored}">{local:%Y-%m-%d %H:%M}</time>' in page
    assert "Heures du site (Africa/Casablanca)" in page


def test_times_follow_the_configured_time_zone(make_app, admin_headers):
    """With BOUCLE_TIMEZONE set to another zone, the page uses it."""
    client = make_app(timezone="Asia/Tokyo").test_client()
    cid = create(client)["id"]
    stored = client.get(f"/api/admin/comments/{cid}", headers=admin_headers).get_json()["created_at"]
    local = dt.datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Tokyo"))
    assert f'<time datetime="{stored}">{local:%Y-%m-%d %H:%M}</time>' in logged_in_page(client)


@pytest.mark.parametrize("value", ["Mars/Olympus", "../../etc/passwd"])
def test_an_unknown_time_zone_stops_the_service_at_start(value):
    """BOUCLE_TIMEZONE that names no zone is refused with a message naming the variable."""
    from comments_api.config import ConfigError, from_environ

    with pytest.raises(ConfigError, match="BOUCLE_TIMEZONE"):
        from_environ({"BOUCLE_TIMEZONE": value}, ".")


def test_each_tab_shows_its_count(client, admin_headers):
    """Every tab carries how many comments it holds, and "all" their sum."""
    ids = [create(client, f"Avis numéro {n}")["id"] for n in range(4)]
    client.post(f"/api/admin/comments/{ids[0]}/approve", headers=admin_headers)
    client.post(f"/api/admin/comments/{ids[1]}/spam", headers=admin_headers)
    page = logged_in_page(client)
    tabs = dict(re.findall(r'status=(\w+)"[^>]*>[^<]+<span class="n">\((\d+)\)</span>', page))
    assert {"pending": "2", "approved": "1", "rejected": "0", "spam": "1", "all": "4"} == tabs


def test_an_edited_comment_is_marked_edited(client):
    """A comment its author edited carries an "edited" mark with the time of the edit; others do not."""
    created = create(client, "Premier jet")
    create(client, "Jamais retouché")
    client.patch(f"{URL}/{created['id']}", json={"body": "Version corrigée"},
                 headers={"X-Edit-Token": created["edit_token"]})
    page = logged_in_page(client)
    assert 1 == page.count('<span class="edited">modifié <time')
    item = page.split(f'id="c{created["id"]}"', 1)[1].split("</li>", 1)[0]
    assert '<span class="edited">modifié' in item


# --- Why a comment was filed as spam --------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, reason", [
    ({"telephone": "0600000000"}, "champ piège rempli (robot probable)"),
    ({"body": "Offres : http://a.example http://b.example http://c.example http://d.example"}, "trop de liens"),
])
def test_the_spam_tab_says_why_the_filter_filed_it(client, fields, reason):
    """A comment the filters filed as spam shows the filter's reason on the spam tab."""
    create(client, **fields)
    page = logged_in_page(client, "?status=spam")
    assert f'<p class="meta why">Classé indésirable : {reason}</p>' in page


def test_spam_filed_by_a_moderator_says_so_and_the_reason_goes_when_it_leaves_spam(client, admin_headers, db):
    """A moderator's spam is "by a moderator"; back to pending, no reason is kept."""
    cid = create(client)["id"]
    client.post(f"/api/admin/comments/{cid}/spam", headers=admin_headers)
    assert "Classé indésirable : par un modérateur" in logged_in_page(client, "?status=spam")
    client.post(f"/api/admin/comments/{cid}/pending", headers=admin_headers)
    client.post(f"/api/admin/comments/{cid}/spam", headers=admin_headers)
    assert "Classé indésirable : par un modérateur" in client.get("/admin/?status=spam").get_data(as_text=True)


def test_a_filter_reason_stays_when_a_moderator_confirms_spam(app, client, admin_headers):
    """Marking spam again a comment the honeypot caught keeps the honeypot as the reason."""
    cid = create(client, telephone="0600000000")["id"]
    client.post(f"/api/admin/comments/{cid}/spam", headers=admin_headers)
    with app.app_context():
        from comments_api.db import get_db

        assert {cid: "honeypot"} == comments_store.moderation.spam_reasons(get_db(), [cid])


def test_a_spam_comment_without_a_recorded_reason_says_so(app, client):
    """Spam stored before reasons were kept shows "reason not recorded"."""
    cid = create(client)["id"]
    with app.app_context():
        from comments_api.db import get_db

        comments_store.set_status(get_db(), cid, "spam")
        with comments_store.write(get_db()):
            get_db().execute("UPDATE comments SET spam_reason = NULL WHERE id = ?", [cid])
    assert "Classé indésirable : raison non enregistrée" in logged_in_page(client, "?status=spam")


def test_the_spam_reasons_of_no_or_odd_ids_are_empty(db):
    """Asking for no id, or for ids no comment can have, answers an empty mapping."""
    assert {} == comments_store.moderation.spam_reasons(db, [])
    assert {} == comments_store.moderation.spam_reasons(db, [0, -1, 2**70])


# --- Deleting asks first ------------------------------------------------------------------------------------------

def test_delete_leads_to_a_confirmation_page_and_deletes_nothing_yet(client, admin_headers):
    """The delete control is a link to a page naming the comment; following it deletes nothing."""
    cid = create(client, "À supprimer peut-être")["id"]
    page = logged_in_page(client)
    link = re.search(rf'href="(/admin/comments/{cid}/delete[^"]*)"', page).group(1).replace("&amp;", "&")
    confirm = client.get(link)
    text = confirm.get_data(as_text=True)
    assert 200 == confirm.status_code
    assert "Supprimer pour de bon ?" in text and "À supprimer peut-être" in text
    assert 'name="confirmed" value="1"' in text
    assert "pending" == status_of(client, admin_headers, cid)


def test_confirming_deletes_the_comment(client, admin_headers):
    """The confirmation page's form deletes the comment and returns to the list."""
    cid = create(client)["id"]
    logged_in_page(client)
    text = client.get(f"/admin/comments/{cid}/delete?back=/admin/%3Fstatus%3Dall").get_data(as_text=True)
    response = client.post(f"/admin/comments/{cid}/delete",
                           data={"csrf": csrf_of(text), "back": "/admin/?status=all", "confirmed": "1"})
    assert (303, "/admin/?status=all") == (response.status_code, response.headers["Location"])
    assert status_of(client, admin_headers, cid) is None


def test_a_delete_without_confirmation_only_asks(client, admin_headers):
    """A delete posted without the confirmation step is sent to the confirmation page; the comment stays."""
    cid = create(client)["id"]
    page = logged_in_page(client)
    response = client.post(f"/admin/comments/{cid}/delete", data={"csrf": csrf_of(page), "back": "/admin/"})
    assert 303 == response.status_code
    assert response.headers["Location"].startswith(f"/admin/comments/{cid}/delete")
    assert "pending" == status_of(client, admin_headers, cid)


def test_the_confirmation_page_needs_a_session(client):
    """Logged out, the confirmation page sends to the log-in page and shows no comment."""
    cid = create(client, "Texte privé")["id"]
    response = client.get(f"/admin/comments/{cid}/delete")
    assert (303, "/admin/") == (response.status_code, response.headers["Location"])


def test_the_confirmation_page_of_a_missing_comment_says_so(client):
    """Asking to delete a comment that does not exist returns to the list with a message."""
    logged_in_page(client)
    response = client.get("/admin/comments/999/delete", follow_redirects=True)
    assert "n&#39;existe pas" in response.get_data(as_text=True)


def test_the_confirmation_page_never_sends_back_off_the_admin(client):
    """A `back` address outside /admin/ is replaced by the list."""
    cid = create(client)["id"]
    logged_in_page(client)
    text = client.get(f"/admin/comments/{cid}/delete?back=//evil.example/admin/").get_data(as_text=True)
    assert "evil.example" not in text


# --- Bulk actions -------------------------------------------------------------------------------------------------

def bulk(client, page: str, action: str, ids, **extra):
    return client.post("/admin/comments/bulk", data={"csrf": csrf_of(page), "back": "/admin/?status=all",
                                                     "action": action, "ids": [str(i) for i in ids], **extra})


@pytest.mark.parametrize("action, status", [("approve", "approved"), ("spam", "spam"), ("reject", "rejected")])
def test_bulk_action_moves_the_ticked_comments_only(client, admin_headers, action, status):
    """The ticked comments get the action; the others are left as they were."""
    ids = [create(client, f"Avis numéro {n}")["id"] for n in range(3)]
    page = logged_in_page(client)
    assert 3 == page.count('name="ids"') and 'form="bulk"' in page
    response = bulk(client, page, action, ids[:2])
    assert (303, "/admin/?status=all") == (response.status_code, response.headers["Location"])
    assert [status, status, "pending"] == [status_of(client, admin_headers, i) for i in ids]
    assert "2 commentaire(s)" in client.get("/admin/").get_data(as_text=True)


def test_bulk_delete_asks_then_deletes(client, admin_headers):
    """Deleting ticked comments first shows them on a confirmation page; confirming deletes them."""
    ids = [create(client, f"Avis numéro {n}")["id"] for n in range(3)]
    page = logged_in_page(client)
    asked = bulk(client, page, "delete", ids[:2])
    text = asked.get_data(as_text=True)
    assert 200 == asked.status_code and "Supprimer pour de bon ?" in text
    assert ["pending"] * 3 == [status_of(client, admin_headers, i) for i in ids]
    bulk(client, text, "delete", ids[:2], confirmed="1")
    assert [None, None, "pending"] == [status_of(client, admin_headers, i) for i in ids]


def test_bulk_without_csrf_changes_nothing(client, admin_headers):
    """A bulk action without the page's CSRF token is refused and changes nothing."""
    cid = create(client)["id"]
    logged_in_page(client)
    client.post("/admin/comments/bulk", data={"csrf": "faux", "action": "approve", "ids": [str(cid)]})
    assert "pending" == status_of(client, admin_headers, cid)


def test_bulk_when_logged_out_is_forbidden(client, admin_headers):
    """Without a session the bulk action answers 403."""
    cid = create(client)["id"]
    assert 403 == client.post("/admin/comments/bulk", data={"csrf": "x", "action": "approve",
                                                            "ids": [str(cid)]}).status_code
    assert "pending" == status_of(client, admin_headers, cid)


def test_bulk_with_an_unknown_action_is_refused(client, admin_headers):
    """An action that is not one of the page's is a 400 and changes nothing."""
    cid = create(client)["id"]
    page = logged_in_page(client)
    assert 400 == bulk(client, page, "publier", [cid]).status_code
    assert "pending" == status_of(client, admin_headers, cid)


def test_bulk_with_nothing_ticked_says_so(client):
    """Applying an action with no comment ticked changes nothing and says why."""
    page = logged_in_page(client)
    response = bulk(client, page, "approve", ["abc", "0"])
    assert 303 == response.status_code
    assert "Aucun commentaire coché." in client.get("/admin/").get_data(as_text=True)


def test_bulk_counts_the_comments_it_did_not_find(client, admin_headers):
    """Ids of comments gone meanwhile are counted apart; the others are moderated."""
    cid = create(client)["id"]
    page = logged_in_page(client)
    bulk(client, page, "approve", [cid, 999])
    text = client.get("/admin/").get_data(as_text=True)
    assert "1 commentaire(s) : Publiés." in text and "1 commentaire(s) introuvable(s)." in text
    assert "approved" == status_of(client, admin_headers, cid)


# --- The admin API's "all", and the moderator's e-mail -------------------------------------------------------------

def test_admin_api_accepts_status_all_as_the_page_does(client, admin_headers):
    """`status=all` lists every comment, whatever its status, as the page's "all" tab."""
    ids = [create(client, f"Avis numéro {n}")["id"] for n in range(2)]
    client.post(f"/api/admin/comments/{ids[0]}/spam", headers=admin_headers)
    listed = client.get("/api/admin/comments?status=all", headers=admin_headers)
    assert 200 == listed.status_code
    assert (2, sorted(ids)) == (listed.get_json()["total"], sorted(c["id"] for c in listed.get_json()["comments"]))


def test_admin_api_still_refuses_an_unknown_status(client, admin_headers):
    """Any other status word is a 400 naming the field."""
    response = client.get("/api/admin/comments?status=tous", headers=admin_headers)
    assert (400, "status") == (response.status_code, response.get_json()["error"]["field"])


def test_the_moderator_mail_names_the_article_by_title_and_links_its_address(make_app, smtp, db):
    """The subject names the article's title (not its slug); the mail links the article's own URL and the comment."""
    inbox, port = smtp
    client = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                      moderator_emails=["modo@atlas.example"]).test_client()
    with client.application.app_context():
        from comments_api.db import get_db

        comments_store.register_threads(get_db(), [{"slug": "new-mobile-app", "title": "Our new app: « Atlas »",
                                                    "url": "/en/new-mobile-app/", "lang": "en"}])
    response = client.post("/api/threads/new-mobile-app/comments",
                           json=with_ts(client, {"author": "Samir", "body": "Where is it?"}))
    assert 201 == response.status_code
    assert inbox.wait(1)
    message = message_from_bytes(inbox.messages[0].content, policy=default)
    assert "[Blog] Commentaire à modérer sur « Our new app: « Atlas » »" == message["Subject"]
    text = message.get_content()
    assert "http://blog.test/en/new-mobile-app/" in text
    assert f"http://blog.test/admin/?status=pending#c{response.get_json()['id']}" in text
