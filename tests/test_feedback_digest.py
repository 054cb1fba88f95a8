"""The weekly digest: every format's numbers match the data, weeks cut at Monday 00:00 in the site's time zone."""
from __future__ import annotations

import csv
import dataclasses
import email
import email.policy
import datetime as dt
import io
import json
import time
from zoneinfo import ZoneInfo

import pytest

import comments_store
from conftest import location_of
from comments_store.clock import to_iso

from feedback import digest, store, themes
from feedback.weeks import BadWeek, Week

pytestmark = pytest.mark.both_databases

TZ = "Africa/Casablanca"
SETTINGS = digest.Settings(site_url="http://blog.test", timezone=TZ)
W = Week.parse("2026-W47")  # Monday 16 to Sunday 22 November 2026


def at(day: dt.date, hour: int, minute: int = 0) -> str:
    return to_iso(dt.datetime.combine(day, dt.time(hour, minute), ZoneInfo(TZ)))


@pytest.fixture
def fdb(db):
    database = store.prepare(db)
    comments_store.register_threads(database, [
        {"slug": "negocier-son-salaire", "title": "Négocier son salaire", "url": "/negocier-son-salaire/",
         "lang": "fr", "category": "Conseils candidats"},
        {"slug": "recruter-a-distance", "title": "Recruter à distance", "url": "/recruter-a-distance/", "lang": "fr",
         "category": "Recrutement"}])
    return database


def add(db, when: str, body: str, labels: list[str], author="Nadia Benali", slug="negocier-son-salaire",
        email=None) -> int:
    """An approved comment at `when`, with a human decision on its labels (so tests do not depend on the model)."""
    comments_store.import_comments(db, [{"slug": slug, "author": author, "body": body, "created_at": when,
                                         "email": email}])
    cid = db.execute("SELECT max(id) FROM comments").fetchone()[0]
    from feedback.classify import Classifier

    result = Classifier.load().classify(body)
    store.save_auto(db, [(cid, "", result)], "test")
    store.set_human_labels(db, cid, labels, author="test")
    return cid


def test_week_parsing_and_bounds():
    assert str(Week.parse("2026-W47")) == "2026-W47"
    assert W.monday == dt.date(2026, 11, 16) and W.sunday == dt.date(2026, 11, 22)
    start, end = W.bounds(TZ)
    assert (start, end) == ("2026-11-15T23:00:00Z", "2026-11-22T23:00:00Z")  # UTC+1 in Casablanca
    assert str(Week.parse("2026-W53")) == "2026-W53"  # 2026 has 53 ISO weeks
    assert Week.parse("2026-W53").shift(1) == Week(2027, 1)
    for bad in ["2025-W53", "2026-47", "W47", "2026-W00", ""]:
        with pytest.raises(BadWeek):
            Week.parse(bad)


def test_last_complete_week_in_the_site_time_zone():
    sunday_late_utc = dt.datetime(2026, 11, 22, 23, 30, tzinfo=dt.timezone.utc)  # already Monday in Casablanca
    assert str(Week.last_complete(TZ, sunday_late_utc)) == "2026-W47"
    assert str(Week.last_complete("UTC", sunday_late_utc)) == "2026-W46"


def test_sunday_2359_and_monday_0000_fall_in_different_weeks(fdb):
    add(fdb, at(W.sunday, 23, 59), "Le site plante le dimanche soir", ["problem"])
    add(fdb, at(W.sunday + dt.timedelta(days=1), 0, 0), "Ajoutez un mode sombre", ["suggestion"])
    this = digest.build(fdb, W, SETTINGS)
    nxt = digest.build(fdb, W.shift(1), SETTINGS)
    assert (this["totals"]["problems"], this["totals"]["suggestions"]) == (1, 0)
    assert (nxt["totals"]["problems"], nxt["totals"]["suggestions"]) == (0, 1)


