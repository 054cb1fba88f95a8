"""A reader who erases their data leaves no name, address or text behind: not in the outbox, not in digests."""
from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import comments_store
from conftest import ADMIN_TOKEN
from feedback import Week
from feedback import cli as feedback_cli
from feedback import store as feedback_store

pytestmark = pytest.mark.both_databases

URL = "/api/threads/negocier-son-salaire/comments"
ORIGIN = {"Origin": "http://blog.test"}
TZ = "Africa/Casablanca"
NAME, EMAIL, TEXT = "Zoubida Quatremare", "zoubida.q@exemple.ma", "Le filtre XYZZY-4242 ne marche pas du tout"
OTHER_NAME, OTHER_EMAIL, OTHER_TEXT = "Karim Autrelecteur", "karim@exemple.ma", "La carte PLUGH-77 ne charge pas"
FIRST_DRAFT = "Premier jet FROBOZZ-9 du texte, corrigé ensuite par la lectrice"
SECRETS = [NAME.split()[0], NAME.split()[1], EMAIL, "XYZZY-4242", "FROBOZZ-9"]


def post(client, author, email, body, notify=False, edited_to=None):
    ts = client.get("/api/form-token").get_json()["token"]
    response = client.post(URL, json={"author": author, "email": email, "body": body, "notify": notify, "ts": ts})
    assert response.status_code == 201
    created = response.get_json()
    if edited_to:  # the first version was stored, then replaced: it must not survive in free space either
        edited = client.patch(f"{URL}/{created['id']}", json={"body": edited_to},
                              headers={"X-Edit-Token": created["edit_token"]})
        assert edited.status_code == 200, edited.get_json()
    return created["id"]


def link(inbox, pattern: str) -> str:
    for envelope in reversed(inbox.messages):
        found = re.search(pattern, message_from_bytes(envelope.content, policy=default).get_body(("plain",))
                          .get_content())
        if found:
            return found.group(1)
    raise AssertionError(f"no e-mail with {pattern}")


@pytest.fixture
def world(make_app, smtp, tmp_path, monkeypatch):
    """Two readers whose comments went everywhere: moderator mails, a team reply mail, a digest (files and mail)."""
    inbox, port = smtp
    digests = tmp_path / "digests"
    app = make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_retry_seconds=0.1,
                   moderator_emails=["modo@atlas.example"], digest_dir=str(digests))
    client = app.test_client()
    mine = post(client, NAME, EMAIL, FIRST_DRAFT, notify=True, edited_to=TEXT)
    other = post(client, OTHER_NAME, OTHER_EMAIL, OTHER_TEXT)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    for cid in (mine, other):
        assert client.post(f"/api/admin/comments/{cid}/approve", headers=admin).status_code == 200
    db = feedback_store.prepare(comments_store.open_db(app.config["DB_PATH"]))
    from feedback import tagging
    from feedback.classify import Classifier

    tagging.tag_comments(db, Classifier.load())
    with app.test_request_context():
        from comments_api import loop

        reply = comments_store.add_team_reply(db, mine, "Corrigé, merci !")
        loop.tell_reader(comments_store.get_comment(db, mine), "Négocier son salaire", "/negocier-son-salaire/", reply)
    assert inbox.wait(3)
    week = Week.containing(dt.datetime.now(ZoneInfo(TZ)).date())
    location = getattr(db, "url", None) or app.config["DB_PATH"]
    for key, value in {"BOUCLE_SMTP_HOST": "127.0.0.1", "BOUCLE_SMTP_PORT": str(port), "BOUCLE_SMTP_STARTTLS": "0",
                       "BOUCLE_DIGEST_TO": "po@atlas.example", "BOUCLE_TIMEZONE": TZ}.items():
        monkeypatch.setenv(key, value)
    assert feedback_cli.main(["digest", "--week", str(week), "--db", location, "--out", str(digests), "--email",
                              "--no-tag"]) == 0
    assert inbox.wait(4)
    assert any(TEXT in p.read_text(encoding="utf-8") for p in digests.iterdir())
    yield app, client, db, inbox, digests, week
    db.close()


