"""Themes group similar problems and suggestions across weeks and languages; people rename, merge, split and move."""
from __future__ import annotations

import datetime as dt
import html
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import comments_store
from comments_store.clock import to_iso
from feedback import store, themes
from feedback.weeks import Week

pytestmark = pytest.mark.both_databases

TZ = "Africa/Casablanca"
W = Week.parse("2026-W47")

CV_FR = ["Le téléversement du CV échoue à chaque fois", "Impossible de téléverser mon CV, l'envoi du CV échoue",
         "Le CV ne se téléverse pas, ça échoue encore"]
CV_EN = ["CV upload fails every time I try", "The CV upload failed again"]
DARK = ["Ajoutez un mode sombre pour lire le soir", "Un mode sombre serait agréable le soir",
        "Please add a dark mode for the evening"]
FILTER = ["Il faudrait un filtre par ville dans la recherche", "Un filtre par ville manque dans la recherche d'offres"]


def at(day: dt.date, hour: int) -> str:
    return to_iso(dt.datetime.combine(day, dt.time(hour), ZoneInfo(TZ)))


@pytest.fixture
def fdb(db):
    global _hour
    _hour = iter(range(10_000))  # each test's comments get the same times whatever ran before it
    database = store.prepare(db)
    comments_store.register_threads(database, [
        {"slug": "cv-qui-se-fait-remarquer", "title": "Un CV qui se fait remarquer", "url": "/cv/", "lang": "fr"}])
    return database


_hour = iter(range(10_000))


def add(db, body: str, labels=("problem",), week: Week = W, email: str | None = None, notify=False) -> int:
    """An approved problem or suggestion in `week`, tagged by a person (tests do not depend on the model)."""
    n = next(_hour)
    comments_store.import_comments(db, [{"slug": "cv-qui-se-fait-remarquer", "author": f"Lecteur{n}", "body": body,
                                         "created_at": at(week.monday + dt.timedelta(days=n % 7), 8 + n % 12),
                                         "email": email, "notify": notify}])
    cid = db.execute("SELECT max(id) FROM comments").fetchone()[0]
    from feedback.classify import Classifier

    store.save_auto(db, [(cid, "", Classifier.load().classify(body))], "test")
    store.set_human_labels(db, cid, list(labels), author="test")
    return cid


def placement(db) -> dict[int, int]:
    return store.theme_members(db)


def test_similar_french_and_english_texts_share_a_theme_and_others_do_not(fdb):
    """CV upload complaints in French and English fall in one theme, dark-mode wishes in another."""
    cv = [add(fdb, t) for t in CV_FR + CV_EN]
    dark = [add(fdb, t, ["suggestion"]) for t in DARK]
    themes.update(fdb)
    placed = placement(fdb)
    assert {placed.get(c) for c in cv} == {placed[cv[0]]}
    assert {placed.get(c) for c in dark} == {placed[dark[0]]}
    assert placed[cv[0]] != placed[dark[0]]


def test_an_auto_theme_is_named_by_its_characteristic_words(fdb):
    """A proposed theme's name holds the words its items share, such as « CV »."""
    for t in CV_FR:
        add(fdb, t)
    themes.update(fdb)
    [theme] = themes.all_themes(fdb)
    assert theme["named_by"] == "auto" and theme["count"] == 3
    assert "cv" in theme["name"].lower()


def test_a_lone_item_proposes_no_theme(fdb):
    """One item alike no other waits, unthemed, for company."""
    lone = add(fdb, "Le logo est trop petit sur la page d'accueil")
    themes.update(fdb)
    assert lone not in placement(fdb) and themes.all_themes(fdb) == []


def test_themes_live_across_weeks_and_new_items_join_them(fdb):
    """Next week's CV complaint joins last week's theme instead of starting a new one."""
    first = [add(fdb, t, week=W.shift(-1)) for t in CV_FR]
    themes.update(fdb)
    [before] = themes.all_themes(fdb)
    later = add(fdb, "Encore un échec au téléversement du CV", week=W)
    report = themes.update(fdb)
    assert report.joined == 1 and report.new_themes == []
    assert placement(fdb)[later] == placement(fdb)[first[0]] == before["id"]