def test_iso_week_53_is_a_week_like_any_other(fdb):
    w53 = Week.parse("2026-W53")  # 28 December 2026 to 3 January 2027
    add(fdb, at(dt.date(2027, 1, 3), 12), "L'appli ne marche plus", ["problem"])
    add(fdb, at(dt.date(2026, 12, 28), 9), "Il faudrait un filtre", ["suggestion"])
    data = digest.build(fdb, w53, SETTINGS)
    assert data["week"] == "2026-W53" and data["start"] == "2026-12-28" and data["end"] == "2027-01-03"
    assert data["totals"] == {"comments": 2, "problems": 1, "suggestions": 1}
    assert digest.build(fdb, Week.parse("2027-W01"), SETTINGS)["weekly"][-2]["week"] == "2026-W53"


@pytest.fixture
def weeks_of_data(fdb):
    """Three weeks of French and English feedback on two articles."""
    expected = {}
    rows = [
        (W.shift(-2), [("fr", ["problem"]), ("en", ["suggestion"])]),
        (W.shift(-1), [("fr", ["problem"]), ("fr", ["problem", "suggestion"]), ("en", [])]),
        (W, [("fr", ["problem"]), ("en", ["problem"]), ("fr", ["suggestion"]), ("en", ["suggestion"]),
             ("fr", [])]),
    ]
    n = 0
    for week, comments in rows:
        p = s = 0
        for lang, labels in comments:
            n += 1
            text = {"fr": f"Commentaire numéro {n} sur le filtre par ville", "en": f"Comment number {n} about the city filter"}[lang]
            slug = "recruter-a-distance" if n % 2 else "negocier-son-salaire"
            add(fdb, at(week.monday + dt.timedelta(days=n % 7), 10), text, labels, author=f"Lecteur{n} Nom",
                slug=slug, email=f"l{n}@exemple.ma")
            p += "problem" in labels
            s += "suggestion" in labels
        expected[str(week)] = {"comments": len(comments), "problems": p, "suggestions": s}
    return fdb, expected


