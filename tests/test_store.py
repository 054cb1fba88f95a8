"""The comment store: the one owner of threads and comments."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import comments_store as store
from comments_store import NewComment

pytestmark = pytest.mark.both_databases


def new(body="Un commentaire utile.", **kw) -> NewComment:
    kw.setdefault("author", "Nadia")
    return NewComment(body=body, **kw)


def test_new_comment_waits_for_moderation_by_default(db):
    """With moderation 'all', a new comment is pending and not listed publicly."""
    comment, token = store.add_comment(db, "negocier-son-salaire", new())
    assert comment.status == "pending" and token
    assert store.list_approved(db, "negocier-son-salaire") == []


def test_approved_comments_are_listed_oldest_first(db):
    """Approved comments come back in the order they were written."""
    ids = [store.add_comment(db, "negocier-son-salaire", new(f"Commentaire {i}"))[0].id for i in range(3)]
    for i in reversed(ids):
        store.set_status(db, i, "approved")
    assert [c.id for c in store.list_approved(db, "negocier-son-salaire")] == ids


def test_comments_only_attach_to_registered_articles(db):
    """A slug the build never registered has no thread."""
    with pytest.raises(store.ThreadNotFound):
        store.add_comment(db, "page-inventee", new())


def test_edit_secret_is_stored_hashed(db):
    """The edit secret handed to the reader is not what the database holds."""
    comment, token = store.add_comment(db, "negocier-son-salaire", new())
    stored = db.execute("SELECT edit_token_hash FROM comments WHERE id = ?", [comment.id]).fetchone()[0]
    assert token not in stored and len(stored) == 64


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"author": ""}, "author_required", "author"),
        ({"author": "   "}, "author_required", "author"),
        ({"author": "x" * 81}, "author_too_long", "author"),
        ({"body": "a"}, "body_too_short", "body"),
        ({"body": "   a   "}, "body_too_short", "body"),
        ({"body": "a" * 5001}, "body_too_long", "body"),
        ({"email": "pas-une-adresse"}, "email_invalid", "email"),
        ({"email": "a@" + "b" * 250 + ".ma"}, "email_too_long", "email"),
        ({"website": "javascript:alert(1)"}, "website_invalid", "website"),
        ({"website": "ftp://exemple.ma"}, "website_invalid", "website"),
        ({"website": "http://localhost"}, "website_invalid", "website"),
        ({"author": 42}, "wrong_type", "author"),
        ({"body": ["liste"]}, "wrong_type", "body"),
        ({"parent_id": -3}, "parent_invalid", "parent_id"),
        ({"parent_id": 999}, "parent_not_found", "parent_id"),
    ],
)
def test_invalid_comments_are_refused_with_the_field_named(db, fields, code, field):
    """Each broken rule raises InvalidComment naming the rule and the field; nothing is stored."""
    values = {"author": "Nadia", "body": "Un commentaire utile.", **fields}
    with pytest.raises(store.InvalidComment) as exc:
        store.add_comment(db, "negocier-son-salaire", NewComment(**values))
    assert (exc.value.code, exc.value.field) == (code, field)
    assert db.execute("SELECT count(*) FROM comments").fetchone()[0] == 0


def test_limits_are_inclusive(db):
    """A 2-character body, an 80-character name and a 5,000-character body are accepted."""
    store.add_comment(db, "negocier-son-salaire", new("ok", author="x" * 80))
    store.add_comment(db, "negocier-son-salaire", new("b" * 5000))


def test_website_without_scheme_gets_https(db):
    """'exemple.ma' is stored as 'https://exemple.ma'."""
    comment, _ = store.add_comment(db, "negocier-son-salaire", new(website="exemple.ma"))
    assert comment.website == "https://exemple.ma"


def test_control_characters_are_removed(db):
    """Control characters never reach the database; newlines stay."""
    comment, _ = store.add_comment(db, "negocier-son-salaire", new("Bon\x00jour\x1b\nà tous"))
    assert comment.body == "Bonjour\nà tous"


def test_replies_follow_their_parent_up_to_the_depth_limit(db):
    """Replies to published comments are accepted up to max_depth levels."""
    limits = store.Limits(max_depth=2)
    top, _ = store.add_comment(db, "negocier-son-salaire", new("Premier niveau"))
    store.set_status(db, top.id, "approved")
    reply, _ = store.add_comment(db, "negocier-son-salaire", new("Deuxième niveau", parent_id=top.id), limits=limits)
    store.set_status(db, reply.id, "approved")
    assert reply.parent_id == top.id
    with pytest.raises(store.InvalidComment) as exc:
        store.add_comment(db, "negocier-son-salaire", new("Troisième niveau", parent_id=reply.id), limits=limits)
    assert exc.value.code == "reply_too_deep"


def test_reply_to_a_comment_of_another_article_is_refused(db):
    """A parent must belong to the same article."""
    other, _ = store.add_comment(db, "recruter-a-distance", new())
    store.set_status(db, other.id, "approved")
    with pytest.raises(store.InvalidComment) as exc:
        store.add_comment(db, "negocier-son-salaire", new(parent_id=other.id))
    assert exc.value.code == "parent_not_found"


def test_reply_to_a_pending_comment_is_refused(db):
    """Readers can only reply to comments they can see."""
    hidden, _ = store.add_comment(db, "negocier-son-salaire", new())
    with pytest.raises(store.InvalidComment):
        store.add_comment(db, "negocier-son-salaire", new("Réponse", parent_id=hidden.id))


def test_same_text_twice_is_a_duplicate(db):
    """The same text on the same article within the window is refused, whatever the case and spacing."""
    store.add_comment(db, "negocier-son-salaire", new("Très bon article"))
    with pytest.raises(store.DuplicateComment):
        store.add_comment(db, "negocier-son-salaire", new("très   BON article", author="Autre"))
    store.add_comment(db, "recruter-a-distance", new("Très bon article"))  # another article is fine


@pytest.mark.parametrize(
    ("mode", "expected"), [("all", "pending"), ("none", "approved"), ("first", "pending")]
)
def test_moderation_modes_for_a_newcomer(db, mode, expected):
    """all holds everything, none holds nothing, first holds a new e-mail's first comment."""
    comment, _ = store.add_comment(db, "negocier-son-salaire", new(email="nouvelle@exemple.ma"), moderation=mode)
    assert comment.status == expected


