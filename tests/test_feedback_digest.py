"""The weekly digest: every format's numbers match the data, weeks cut at Monday 00:00 in the site's time zone."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from zoneinfo import ZoneInfo

import pytest

import comments_store
from conftest import location_of
from comments_store.clock import to_iso
from feedback import digest, store
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