def test_every_format_agrees_with_the_data(weeks_of_data, tmp_path):
    fdb, expected = weeks_of_data
    data = digest.build(fdb, W, SETTINGS)
    assert data["totals"] == expected[str(W)]
    assert data["previous"] == {"week": str(W.shift(-1)), **expected[str(W.shift(-1))]}
    assert data["change"] == {k: expected[str(W)][k] - expected[str(W.shift(-1))][k] for k in data["totals"]}
    series = {w["week"]: (w["problems"], w["suggestions"]) for w in data["weekly"]}
    assert len(series) == 12 and list(series)[-1] == str(W)
    for week, e in expected.items():
        assert series[week] == (e["problems"], e["suggestions"])
    assert sum(a["problems"] for a in data["by_article"]) == expected[str(W)]["problems"]
    assert sum(a["suggestions"] for a in data["by_article"]) == expected[str(W)]["suggestions"]
    assert sum(c["problems"] + c["suggestions"] for c in data["by_category"]) == 4
    assert len(data["items"]) == 4  # problems and suggestions only

    paths = digest.write(data, tmp_path)
    assert sorted(p.name for p in paths) == ["2026-W47.csv", "2026-W47.html", "2026-W47.json", "2026-W47.md"]
    assert json.loads((tmp_path / "2026-W47.json").read_text())["totals"] == expected[str(W)]
    raw = (tmp_path / "2026-W47.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4 and sum(int(r["problem"]) for r in rows) == 2 and sum(int(r["suggestion"]) for r in rows) == 2
    md = (tmp_path / "2026-W47.md").read_text()
    line = (f"{expected[str(W)]['comments']} commentaire(s), {expected[str(W)]['problems']} problème(s) "
            f"({expected[str(W)]['problems'] - expected[str(W.shift(-1))]['problems']:+d} / sem. préc.)")
    assert line.replace("+0", "0") in md
    html = (tmp_path / "2026-W47.html").read_text()
    assert "<svg" not in html and "<script" not in html and 'src="http' not in html and "<link" not in html
    assert line.replace("+0", "0") in html
    assert html.count('class="item"') == 4


def test_digests_show_first_names_only(weeks_of_data, tmp_path):
    fdb, _ = weeks_of_data
    paths = digest.write(digest.build(fdb, W, SETTINGS), tmp_path)
    for path in paths:
        text = path.read_text(encoding="utf-8-sig")
        assert "Nom" not in text and "@exemple.ma" not in text and "127.0.0" not in text


def test_same_week_same_data_same_files(weeks_of_data, tmp_path):
    fdb, _ = weeks_of_data
    first = [p.read_bytes() for p in digest.write(digest.build(fdb, W, SETTINGS), tmp_path / "a")]
    time.sleep(1.1)
    second = [p.read_bytes() for p in digest.write(digest.build(fdb, W, SETTINGS), tmp_path / "b")]
    assert first == second


def test_empty_week_says_so(fdb, tmp_path):
    """A week without comments says so, and why: here the database has none at all."""
    data = digest.build(fdb, W, SETTINGS)
    assert data["totals"] == {"comments": 0, "problems": 0, "suggestions": 0} and data["items"] == []
    digest.write(data, tmp_path)
    for suffix in ("html", "md"):
        text = (tmp_path / f"2026-W47.{suffix}").read_text()
        assert "Aucun commentaire publié cette semaine" in text and "aucun commentaire approuvé" in text


def test_an_empty_week_after_others_names_the_last_comment(fdb):
    """When earlier weeks had comments, the empty week's digest gives the date of the last one."""
    add(fdb, at(W.monday - dt.timedelta(days=3), 10), "Le site plante", ["problem"])
    data = digest.build(fdb, W, SETTINGS)
    assert data["empty"] == {"reason": "none_this_week", "last": "2026-11-13"}
    assert "le dernier date du 2026-11-13" in data["summary"]


def test_resolved_items_are_listed_in_the_week_they_were_resolved(weeks_of_data):
    fdb, _ = weeks_of_data
    item = store.items(fdb, label="problem")[0]
    store.set_status(fdb, item.comment_id, "done", author="po", note="corrigé")
    this_week = Week.containing(dt.datetime.now(ZoneInfo(TZ)).date())
    resolved = digest.build(fdb, this_week, SETTINGS)["resolved"]
    assert [r["comment_id"] for r in resolved] == [item.comment_id]


def test_top_themes_count_this_weeks_items_with_their_trend(weeks_of_data):
    """The city-filter theme (French and English) leads, with its count per week over four weeks."""
    fdb, expected = weeks_of_data
    themes.update(fdb)
    data = digest.build(fdb, W, SETTINGS)
    top = data["themes"][0]
    assert top["count"] == 4 and top["trend"] == [0, 2, 2, 4] and top["arrow"] == "↑"
    assert "filtre" in top["name"].lower() or "filter" in top["name"].lower()
    assert 2 <= len(top["excerpts"]) <= 3 and sum(a["count"] for a in top["articles"]) == 4
    assert sum(s["count"] for s in top["statuses"]) == 4



def run_cli(*args, env=None):
    import os
    import subprocess
    import sys

    from conftest import ROOT

    return subprocess.run([sys.executable, "-m", "feedback", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_cli_writes_and_emails_the_digest(weeks_of_data, tmp_path, smtp):
    fdb, _ = weeks_of_data
    inbox, port = smtp
    path = location_of(fdb)
    result = run_cli("digest", "--week", "2026-W47", "--db", path, "--out", str(tmp_path), "--email", env={
        "BOUCLE_SMTP_HOST": "127.0.0.1", "BOUCLE_SMTP_PORT": str(port), "BOUCLE_SMTP_STARTTLS": "0",
        "BOUCLE_DIGEST_TO": "po@atlas.example, cto@atlas.example", "BOUCLE_TIMEZONE": TZ})
    assert result.returncode == 0, result.stderr
    assert len(inbox.messages) == 1 and inbox.messages[0].rcpt_tos == ["po@atlas.example", "cto@atlas.example"]
    message = inbox.messages[0].content.decode()
    assert "multipart/alternative" in message and "text/html" in message and "text/plain" in message
    assert (tmp_path / "2026-W47.html").exists()


def test_cli_digest_twice_on_the_same_data_writes_the_same_files(weeks_of_data, tmp_path):
    """Run twice with nothing new to tag, the digest leaves the themes as they are and writes the same bytes."""
    fdb, _ = weeks_of_data
    path = location_of(fdb)
    first = run_cli("digest", "--week", "2026-W47", "--db", path, "--out", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    placed = store.theme_members(fdb)
    assert placed, "the first digest placed the week's feedback in themes"
    # One item taken out of its theme by hand: a later digest with nothing new to tag must not move it back.
    taken = sorted(placed)[0]
    with comments_store.write(fdb):
        fdb.execute("DELETE FROM feedback_theme_items WHERE comment_id = ?", [taken])
    second = run_cli("digest", "--week", "2026-W47", "--db", path, "--out", str(tmp_path / "b"))
    third = run_cli("digest", "--week", "2026-W47", "--db", path, "--out", str(tmp_path / "c"))
    assert second.returncode == 0 and third.returncode == 0, second.stderr + third.stderr
    assert taken not in store.theme_members(fdb)
    for name in ("2026-W47.html", "2026-W47.md", "2026-W47.csv", "2026-W47.json"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "c" / name).read_bytes(), name


def test_cli_mail_failure_keeps_the_files_and_fails(weeks_of_data, tmp_path, free_port):
    fdb, _ = weeks_of_data
    path = location_of(fdb)
    result = run_cli("digest", "--week", "2026-W47", "--db", path, "--out", str(tmp_path), "--email", env={
        "BOUCLE_SMTP_HOST": "127.0.0.1", "BOUCLE_SMTP_PORT": str(free_port), "BOUCLE_SMTP_STARTTLS": "0",
        "BOUCLE_DIGEST_TO": "po@atlas.example"})
    assert result.returncode == 3 and "n'a pas été envoyé" in result.stderr
    assert (tmp_path / "2026-W47.json").exists()


@pytest.mark.parametrize(("env", "message"), [({"BOUCLE_DIGEST_TO": ""}, "BOUCLE_DIGEST_TO"),
                                              ({"BOUCLE_SMTP_HOST": "", "BOUCLE_DIGEST_TO": "a@b.ma"}, "BOUCLE_SMTP_HOST")])
def test_cli_mail_settings_missing(fdb, tmp_path, env, message):
    path = location_of(fdb)
    result = run_cli("digest", "--week", "2026-W47", "--db", path, "--out", str(tmp_path), "--email", env=env)
    assert result.returncode == 3 and message in result.stderr


def test_cli_bad_week(fdb, tmp_path):
    path = location_of(fdb)
    result = run_cli("digest", "--week", "semaine 47", "--db", path, "--out", str(tmp_path))
    assert result.returncode == 2 and "AAAA-Www" in result.stderr


def test_erased_comments_still_count_but_are_not_listed(weeks_of_data):
    fdb, expected = weeks_of_data
    victim = store.items(fdb, start=W.bounds(TZ)[0], end=W.bounds(TZ)[1], label="problem")[0]
    email = fdb.execute("SELECT email FROM comments WHERE id = ?", [victim.comment_id]).fetchone()[0]
    comments_store.erase_person(fdb, email)
    data = digest.build(fdb, W, SETTINGS)
    assert data["totals"] == expected[str(W)]
    assert victim.comment_id not in [i["comment_id"] for i in data["items"]]


def test_the_weekly_digest_is_sent_once_even_from_two_machines(weeks_of_data, tmp_path, smtp):
    """Two timers (two machines on one database) run the Monday digest at once: one e-mail; --resend sends again."""
    import concurrent.futures

    fdb, _ = weeks_of_data
    inbox, port = smtp
    env = {"BOUCLE_SMTP_HOST": "127.0.0.1", "BOUCLE_SMTP_PORT": str(port), "BOUCLE_SMTP_STARTTLS": "0",
           "BOUCLE_DIGEST_TO": "po@atlas.example", "BOUCLE_TIMEZONE": TZ}
    args = ("digest", "--week", "2026-W47", "--db", location_of(fdb), "--email", "--no-tag")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda n: run_cli(*args, "--out", str(tmp_path / f"m{n}"), env=env), [1, 2]))
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert sum("déjà été envoyé" in r.stdout for r in runs) == 1
    assert inbox.wait(1) and len(inbox.messages) == 1
    again = run_cli(*args, "--out", str(tmp_path / "m3"), "--resend", env=env)
    assert again.returncode == 0 and inbox.wait(2) and len(inbox.messages) == 2


NOW_WEEK = Week.containing(comments_store.clock.now().astimezone(ZoneInfo(TZ)).date())


def days_before_end(week: Week, days: int, hour: int = 12) -> str:
    """A moment `days` whole days (and a few hours) before the end of `week`."""
    return at(week.sunday - dt.timedelta(days=days - 1), hour)


def test_backlog_lists_open_items_of_every_week_oldest_unanswered_first(fdb):
    """Items neither done nor declined from any week, unanswered ones first by age, answered ones after."""
    old = add(fdb, days_before_end(NOW_WEEK, 40), "Le site plante depuis longtemps", ["problem"])
    answered = add(fdb, days_before_end(NOW_WEEK, 60), "La recherche est lente", ["problem"])
    recent = add(fdb, days_before_end(NOW_WEEK, 3), "Ajoutez un mode sombre", ["suggestion"])
    done = add(fdb, days_before_end(NOW_WEEK, 50), "Le filtre par ville ne marche pas", ["problem"])
    declined = add(fdb, days_before_end(NOW_WEEK, 45), "Faites une appli pour montre", ["suggestion"])
    add(fdb, days_before_end(NOW_WEEK, 30), "Merci pour cet article", [])
    store.set_status(fdb, done, "done", author="po")
    store.set_status(fdb, declined, "wontfix", author="po")
    comments_store.add_team_reply(fdb, answered, "Nous regardons la lenteur, merci.")
    backlog = digest.build(fdb, NOW_WEEK, SETTINGS)["backlog"]
    assert [(r["comment_id"], r["age_days"], r["answered"]) for r in backlog] == [
        (old, 39, False), (recent, 2, False), (answered, 59, True)]


def test_answers_owed_lists_readers_without_a_reply_after_the_set_days(fdb):
    """Readers with a problem or suggestion older than BOUCLE_ANSWER_DAYS and no team reply are owed one."""
    waiting = add(fdb, days_before_end(NOW_WEEK, 10), "Le site plante", ["problem"])
    answered = add(fdb, days_before_end(NOW_WEEK, 12), "La recherche est lente", ["problem"])
    too_recent = add(fdb, days_before_end(NOW_WEEK, 3), "Ajoutez un mode sombre", ["suggestion"])
    add(fdb, days_before_end(NOW_WEEK, 20), "Merci pour cet article", [])
    comments_store.add_team_reply(fdb, answered, "Nous regardons la lenteur, merci.")
    owed = digest.build(fdb, NOW_WEEK, SETTINGS)["answers_owed"]
    assert owed["days"] == 7 and [(r["comment_id"], r["age_days"]) for r in owed["readers"]] == [(waiting, 9)]
    two_days = digest.build(fdb, NOW_WEEK, dataclasses.replace(SETTINGS, answer_days=2))["answers_owed"]
    assert [r["comment_id"] for r in two_days["readers"]] == [waiting, too_recent]


def test_this_months_answered_share_and_median_time_to_first_answer(fdb):
    """The month's share of feedback answered, and the median delay of the first team reply, in days."""
    month_start = dt.datetime.combine(NOW_WEEK.sunday.replace(day=1), dt.time(0), ZoneInfo(TZ))
    now = comments_store.clock.now()
    ids = []
    for k, body in enumerate(["Le site plante", "La recherche est lente", "Ajoutez un mode sombre"]):
        created = max(month_start, now - dt.timedelta(days=2)) + dt.timedelta(minutes=k)
        ids.append(add(fdb, to_iso(created), body, ["problem"]))
    comments_store.add_team_reply(fdb, ids[0], "Corrigé, merci.")
    comments_store.add_team_reply(fdb, ids[0], "Une seconde réponse ne compte pas comme première.")
    comments_store.add_team_reply(fdb, ids[1], "Nous regardons, merci.")
    month = digest.build(fdb, NOW_WEEK, SETTINGS)["answers_owed"]["month"]
    delays = sorted((now - comments_store.clock.parse_iso(
        fdb.execute("SELECT created_at FROM comments WHERE id = ?", [cid]).fetchone()[0])).total_seconds() / 86400
        for cid in ids[:2])
    assert (month["feedback"], month["answered"], month["share"]) == (3, 2, 0.667)
    assert month["month"] == NOW_WEEK.sunday.strftime("%Y-%m")
    assert abs(month["median_days_to_first_answer"] - round(sum(delays) / 2, 1)) <= 0.1


def test_done_this_week_shows_the_public_reply(fdb):
    """An item closed this week appears with the team's public reply."""
    cid = add(fdb, days_before_end(NOW_WEEK, 20), "Le filtre par ville ne marche pas", ["problem"])
    comments_store.add_team_reply(fdb, cid, "Corrigé dans la version 3.4, merci !")
    store.set_status(fdb, cid, "done", author="po")
    data = digest.build(fdb, NOW_WEEK, SETTINGS)
    assert [(r["comment_id"], r["reply"], r["status_label"]) for r in data["resolved"]] == [
        (cid, "Corrigé dans la version 3.4, merci !", "fait")]
    assert "Corrigé dans la version 3.4, merci !" in digest.render_html(data)


def test_new_problems_come_before_suggestions(fdb):
    """The week's problems are listed first, then the suggestions (an item that is both counts as a problem)."""
    s1 = add(fdb, at(W.monday, 9), "Ajoutez un mode sombre", ["suggestion"])
    p1 = add(fdb, at(W.monday, 10), "Le site plante", ["problem"])
    both = add(fdb, at(W.monday, 11), "Le filtre plante, ajoutez un bouton", ["problem", "suggestion"])
    data = digest.build(fdb, W, SETTINGS)
    assert (data["problems"], data["suggestions"]) == ([p1, both], [s1])
    html = digest.render_html(data)
    assert html.index("Nouveaux problèmes") < html.index("Nouvelles suggestions")
    assert html.index(f"#comment-{p1}") < html.index(f"#comment-{s1}")


def test_comment_markdown_is_rendered_safely_with_words_for_status_and_mood(fdb):
    """Markdown becomes HTML, raw HTML stays text; statuses and moods are words in the digest's language."""
    cid = add(fdb, at(W.monday, 10), "Le **filtre** est cassé <script>alert(1)</script>", ["problem"])
    fdb.execute("UPDATE feedback_items SET sentiment = -0.29 WHERE comment_id = ?", [cid])
    fdb.conn.commit()
    data = digest.build(fdb, W, SETTINGS)
    html = digest.render_html(data)
    assert "<strong>filtre</strong>" in html and "<script" not in html and "**filtre**" not in html
    assert "statut : nouveau" in html and "humeur : plutôt mécontent" in html and "-0.29" not in html
    english = digest.render_html(digest.build(fdb, W, dataclasses.replace(SETTINGS, lang="en")))
    assert "status : new" in english and "mood : rather unhappy" in english and "New problems" in english
    assert "Nouveaux problèmes" not in english


def test_each_item_shows_the_sentence_that_decided_its_tag(fdb):
    """Praise then a malfunction: the digest marks the malfunction as the reason for « problème », in every format."""
    add(fdb, at(W.monday, 10), "Super article, merci beaucoup. L'appli plante quand j'envoie mon CV.", ["problem"])
    data = digest.build(fdb, W, SETTINGS)
    assert {"problem": "L'appli plante quand j'envoie mon CV."} == data["items"][0]["evidence"]
    html = digest.render_html(data)
    assert "Phrase décisive (Problème) : <mark dir=\"auto\">L&#39;appli plante quand j&#39;envoie mon CV.</mark>" in html
    assert "Phrase décisive (Problème) : « L'appli plante quand j'envoie mon CV. »" in digest.render_markdown(data)


def test_a_tag_set_by_hand_shows_no_sentence_the_tagger_did_not_give(fdb):
    """A person's label the model never gave has no deciding sentence: the digest shows none rather than a wrong one."""
    add(fdb, at(W.monday, 10), "Super article, merci beaucoup. L'appli plante quand j'envoie mon CV.", ["suggestion"])
    data = digest.build(fdb, W, SETTINGS)
    assert {} == data["items"][0]["evidence"]
    assert "Phrase décisive" not in digest.render_html(data)


@pytest.mark.parametrize(("sentiment", "fr", "en"), [
    (-0.8, "mécontent", "unhappy"), (-0.29, "plutôt mécontent", "rather unhappy"), (0.0, "neutre", "neutral"),
    (0.3, "plutôt satisfait", "rather happy"), (0.9, "satisfait", "happy"), (None, "", "")])
def test_mood_in_words(sentiment, fr, en):
    """A sentiment score reads as a mood."""
    assert (digest.mood(sentiment, "fr"), digest.mood(sentiment, "en")) == (fr, en)


def test_the_csv_holds_each_comments_text_and_words(fdb, tmp_path):
    """The CSV has the comment's text, its theme, its status and mood in words."""
    add(fdb, at(W.monday, 10), "Le filtre par ville;\\n ne marche \"pas\"", ["problem"])
    digest.write(digest.build(fdb, W, SETTINGS), tmp_path)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "2026-W47.csv").read_text("utf-8-sig")), delimiter=";"))
    assert [(r["text"], r["status"], r["mood"] != "") for r in rows] == [
        ("Le filtre par ville;\\n ne marche \"pas\"", "nouveau", True)]