def test_first_mode_does_not_trust_an_approved_address_without_proof(db):
    """In 'first' mode, an address with an approved comment proves nothing: typed again, in any case, it waits."""
    first, _ = store.add_comment(db, "negocier-son-salaire", new(email="Amal@exemple.ma"), moderation="first")
    store.set_status(db, first.id, "approved")
    statuses = [store.add_comment(db, "negocier-son-salaire", new(f"Et encore une remarque {i}", email=email),
                                  moderation="first")[0].status
                for i, email in enumerate(["Amal@exemple.ma", "amal@exemple.ma", "AMAL@EXEMPLE.MA"])]
    assert ["pending"] * 3 == statuses


def test_first_mode_trusts_a_proven_address_only_with_its_proof(db):
    """Once the owner opened the link, a comment carrying the proof publishes at once, whatever the letter case."""
    key = store.proven.invite(db, "Amal@exemple.ma")
    assert store.proven.prove(db, key)
    other = store.proven.address_hash(db, "autre@exemple.ma")

    def status(body, email, proof):
        return store.add_comment(db, "negocier-son-salaire", new(body, email=email), moderation="first",
                                 proof=proof)[0].status

    assert "approved" == status("Avec la preuve", "amal@EXEMPLE.ma", key)
    assert "pending" == status("Sans la preuve", "amal@exemple.ma", None)
    assert "pending" == status("La preuve d'une autre adresse", "amal@exemple.ma", other)
    assert "pending" == status("Preuve sans adresse", None, key)
    assert "pending" == store.add_comment(db, "negocier-son-salaire", new("En mode all", email="amal@exemple.ma"),
                                          proof=key)[0].status