def test_same_data_same_themes_and_names(fdb):
    """Clearing the placements and running again gives the same groups and the same names."""
    for t in CV_FR + CV_EN + DARK + FILTER:
        add(fdb, t)
    themes.update(fdb)
    first = (sorted(t["name"] for t in themes.all_themes(fdb)), sorted(placement(fdb).items()))
    fdb.execute("DELETE FROM feedback_theme_items")
    fdb.execute("DELETE FROM feedback_themes")
    themes.update(fdb)
    ids = {t["id"]: t["name"] for t in themes.all_themes(fdb)}
    assert sorted(ids.values()) == first[0]
    assert len(placement(fdb)) == len(first[1])


# Complaints drawn from a few overlapping words: many pairs sit near the joining threshold, where a placement that
# does not settle leaves an item that the next run, with nothing new, joins to a theme the first one made.
_WORDS = ("téléversement CV échoue profil photo alerte offre ville filtre recherche connexion mot de passe "
          "application plante lente page blanche candidature envoi courriel salaire").split()


def overlapping_complaints(db, n: int, seed: int) -> None:
    import random

    from feedback.classify import Classifier

    pick = random.Random(seed)
    texts = [" ".join(pick.sample(_WORDS, pick.randint(3, 4))) for _ in range(n)]
    start = dt.datetime.combine(W.monday, dt.time(8), ZoneInfo(TZ))
    comments_store.import_comments(db, [
        {"slug": "cv-qui-se-fait-remarquer", "author": f"Lecteur{i}", "body": text,
         "created_at": to_iso(start + dt.timedelta(hours=i))} for i, text in enumerate(texts)])
    ids = [r[0] for r in db.execute("SELECT id FROM comments ORDER BY id")]
    store.save_auto(db, [(cid, "", Classifier.load().classify(t)) for cid, t in zip(ids, texts, strict=True)], "test")
    for cid in ids:
        store.set_human_labels(db, cid, ["problem"], author="test")


def test_a_second_placement_with_nothing_new_places_nothing(fdb):
    """Placement settles in one run: run again on the same data, nothing joins and no theme is proposed."""
    overlapping_complaints(fdb, 60, seed=2)
    first = themes.update(fdb)
    assert first.placed_in_new > 0 and first.joined > 0  # the item a single pass would leave over joined
    before = sorted(placement(fdb).items())
    again = themes.update(fdb)
    assert (again.joined, again.new_themes, again.placed_in_new) == (0, [], 0)
    assert before == sorted(placement(fdb).items())