def test_the_blogs_pace_from_the_posts_and_comments(fdb, tmp_path):
    """Posts published this week (drafts aside), days since the last one, comments per commented post."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("Title: Négocier son salaire\nDate: 2026-11-17 09:00\nSlug: negocier-son-salaire\n\nTexte",
                                  encoding="utf-8")
    (content / "a-en.md").write_text("Title: Salary\nDate: 2026-11-17 09:00\nSlug: negocier-son-salaire\nLang: en\n\nText",
                                     encoding="utf-8")
    (content / "b.md").write_text("Title: Brouillon\nDate: 2026-11-20 09:00\nStatus: draft\n\nTexte", encoding="utf-8")
    (content / "c.md").write_text("Title: Plus tard\nDate: 2026-11-25 09:00\n\nTexte", encoding="utf-8")
    for n in range(3):
        add(fdb, at(W.monday + dt.timedelta(days=2), 10 + n), f"Le site plante {n}", ["problem"])
    add(fdb, at(W.monday + dt.timedelta(days=2), 15), "Le site plante aussi", ["problem"], slug="recruter-a-distance")
    blog = digest.build(fdb, W, dataclasses.replace(SETTINGS, content_dir=content))["blog"]
    assert blog == {"posts": [{"slug": "negocier-son-salaire", "title": "Négocier son salaire", "date": "2026-11-17",
                               "comments": 3}], "days_since_last_post": 5, "comments_per_post": 2.0}


def test_the_email_digest_has_no_inline_svg_and_its_charts_are_tables(weeks_of_data, tmp_path, smtp):
    """Webmail drops inline SVG: the e-mail's charts are table cells with widths."""
    fdb, _ = weeks_of_data
    inbox, port = smtp
    result = run_cli("digest", "--week", "2026-W47", "--db", location_of(fdb), "--out", str(tmp_path), "--email",
                     "--no-tag", env={"BOUCLE_SMTP_HOST": "127.0.0.1", "BOUCLE_SMTP_PORT": str(port),
                                      "BOUCLE_SMTP_STARTTLS": "0", "BOUCLE_DIGEST_TO": "po@atlas.example",
                                      "BOUCLE_TIMEZONE": TZ})
    assert result.returncode == 0, result.stderr
    assert inbox.wait(1)
    message = email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    assert "<svg" not in html.lower() and 'class="bars"' in html and "width:" in html