def test_an_invited_address_is_not_trusted_before_the_link_is_opened(db):
    """An invitation alone proves nothing; an unknown hash cannot be proven."""
    key = store.proven.invite(db, "lina@exemple.ma")
    comment, _ = store.add_comment(db, "negocier-son-salaire", new(email="lina@exemple.ma"), moderation="first",
                                   proof=key)
    assert ("pending", False) == (comment.status, store.proven.prove(db, "0" * 64))


def test_invitations_are_not_repeated_within_a_week(db):
    """A second approval the same week sends no second link; a proven address gets none either."""
    assert store.proven.invite(db, "lina@exemple.ma") is not None
    assert store.proven.invite(db, "LINA@exemple.ma") is None


def test_erasure_forgets_the_proven_address(db):
    """After erasure, the address's proof row is gone and its cookie no longer publishes anything."""
    key = store.proven.invite(db, "amal@exemple.ma")
    store.proven.prove(db, key)
    first, _ = store.add_comment(db, "negocier-son-salaire", new(email="amal@exemple.ma"), moderation="first",
                                 proof=key)
    store.erase_person(db, "AMAL@exemple.ma")
    rows = db.execute("SELECT count(*) FROM proven_addresses").fetchone()[0]
    again, _ = store.add_comment(db, "negocier-son-salaire", new("Encore", email="amal@exemple.ma"),
                                 moderation="first", proof=key)
    assert ("approved", 0, "pending") == (first.status, rows, again.status)


def test_spam_flag_wins_over_moderation(db):
    """A comment flagged as spam is stored as spam even with moderation off."""
    comment, _ = store.add_comment(db, "negocier-son-salaire", new(), moderation="none", spam=True)
    assert comment.status == "spam"


WINDOW = dt.timedelta(minutes=15)


def test_owner_can_edit_a_pending_comment_within_the_window(db):
    """With the secret, the author changes a comment not yet published; the HTML follows; nothing waits apart."""
    comment, token = store.add_comment(db, "negocier-son-salaire", new())
    outcome = store.edit_own(db, "negocier-son-salaire", comment.id, token, "Texte **corrigé**", window=WINDOW)
    edited = outcome.comment
    assert edited.body == "Texte **corrigé**" and "<strong>corrigé</strong>" in edited.html
    assert (edited.edited_at is not None, edited.status, outcome.waiting) == (True, "pending", None)


def test_edit_is_published_at_once_when_moderation_is_off(db):
    """Moderation 'none': the edit replaces the published text at once."""
    comment, token = store.add_comment(db, "negocier-son-salaire", new(), moderation="none")
    outcome = store.edit_own(db, "negocier-son-salaire", comment.id, token, "Autre texte", window=WINDOW,
                             moderation="none")
    shown = [c.body for c in store.list_approved(db, "negocier-son-salaire")]
    assert ("approved", None, ["Autre texte"]) == (outcome.comment.status, outcome.waiting, shown)


def published(db):
    """A published comment and its edit secret."""
    comment, token = store.add_comment(db, "negocier-son-salaire", new("Le texte publié d'origine."))
    store.set_status(db, comment.id, "approved")
    return comment, token


def edit(db, comment, token, body, mode="all"):
    return store.edit_own(db, "negocier-son-salaire", comment.id, token, body, window=WINDOW, moderation=mode)


@pytest.mark.parametrize("mode", ["all", "first"])
def test_edit_of_a_published_comment_waits_apart(db, mode):
    """The published text stays in the API and the static build; the edit waits with its difference."""
    comment, token = published(db)
    outcome = edit(db, comment, token, "Le texte publié <b>corrigé</b>.", mode)
    api = [(c.body, c.status) for c in store.list_approved(db, "negocier-son-salaire")]
    build = [c.body for c in store.approved_by_thread(db)["negocier-son-salaire"]]
    waiting = store.pending_edit(db, comment.id)
    assert [("Le texte publié d'origine.", "approved")] == api
    assert ["Le texte publié d'origine."] == build
    assert (outcome.comment.body, outcome.waiting) == ("Le texte publié d'origine.", waiting)
    assert [("equal", "Le texte publié "), ("delete", "d'origine."), ("insert", "<b>corrigé</b>.")] == waiting.diff()
    assert "&lt;b&gt;" in waiting.html and ([waiting], 1) == store.pending_edits(db)