def test_an_items_vector_does_not_depend_on_what_is_placed():
    """Document frequencies come from the texts counted, not from the others vectorised beside them."""
    counted = CV_FR + DARK + FILTER
    alone = themes.Vectoriser(counted, documents=len(counted))
    beside = themes.Vectoriser(counted + CV_EN, documents=len(counted))
    assert [alone.vector(i) for i in range(len(counted))] == [beside.vector(i) for i in range(len(counted))]
    assert beside.vector(len(counted)) == themes.Vectoriser(counted + CV_EN[:1], documents=len(counted)).vector(
        len(counted))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aAeéÉèçœ’`´«»-_ 1Z\u00a0\u202f\t\nİΣß\u0301ﬁ①™ لا'"), max_size=60))
def test_words_and_grams_are_the_same_whichever_way_the_text_is_cut(text):
    """Plain ASCII skips the Unicode folding and texts are read chunk by chunk: the same words and grams as folding
    the whole text."""
    import itertools
    import re

    from comments_store.language import fold

    folded = [w for w in map(themes._content, re.findall(r"[a-z0-9]+", fold(text))) if w]
    assert folded == themes.words(text)
    grams = [themes._GRAM[g] for g in themes._text_grams(text)]
    assert grams == list(itertools.chain.from_iterable(map(themes._grams, themes.words(text[:themes.TEXT_CHARS]))))


def test_a_renamed_theme_keeps_its_name_when_items_join(fdb):
    """After a person renames a theme, growing it does not rename it."""
    for t in CV_FR:
        add(fdb, t, week=W.shift(-1))
    themes.update(fdb)
    [theme] = themes.all_themes(fdb)
    themes.rename(fdb, theme["id"], "Envoi du CV")
    add(fdb, "Le téléversement de mon CV échoue toujours")
    themes.update(fdb)
    [after] = themes.all_themes(fdb)
    assert (after["name"], after["named_by"], after["count"]) == ("Envoi du CV", "human", 4)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_theme_name_must_be_short_text(fdb, name):
    """An empty or over-long name is refused."""
    for t in CV_FR:
        add(fdb, t)
    themes.update(fdb)
    with pytest.raises(store.BadThemeName):
        themes.rename(fdb, themes.all_themes(fdb)[0]["id"], name)


def test_renaming_an_unknown_theme_is_refused(fdb):
    """A theme id that does not exist is an UnknownTheme."""
    with pytest.raises(store.UnknownTheme):
        themes.rename(fdb, 999, "Rien")


def test_merging_two_themes_keeps_the_first_and_all_items(fdb):
    """Merging moves every item into the kept theme and removes the other."""
    cv = [add(fdb, t) for t in CV_FR]
    dark = [add(fdb, t, ["suggestion"]) for t in DARK]
    themes.update(fdb)
    keep, other = placement(fdb)[cv[0]], placement(fdb)[dark[0]]
    themes.merge(fdb, keep, other)
    assert {placement(fdb)[c] for c in cv + dark} == {keep}
    assert [t["id"] for t in themes.all_themes(fdb)] == [keep]
    with pytest.raises(store.BadThemeChange):
        themes.merge(fdb, keep, keep)
    with pytest.raises(store.UnknownTheme):
        themes.merge(fdb, keep, other)


def test_splitting_moves_the_chosen_items_to_a_new_theme_for_good(fdb):
    """Split items go to a new theme and the automatic step never moves them back."""
    cv = [add(fdb, t) for t in CV_FR + CV_EN]
    themes.update(fdb)
    old = placement(fdb)[cv[0]]
    new = themes.split(fdb, old, cv[3:], "CV upload (English)")
    assert [placement(fdb)[c] for c in cv] == [old, old, old, new, new]
    add(fdb, "Mon CV échoue au téléversement")
    themes.update(fdb)
    assert [placement(fdb)[c] for c in cv[3:]] == [new, new]


@pytest.mark.parametrize("choice", ["none", "outside", "everything"])
def test_a_split_must_choose_some_but_not_all_items_of_the_theme(fdb, choice):
    """Splitting nothing, items of another theme or every item is refused."""
    cv = [add(fdb, t) for t in CV_FR]
    dark = [add(fdb, t, ["suggestion"]) for t in DARK]
    themes.update(fdb)
    chosen = {"none": [], "outside": [dark[0]], "everything": cv}[choice]
    with pytest.raises(store.BadThemeChange):
        themes.split(fdb, placement(fdb)[cv[0]], chosen, "Autre")


def test_a_moved_item_stays_where_a_person_put_it(fdb):
    """An item moved by hand keeps its theme through later automatic runs."""
    cv = [add(fdb, t) for t in CV_FR]
    dark = [add(fdb, t, ["suggestion"]) for t in DARK]
    themes.update(fdb)
    dark_theme = placement(fdb)[dark[0]]
    themes.move(fdb, cv[0], dark_theme)
    add(fdb, "Le téléversement du CV échoue toujours")
    themes.update(fdb)
    assert placement(fdb)[cv[0]] == dark_theme
    assert fdb.execute("SELECT source FROM feedback_theme_items WHERE comment_id = ?", [cv[0]]).fetchone()[0] == "human"


def test_moving_refuses_a_comment_that_is_not_feedback_and_an_unknown_theme(fdb):
    """Only problems and suggestions go into themes, and only into existing ones."""
    cv = [add(fdb, t) for t in CV_FR]
    thanks = add(fdb, "Merci pour cet article", labels=[])
    themes.update(fdb)
    theme_id = placement(fdb)[cv[0]]
    with pytest.raises(store.BadThemeChange):
        themes.move(fdb, thanks, theme_id)
    with pytest.raises(store.UnknownTheme):
        themes.move(fdb, cv[0], theme_id + 100)
    with pytest.raises(comments_store.CommentNotFound):
        themes.move(fdb, 99_999, theme_id)


def test_theme_names_and_all_themes_for_other_pages(fdb):
    """theme_names maps comment ids to (theme id, name); all_themes counts the items."""
    cv = [add(fdb, t) for t in CV_FR]
    lone = add(fdb, "Le logo est trop petit sur la page d'accueil")
    themes.update(fdb)
    [theme] = themes.all_themes(fdb)
    assert themes.theme_names(fdb, cv + [lone]) == {c: (theme["id"], theme["name"]) for c in cv}
    assert theme["count"] == 3


def test_marking_duplicates_groups_them_under_one_canonical_item(fdb):
    """Duplicates point at the group's first item, even when marked through another duplicate."""
    a, b, c = (add(fdb, t) for t in CV_FR)
    assert store.mark_duplicate(fdb, b, a, author="po") == a
    assert store.mark_duplicate(fdb, c, b, author="po") == a
    assert store.duplicate_group(fdb, c) == [a, b, c]
    store.mark_duplicate(fdb, a, b, author="po")  # the leader becomes a duplicate of a member: that member leads
    assert store.duplicate_group(fdb, a) == [b, a, c]


@pytest.mark.parametrize("case", ["itself", "not feedback", "missing"])
def test_bad_duplicates_are_refused(fdb, case):
    """An item cannot duplicate itself, a comment that is not feedback, or a missing comment."""
    a = add(fdb, CV_FR[0])
    other = {"itself": a, "not feedback": add(fdb, "Merci !", labels=[]), "missing": 99_999}[case]
    error = comments_store.CommentNotFound if case == "missing" else store.BadDuplicate
    with pytest.raises(error):
        store.mark_duplicate(fdb, a, other, author="po")


@pytest.fixture
def loop_app(make_app, smtp):
    _, port = smtp
    return make_app(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, moderation="none")


def post(client, body: str, email: str | None, notify: bool, slug="negocier-son-salaire") -> int:
    from conftest import with_ts

    payload = {"author": "Nadia Benali", "body": body, "notify": notify, **({"email": email} if email else {})}
    response = client.post(f"/api/threads/{slug}/comments", json=with_ts(client, payload))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def as_problems(app, ids: list[int]) -> None:
    import feedback
    from comments_api.db import get_db

    with app.app_context():
        db = store.prepare(get_db())
        feedback.tag_new_comments(db)
        for cid in ids:
            store.set_human_labels(db, cid, ["problem"], author="test")


def test_closing_a_group_of_duplicates_answers_every_reader_once(loop_app, smtp):
    """One reply closes the group: every item done, each opted-in reader one e-mail, however many items are theirs."""
    from comments_api import loop
    from comments_api.db import get_db

    inbox, _ = smtp
    client = loop_app.test_client()
    ids = [post(client, "Le téléversement du CV échoue", "nadia@exemple.ma", True),
           post(client, "Mon CV ne se téléverse pas", "omar@exemple.ma", True),
           post(client, "Le CV échoue au téléversement, encore", "NADIA@exemple.ma", True, "recruter-a-distance"),
           post(client, "Impossible de téléverser le CV", "sara@exemple.ma", False),
           post(client, "CV upload fails", None, False)]
    as_problems(loop_app, ids)
    with loop_app.app_context():
        db = store.prepare(get_db())
        for cid in ids[1:]:
            store.mark_duplicate(db, cid, ids[0], author="po")
        closed = loop.close_group(db, ids[3], "Corrigé dans la version 3.5, merci à tous !", author="po")
        assert (closed.items, closed.replies, closed.emails, closed.mail_off) == (ids, 2, 2, False)
        assert [store.status_of(db, cid)[0] for cid in ids] == ["done"] * 5
    assert inbox.wait(2)
    time.sleep(0.5)  # a third e-mail, if any, would have had time to arrive
    assert sorted(m.rcpt_tos[0].lower() for m in inbox.messages) == ["nadia@exemple.ma", "omar@exemple.ma"]
    replies = [c for slug in ("negocier-son-salaire", "recruter-a-distance")
               for c in client.get(f"/api/threads/{slug}/comments").get_json()["comments"] if c.get("team")]
    assert sorted(r["parent_id"] for r in replies) == [ids[0], ids[2]]
    with loop_app.app_context():  # closing it again (reopened, a late duplicate) tells nobody twice
        db = store.prepare(get_db())
        for cid in ids:
            store.set_status(db, cid, "planned", author="po")
        assert loop.close_group(db, ids[0], "Encore mieux.", author="po").emails == 0
    time.sleep(0.5)
    assert len(inbox.messages) == 2


@pytest.mark.parametrize("case", ["wontfix", "short reply"])
def test_closing_a_group_is_refused_as_a_whole(loop_app, smtp, case):
    """A declined item, or a reply too short, stops the closing before anything changes."""
    from comments_api import loop
    from comments_api.db import get_db

    inbox, _ = smtp
    client = loop_app.test_client()
    ids = [post(client, "Le téléversement du CV échoue", "nadia@exemple.ma", True),
           post(client, "Mon CV ne se téléverse pas", "omar@exemple.ma", True)]
    as_problems(loop_app, ids)
    with loop_app.app_context():
        db = store.prepare(get_db())
        store.mark_duplicate(db, ids[1], ids[0], author="po")
        if case == "wontfix":
            store.set_status(db, ids[1], "wontfix", author="po")
        with pytest.raises(store.BadTransition if case == "wontfix" else comments_store.InvalidComment):
            loop.close_group(db, ids[0], "Corrigé, merci !" if case == "wontfix" else "x", author="po")
        assert store.status_of(db, ids[0])[0] == "new"
    assert [c for c in client.get("/api/threads/negocier-son-salaire/comments").get_json()["comments"]
            if c.get("team")] == []
    time.sleep(0.3)
    assert inbox.messages == []


def csrf_of(page: str) -> str:
    import re

    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def logged_in(client) -> str:
    """Log in as a moderator; returns the CSRF token."""
    from conftest import ADMIN_TOKEN

    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/login", data={"token": ADMIN_TOKEN, "csrf": csrf_of(page), "who": "Samira"})
    return csrf_of(client.get("/admin/themes").get_data(as_text=True))


@pytest.fixture
def themed(loop_app):
    """An app whose database holds two themes: CV upload (French and English) and dark mode."""
    client = loop_app.test_client()
    cv = [post(client, t, None, False) for t in CV_FR + CV_EN]
    dark = [post(client, t, None, False, "recruter-a-distance") for t in DARK]
    as_problems(loop_app, cv + dark)
    from comments_api.db import get_db

    with loop_app.app_context():
        db = store.prepare(get_db())
        themes.update(db)
        placed = store.theme_members(db)
    return client, cv, dark, placed[cv[0]], placed[dark[0]]


def test_themes_page_needs_the_moderator_login(loop_app):
    """Without the log-in, the page sends to the log-in form and refuses changes."""
    client = loop_app.test_client()
    response = client.get("/admin/themes")
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    assert client.post("/admin/themes/1/rename", data={"name": "x"}).status_code == 303


def test_themes_page_shows_counts_trend_articles_statuses_and_excerpts(themed):
    """Each theme shows its count, this week's items, its trend, its articles, status mix and excerpts."""
    client, cv, dark, cv_theme, _ = themed
    logged_in(client)
    page = client.get("/admin/themes").get_data(as_text=True)
    block = page.split(f'id="theme-{cv_theme}"', 1)[1].split('</article>', 1)[0]
    assert "5 élément(s) · 5 cette semaine" in block and "0 → 0 → 0 → 5 ↑" in block
    assert "Négocier son salaire sans gêne (5)" in block and "nouveau 5" in block
    assert block.count("<blockquote") == 3
    english = client.get("/admin/themes", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Feedback themes" in english and "5 this week" in english


def test_forms_rename_merge_split_and_move(themed):
    """The page's forms rename, merge, split and move, as the product owner asks."""
    from comments_api.db import get_db

    client, cv, dark, cv_theme, dark_theme = themed
    csrf = logged_in(client)
    assert client.post(f"/admin/themes/{cv_theme}/rename", data={"csrf": csrf, "name": "Envoi du CV"}).status_code == 303
    client.post(f"/admin/themes/{cv_theme}/split", data={"csrf": csrf, "item": [str(c) for c in cv[3:]],
                                                           "name": "CV upload"})
    client.post(f"/admin/themes/items/{cv[0]}/move", data={"csrf": csrf, "theme": str(dark_theme)})
    app = client.application
    with app.app_context():
        db = store.prepare(get_db())
        names = {t["name"]: t["count"] for t in themes.all_themes(db)}
        placed = store.theme_members(db)
        assert names["Envoi du CV"] == 2 and names["CV upload"] == 2 and placed[cv[0]] == dark_theme
        new_theme = placed[cv[3]]
    client.post(f"/admin/themes/{cv_theme}/merge", data={"csrf": csrf, "other": str(new_theme)})
    with app.app_context():
        assert {t["name"]: t["count"] for t in themes.all_themes(store.prepare(get_db()))}["Envoi du CV"] == 4
    page = client.get("/admin/themes").get_data(as_text=True)
    assert "Thèmes fusionnés." in page


def test_the_themes_page_speaks_english_to_a_browser_that_asks_for_it(themed):
    """With Accept-Language: en the themes page and the message after a rename are in English; else French."""
    client, cv, _, cv_theme, _ = themed
    csrf = logged_in(client)
    english = {"Accept-Language": "en"}
    client.post(f"/admin/themes/{cv_theme}/rename", data={"csrf": csrf, "name": "Envoi du CV"}, headers=english)
    page = html.unescape(client.get("/admin/themes", headers=english).get_data(as_text=True))
    assert '<html lang="en">' in page and "Theme renamed." in page and "<h1>Feedback themes</h1>" in page
    assert "Articles: Négocier son salaire sans gêne (5)" in page and f">no. {cv[0]}</a>" in page
    client.post(f"/admin/themes/{cv_theme}/rename", data={"csrf": csrf, "name": " "}, headers=english)
    client.post(f"/admin/themes/{cv_theme}/split", data={"csrf": csrf}, headers=english)
    refused = html.unescape(client.get("/admin/themes", headers=english).get_data(as_text=True))
    assert "Refused: a theme's name is 1 to 80 characters long" in refused
    assert "Refused: tick some of the theme's items, but not all of them" in refused
    client.post(f"/admin/themes/{cv_theme}/rename", data={"csrf": csrf, "name": "Le CV"})
    french = html.unescape(client.get("/admin/themes").get_data(as_text=True))
    assert '<html lang="fr">' in french and "Thème renommé." in french and "Articles : Négocier" in french
    assert f">n°{cv[0]}</a>" in french


@pytest.mark.parametrize(("path", "data", "message"), [
    ("rename", {"name": ""}, "Refusé"),
    ("merge", {"other": "abc"}, "Ce thème n'existe plus."),
    ("split", {}, "Refusé"),
])
def test_bad_theme_forms_are_refused_with_a_message(themed, path, data, message):
    """An empty name, an unknown theme or an empty split changes nothing and says why."""
    client, _, _, cv_theme, _ = themed
    csrf = logged_in(client)
    response = client.post(f"/admin/themes/{cv_theme}/{path}", data={"csrf": csrf, **data})
    assert response.status_code == 303
    assert message in html.unescape(client.get("/admin/themes").get_data(as_text=True))


def test_theme_forms_need_the_csrf_token(themed):
    """A change without the form's token is refused."""
    client, _, _, cv_theme, _ = themed
    logged_in(client)
    assert client.post(f"/admin/themes/{cv_theme}/rename", data={"name": "x"}).status_code == 400


def test_marking_duplicates_and_closing_the_group_from_the_page(loop_app, smtp):
    """Duplicates marked on the page are closed together: one reply, one e-mail per reader."""
    inbox, _ = smtp
    client = loop_app.test_client()
    ids = [post(client, "Le téléversement du CV échoue", "nadia@exemple.ma", True),
           post(client, "Mon CV ne se téléverse pas", "omar@exemple.ma", True),
           post(client, "Le CV échoue au téléversement, encore", "nadia@exemple.ma", True)]
    as_problems(loop_app, ids)
    csrf = logged_in(client)
    for cid in ids[1:]:
        client.post(f"/admin/themes/items/{cid}/duplicate", data={"csrf": csrf, "of": str(ids[0])})
    client.post(f"/admin/themes/items/{ids[0]}/duplicate", data={"csrf": csrf, "of": str(ids[0])})
    assert "Refusé" in client.get("/admin/themes").get_data(as_text=True)
    client.post(f"/admin/themes/items/{ids[0]}/close", data={"csrf": csrf, "reply": "Corrigé, merci à tous !"})
    page = client.get("/admin/themes").get_data(as_text=True)
    assert "3 élément(s) faits, 1 réponse(s) publiée(s), 2 lecteur(s) prévenu(s) par e-mail." in page
    assert inbox.wait(2)
    time.sleep(0.5)
    assert sorted(m.rcpt_tos[0] for m in inbox.messages) == ["nadia@exemple.ma", "omar@exemple.ma"]


def test_tagging_places_new_problems_in_themes(fdb):
    """`python -m feedback tag` tags new comments and puts the new problems in their theme."""
    import os
    import subprocess
    import sys

    from conftest import ROOT, location_of

    for n, body in enumerate(["L'appli plante quand je postule à une offre", "L'appli plante dès que je postule",
                              "Encore une fois l'appli plante quand je postule"]):
        comments_store.import_comments(fdb, [{"slug": "cv-qui-se-fait-remarquer", "author": f"Lecteur{n}",
                                              "body": body, "created_at": at(W.monday, 9 + n)}])
    result = subprocess.run([sys.executable, "-m", "feedback", "tag", "--db", location_of(fdb)], capture_output=True,
                            text=True, cwd=ROOT, env=dict(os.environ), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "1 nouveau(x) thème(s)" in result.stdout
    [theme] = themes.all_themes(fdb)
    assert theme["count"] == 3 and "appli" in theme["name"].lower()


def test_placing_up_to_a_moment_replays_history_as_daily_tagging_lived_it(fdb):
    """With `until`, only the items created before it are placed; the next run places the rest where they belong."""
    first = [add(fdb, t, week=W.shift(-1)) for t in CV_FR]
    later = add(fdb, "Encore un échec au téléversement du CV", week=W)
    report = themes.update(fdb, until=W.bounds(TZ)[0])
    assert (report.placed_in_new, len(report.new_themes)) == (3, 1)
    assert set(placement(fdb)) == set(first)
    report = themes.update(fdb)
    assert (report.joined, report.new_themes) == (1, [])
    assert placement(fdb)[later] == placement(fdb)[first[0]]


def test_recent_theme_texts_are_the_newest_of_each_theme_without_erased_comments(fdb):
    """The texts an automatic name is drawn from: per theme, newest first, at most `limit`, never an erased one."""
    cv = [add(fdb, t) for t in CV_FR]
    dark = [add(fdb, t, ["suggestion"]) for t in DARK]
    themes.update(fdb)
    cv_theme, dark_theme = placement(fdb)[cv[0]], placement(fdb)[dark[0]]
    with comments_store.write(fdb):
        fdb.execute("UPDATE comments SET deleted = 1 WHERE id = ?", [dark[2]])
    found = store.recent_theme_texts(fdb, [cv_theme, dark_theme], 2)
    assert found == {cv_theme: [(cv[2], CV_FR[2]), (cv[1], CV_FR[1])],
                     dark_theme: [(dark[1], DARK[1]), (dark[0], DARK[0])]}
    assert store.recent_theme_texts(fdb, [], 2) == {}


def test_scoring_many_items_at_once_gives_the_one_by_one_scores_exactly():
    """The batch scoring of items against fixed theme centres finds, for each item, the same theme with the same
    score to the last bit as scoring it alone, ties going to the smallest theme id; nothing shared gives None."""
    texts = CV_FR + CV_EN + DARK + FILTER + ["Les alertes arrivent en double", "Merci"]
    vectors = themes.Vectoriser(texts).rows
    keys = [7, 3, 9, 4]  # 3 and 4 have the same centre: 3 wins
    centres = themes.centres(vectors, [[0, 1, 2], [5, 6, 7], [8, 9], [5, 6, 7]])
    one_by_one = themes._Index()
    for position in sorted(range(len(keys)), key=keys.__getitem__):
        one_by_one.add(keys[position], centres.get(position))
    fixed = themes._FixedIndex(keys, centres)
    fixed.BLOCK = 4  # several blocks
    expected = [one_by_one.nearest(vectors.get(i)) for i in range(len(texts))]
    actual = fixed.nearest_many(vectors, list(range(len(texts))))
    assert expected == actual
    assert actual[5][0] == 3 and actual[0][0] == 7
    later = themes.Vectoriser(["Zzqx wwkj"]).rows  # grams none of the centres holds, some new to the index
    assert fixed.nearest_many(later, [0]) == [(None, 0.0)]
    assert themes._FixedIndex([], themes.centres(vectors, [])).nearest_many(vectors, [0, 1]) == [(None, 0.0)] * 2


def test_closing_a_group_from_the_themes_page_tells_reply_subscribers_at_once(loop_app, smtp):
    """A reader who asked for replies hears of the team's answer as the group closes, not at the sender's next round."""
    from conftest import with_ts

    inbox, _ = smtp
    client = loop_app.test_client()
    payload = {"author": "Nadia Benali", "body": "Le téléversement du CV échoue", "email": "nadia@exemple.ma",
               "notify_replies": True}
    response = client.post("/api/threads/negocier-son-salaire/comments", json=with_ts(client, payload))
    assert response.status_code == 201, response.get_json()
    first = response.get_json()["id"]
    second = post(client, "Mon CV ne se téléverse pas", "omar@exemple.ma", False)
    as_problems(loop_app, [first, second])
    csrf = logged_in(client)
    client.post(f"/admin/themes/items/{second}/duplicate", data={"csrf": csrf, "of": str(first)})
    client.post(f"/admin/themes/items/{first}/close", data={"csrf": csrf, "reply": "Corrigé, merci à tous !"})
    with loop_app.app_context():
        from comments_api.db import get_db

        mailed = get_db().execute("SELECT count(*) FROM reply_notices WHERE mailed_at IS NOT NULL").fetchone()[0]
    assert 1 == mailed
    assert inbox.wait(1)
    time.sleep(0.5)  # the sender finishes its round before the mail server stops
    assert ["nadia@exemple.ma"] == [m.rcpt_tos[0] for m in inbox.messages]