def test_cli_on_a_fresh_install_says_which_week_and_why_it_is_empty(fdb, tmp_path):
    """`invoke digest` with no comment at all names the week and says the database holds none yet."""
    result = run_cli("digest", "--db", location_of(fdb), "--out", str(tmp_path), "--no-tag",
                     env={"BOUCLE_TIMEZONE": TZ})
    assert result.returncode == 0, result.stderr
    week = Week.last_complete(TZ)
    assert f"Semaine {week} (du {week.monday} au {week.sunday}, {TZ})" in result.stdout
    assert "aucun commentaire approuvé" in result.stdout


@pytest.mark.parametrize(("env", "message"), [({"BOUCLE_ANSWER_DAYS": "sept"}, "BOUCLE_ANSWER_DAYS"),
                                              ({"BOUCLE_ANSWER_DAYS": "0"}, "BOUCLE_ANSWER_DAYS"),
                                              ({"BOUCLE_DIGEST_LANG": "de"}, "BOUCLE_DIGEST_LANG")])
def test_cli_refuses_bad_digest_settings(fdb, tmp_path, env, message):
    """A digest setting it cannot use stops the command with a message naming it."""
    result = run_cli("digest", "--week", "2026-W47", "--db", location_of(fdb), "--out", str(tmp_path), env=env)
    assert result.returncode == 2 and message in result.stderr