def test_approving_an_edit_publishes_exactly_that_version(db):
    """Approval names the version read; the API and the build then show it."""
    comment, token = published(db)
    waiting = edit(db, comment, token, "Version relue par la modération.").waiting
    approved = store.approve_edit(db, comment.id, waiting.id)
    shown = [c.body for c in store.list_approved(db, "negocier-son-salaire")]
    assert ("Version relue par la modération.", ["Version relue par la modération."]) == (approved.body, shown)
    assert (None, ([], 0)) == (store.pending_edit(db, comment.id), store.pending_edits(db))
    assert approved.edited_at is not None and approved.status == "approved"


def test_an_edit_made_while_the_moderator_reads_is_not_published_unseen(db):
    """A second edit replaces the waiting one; approving the version read is then refused and publishes nothing."""
    comment, token = published(db)
    seen = edit(db, comment, token, "Première correction, lue.").waiting
    later = edit(db, comment, token, "Seconde correction, jamais lue.").waiting
    with pytest.raises(store.EditChanged):
        store.approve_edit(db, comment.id, seen.id)
    with pytest.raises(store.EditChanged):
        store.reject_edit(db, comment.id, seen.id)
    assert later.id != seen.id and [later] == store.pending_edits(db)[0]
    assert "Le texte publié d'origine." == store.get_comment(db, comment.id).body


def test_rejecting_an_edit_keeps_the_published_text(db):
    """Rejected, the edit is dropped; the published text stays; a new edit gets a new version id."""
    comment, token = published(db)
    first = edit(db, comment, token, "Correction refusée.").waiting
    kept = store.reject_edit(db, comment.id, first.id)
    second = edit(db, comment, token, "Autre correction.").waiting
    assert ("Le texte publié d'origine.", True) == (kept.body, second.id > first.id)


def test_editing_back_to_the_published_text_leaves_nothing_waiting(db):
    comment, token = published(db)
    edit(db, comment, token, "Une correction.")
    outcome = edit(db, comment, token, "Le texte publié d'origine.")
    assert (None, None) == (outcome.waiting, store.pending_edit(db, comment.id))


@pytest.mark.parametrize("remove", ["delete_own", "delete_comment", "erase_person", "delete_with_replies"])
def test_deletion_and_erasure_remove_the_waiting_edit(db, remove):
    """No edit text outlives the comment, its deletion by a moderator, or the reader's erasure."""
    comment, token = store.add_comment(db, "negocier-son-salaire", new(email="nadia@exemple.ma"))
    store.set_status(db, comment.id, "approved")
    edit(db, comment, token, "Texte secret en attente.")
    if remove == "delete_own":
        store.delete_own(db, "negocier-son-salaire", comment.id, token, window=WINDOW)
    elif remove == "delete_comment":
        store.delete_comment(db, comment.id)
    elif remove == "erase_person":
        store.erase_person(db, "NADIA@exemple.ma")
    else:
        store.add_comment(db, "negocier-son-salaire", new("Une réponse", parent_id=comment.id))
        store.delete_comment(db, comment.id)
    assert 0 == db.execute("SELECT count(*) FROM comment_edits").fetchone()[0]


@pytest.mark.parametrize("token", ["", "mauvais-secret"])
def test_wrong_secret_cannot_edit_or_delete(db, token):
    comment, _ = store.add_comment(db, "negocier-son-salaire", new())
    with pytest.raises(store.EditNotAllowed):
        store.edit_own(db, "negocier-son-salaire", comment.id, token, "Autre texte", window=WINDOW)
    with pytest.raises(store.EditNotAllowed):
        store.delete_own(db, "negocier-son-salaire", comment.id, token, window=WINDOW)
    assert store.get_comment(db, comment.id).body == "Un commentaire utile."


def test_edit_window_closes(db):
    """After the window, even the right secret is refused."""
    comment, token = store.add_comment(db, "negocier-son-salaire", new())
    with pytest.raises(store.EditNotAllowed) as exc:
        store.edit_own(db, "negocier-son-salaire", comment.id, token, "Trop tard", window=dt.timedelta(0))
    assert exc.value.code == "edit_window_closed"