def erase(client, inbox) -> None:
    from conftest import wait_for

    assert client.post("/api/privacy", data={"email": EMAIL.upper()}, headers=ORIGIN).status_code == 200

    def arrived(m) -> bool:
        return [r.lower() for r in m.rcpt_tos] == [EMAIL] and "/api/privacy/erase" in message_from_bytes(
            m.content, policy=default).get_body(("plain",)).get_content()

    assert wait_for(lambda: any(arrived(m) for m in list(inbox.messages)))
    erase_link = link(inbox, r"(/api/privacy/erase\?token=\S+)")
    token = re.search(r'name="token" value="([^"]+)"', client.get(erase_link).get_data(as_text=True)).group(1)
    assert client.post("/api/privacy/erase", data={"token": token}, headers=ORIGIN).status_code == 200


def table_text(db, table: str) -> str:
    return "\n".join(repr(row) for row in db.execute(f"SELECT * FROM {table}").fetchall())


def test_erasure_removes_every_mail_to_or_about_the_reader_sent_or_not(world):
    """Outbox rows quoting the reader (moderator mail, team reply, privacy links, digest) are gone; others stay."""
    app, client, db, inbox, _, _ = world
    erase(client, inbox)
    for table in ("outbox", "outbox_about", "reader_links", "reader_requests", "comments"):
        text = table_text(db, table).lower()
        assert [] == [s for s in SECRETS if s.lower() in text], table
    assert OTHER_TEXT in table_text(db, "outbox")  # the other reader's moderator mail stays
    assert 0 == db.execute("SELECT count(*) FROM reader_links").fetchone()[0]


def test_erasure_rewrites_the_digests_already_written(world):
    """The week's digest files are rewritten without the reader; the other reader and the counts stay."""
    app, client, db, inbox, digests, week = world
    erase(client, inbox)
    for path in digests.iterdir():
        data = path.read_bytes()
        assert [] == [s for s in SECRETS if s.encode() in data], path.name
    assert OTHER_TEXT in (digests / f"{week}.md").read_text(encoding="utf-8")


def test_nothing_erased_is_left_in_the_sqlite_file(world, backend):
    """A byte search of the whole database file (and its log) finds neither the name, the address nor the text."""
    if backend != "sqlite":
        pytest.skip("a file-level check: PostgreSQL's tables are checked by the test above")
    app, client, db, inbox, _, _ = world
    erase(client, inbox)
    path = Path(app.config["DB_PATH"])
    blobs = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    assert [] == [s for s in SECRETS if s.encode() in blobs]
    assert OTHER_TEXT.encode() in blobs


def test_an_erasure_link_cannot_be_used_twice(world):
    """The erasure link is withdrawn with the rest of the reader's links."""
    app, client, db, inbox, _, _ = world
    before = len(inbox.messages)
    client.post("/api/privacy", data={"email": EMAIL}, headers=ORIGIN)
    assert inbox.wait(before + 1)
    erase_link = link(inbox, r"(/api/privacy/erase\?token=\S+)")
    export_link = link(inbox, r"(/api/privacy/export\?token=\S+)")
    token = re.search(r'name="token" value="([^"]+)"', client.get(erase_link).get_data(as_text=True)).group(1)
    assert client.post("/api/privacy/erase", data={"token": token}, headers=ORIGIN).status_code == 200
    assert 400 == client.post("/api/privacy/erase", data={"token": token}, headers=ORIGIN).status_code
    assert 400 == client.get(export_link).status_code


def test_mails_queued_before_this_version_are_found_by_what_they_quote(world):
    """Rows without a record of whom they concern are found by recipient, address or quoted text; others stay."""
    from comments_store import outbox

    app, client, db, inbox, _, _ = world
    db.execute("DELETE FROM outbox_about")
    db.execute("UPDATE outbox SET reader = NULL")
    legacy = outbox.enqueue(db, ["modo@atlas.example"], f"[Blog] Commentaire à modérer de {NAME}",
                            f"{NAME} a écrit sur http://blog.test/negocier-son-salaire/ :\n\n{TEXT}\n")
    other = outbox.enqueue(db, ["modo@atlas.example"], "[Blog] Commentaire à modérer",
                           f"{OTHER_NAME} a écrit sur http://blog.test/negocier-son-salaire/ :\n\n{OTHER_TEXT}\n")
    erase(client, inbox)
    ids = {r[0] for r in db.execute("SELECT id FROM outbox").fetchall()}
    assert legacy not in ids and other in ids
    text = table_text(db, "outbox").lower()
    assert [] == [s for s in SECRETS if s.lower() in text]