def test_same_data_same_digest_with_themes_and_backlog(weeks_of_data, tmp_path):
    """Built twice, themes and backlog included, the four files are byte-identical."""
    fdb, _ = weeks_of_data
    add(fdb, at(W.shift(-3).monday, 9), "Le site plante le soir", ["problem"])
    themes.update(fdb)
    first = [p.read_bytes() for p in digest.write(digest.build(fdb, W, SETTINGS), tmp_path / "a")]
    second = [p.read_bytes() for p in digest.write(digest.build(fdb, W, SETTINGS), tmp_path / "b")]
    assert first == second
    assert json.loads(first[2])["backlog"] and json.loads(first[2])["themes"]


def test_review_links_land_on_the_items_line(fdb, tmp_path):
    """Every "Revoir" link (week's items, backlog, answers owed) opens the review page on that item's line."""
    old = add(fdb, days_before_end(NOW_WEEK, 40), "Le site plante depuis longtemps", ["problem"])
    new = add(fdb, days_before_end(NOW_WEEK, 2), "La recherche est lente", ["problem"])
    data = digest.build(fdb, NOW_WEEK, SETTINGS)
    links = {r["comment_id"]: r["review_url"] for r in data["items"] + data["backlog"] + data["answers_owed"]["readers"]}
    assert set(links) == {old, new}
    for cid, link in links.items():
        assert link == f"http://blog.test/admin/feedback?comment={cid}#item-{cid}"
    digest.write(data, tmp_path)
    html = (tmp_path / f"{NOW_WEEK}.html").read_text(encoding="utf-8")
    assert f'href="http://blog.test/admin/feedback?comment={new}#item-{new}"' in html