def test_owner_can_delete(db):
    comment, token = store.add_comment(db, "negocier-son-salaire", new())
    store.delete_own(db, "negocier-son-salaire", comment.id, token, window=WINDOW)
    with pytest.raises(store.CommentNotFound):
        store.get_comment(db, comment.id)


def test_deleting_a_comment_with_replies_leaves_an_anonymous_placeholder(db):
    """Replies keep their place; the deleted comment loses its author, text and e-mail."""
    top, _ = store.add_comment(db, "negocier-son-salaire", new(email="a@exemple.ma"))
    store.set_status(db, top.id, "approved")
    reply, _ = store.add_comment(db, "negocier-son-salaire", new("Une réponse", parent_id=top.id))
    store.set_status(db, reply.id, "approved")
    store.delete_comment(db, top.id)
    placeholder = store.get_comment(db, top.id)
    assert (placeholder.deleted, placeholder.author, placeholder.body, placeholder.email) == (True, "", "", None)
    assert store.counts(db, ["negocier-son-salaire"]) == {"negocier-son-salaire": 1}


def test_counts_cover_unknown_slugs(db):
    comment, _ = store.add_comment(db, "negocier-son-salaire", new())
    store.set_status(db, comment.id, "approved")
    assert store.counts(db, ["negocier-son-salaire", "recruter-a-distance", "inconnu"]) == {
        "negocier-son-salaire": 1, "recruter-a-distance": 0, "inconnu": 0}


def test_search_by_text_author_thread_and_status(db):
    store.add_comment(db, "negocier-son-salaire", new("Le salaire net au Maroc", author="Youssef"))
    store.add_comment(db, "recruter-a-distance", new("La visio coupe souvent", author="Imane"))
    assert [c.author for c in store.search(db, text="visio")[0]] == ["Imane"]
    assert [c.author for c in store.search(db, author="yous")[0]] == ["Youssef"]
    assert store.search(db, thread="negocier-son-salaire")[1] == 1
    assert store.search(db, status="approved")[1] == 0
    assert store.search(db, text="100%_")[1] == 0  # LIKE wildcards are literal


def test_unknown_status_is_refused(db):
    comment, _ = store.add_comment(db, "negocier-son-salaire", new())
    with pytest.raises(store.InvalidComment):
        store.set_status(db, comment.id, "publie")


def test_registering_threads_is_idempotent(db):
    """Building twice keeps one thread per slug and updates titles."""
    store.register_threads(db, [{"slug": "negocier-son-salaire", "title": "Nouveau titre", "url": "/n/", "lang": "fr"}])
    threads = {t.slug: t for t in store.list_threads(db)}
    assert len(threads) == 2 and threads["negocier-son-salaire"].title == "Nouveau titre"


def test_migrations_are_recorded_and_not_reapplied(tmp_path):
    path = tmp_path / "m.db"
    store.open_db(path).close()
    db = store.open_db(path)
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = 'comments_store'")]
    assert names[0] == "0001_threads_and_comments" and len(names) == len(set(names))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=2, max_size=300)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(body=text, author=st.text(min_size=1, max_size=80))
def test_what_is_stored_is_what_is_read_back(db, body, author):
    """Round trip: any accepted comment reads back as the store cleaned it, once."""
    try:
        comment, _ = store.add_comment(db, "negocier-son-salaire", NewComment(author=author, body=body))
    except (store.InvalidComment, store.DuplicateComment):
        return
    again = store.get_comment(db, comment.id)
    assert again == comment
    assert again.body.strip() == again.body and "\x00" not in again.body


def test_markdown_is_rendered_before_the_write_lock_is_taken(db, monkeypatch):
    """A comment's Markdown is rendered outside its write transaction: other writers do not wait for it."""
    from comments_store import comments

    during_transaction = []

    def render(body):
        during_transaction.append(db.conn.in_transaction)
        return store.render(body)

    monkeypatch.setattr(comments, "render", render)
    comment, _ = store.add_comment(db, "negocier-son-salaire", new("Du **gras**."), moderation="none")
    assert [False] == during_transaction
    assert "<p>Du <strong>gras</strong>.</p>" == comment.html
