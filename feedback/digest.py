"""The weekly digest for product owners: one ISO week, in HTML (with charts), Markdown, JSON and CSV.

Written for its reader's Monday: the week in one line, the themes that grow, new problems then suggestions,
the open backlog of every week, the readers still waiting for an answer, what was done, and the blog's pace.
Everything is computed from the database for [Monday 00:00, next Monday 00:00) in the site's time zone, and
every age or delay is counted to the end of that week, never to "now": the same week and the same data always
give the same files (stable ordering everywhere, no generation time inside).
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
import html
import json
import os
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlite_utils import Database

from comments_store import spreadsheet
from comments_store.render import is_plain, render

from . import charts, store
from .weeks import Week

SCHEMA = "boucle.digest/2"
HISTORY_WEEKS = 12
TREND_WEEKS = 4
TOP_THEMES = 10
# Items, backlog and answers owed: this many per list in the HTML and Markdown (Gmail cuts an e-mail after
# 102 KB, and nobody reads a thousand cards); every one in the JSON, the week's items in the CSV.
LISTED = 50
EXCERPTS = 3
ROOT = Path(__file__).resolve().parent.parent

# Words of the digest in its two languages (BOUCLE_DIGEST_LANG); the comments themselves are quoted as written.
WORDS = {
    "fr": {
        "title": "Retours des lecteurs — semaine {week}", "from_to": "du {start} au {end}",
        "line": "{comments} commentaire(s), {problems} problème(s) ({dp} / sem. préc.), {suggestions} suggestion(s) "
                "({ds}), {done} élément(s) réglé(s), {owed} lecteur(s) attendent une réponse.",
        "empty": "Aucun commentaire publié cette semaine.",
        "why": {"no_comments": "La base ne contient encore aucun commentaire approuvé : rien à résumer.",
                "none_this_week": "Aucun commentaire approuvé entre le {start} et le {end} ; le dernier date du {last}.",
                "no_feedback": "{comments} commentaire(s) cette semaine, mais aucun problème ni suggestion."},
        "comments": "Commentaires", "problems": "Problèmes", "suggestions": "Suggestions",
        "problem": "Problème", "suggestion": "Suggestion", "themes": "Thèmes de la semaine",
        "theme": "Thème", "this_week": "Cette semaine", "trend": "4 semaines", "articles": "Articles",
        "status_mix": "Statuts", "new_problems": "Nouveaux problèmes", "new_suggestions": "Nouvelles suggestions",
        "backlog": "En attente (toutes semaines)", "backlog_intro": "Ni faits ni refusés, les plus anciens sans réponse d'abord.",
        "age": "âge", "days": "j", "answered": "répondu", "unanswered": "sans réponse",
        "owed": "Réponses dues", "owed_intro": "Lecteurs sans réponse de l'équipe {n} jours après leur problème ou suggestion.",
        "month": "En {month} : {answered} sur {feedback} retours ont reçu une réponse ({share}) ; délai médian de la première réponse : {median}.",
        "no_median": "aucune réponse encore", "done": "Fait cette semaine", "reply": "Réponse publique",
        "no_reply": "sans réponse publique", "blog": "Régularité du blog",
        "posts": "{n} article(s) publié(s) cette semaine", "since_last": "{n} jour(s) depuis le dernier article",
        "no_post": "aucun article publié", "per_post": "{n} commentaire(s) par article commenté",
        "weekly": "Douze semaines", "by_category": "Par catégorie", "by_article": "Par article",
        "rest": "tous dans le fichier CSV et sur la page de revue",
        "review": "Revoir", "see": "Voir le commentaire", "anonymous": "Anonyme", "more": "… et {n} de plus",
        "nothing": "Rien.", "by": "sur", "mood": "humeur", "status": "statut", "week": "semaine",
        "corrected": "étiquettes corrigées", "cues": "Indices", "decided": "Phrase décisive",
        "statuses": {"new": "nouveau", "triaged": "trié", "planned": "prévu", "done": "fait",
                     "wontfix": "ne sera pas fait"},
        "moods": ("mécontent", "plutôt mécontent", "neutre", "plutôt satisfait", "satisfait"),
        "subject": "Retours des lecteurs — semaine {week} : {problems} problème(s), {suggestions} suggestion(s)",
    },
    "en": {
        "title": "Readers' feedback — week {week}", "from_to": "{start} to {end}",
        "line": "{comments} comment(s), {problems} problem(s) ({dp} / prev. week), {suggestions} suggestion(s) ({ds}), "
                "{done} item(s) closed, {owed} reader(s) waiting for an answer.",
        "empty": "No comment was published this week.",
        "why": {"no_comments": "The database holds no approved comment yet: nothing to sum up.",
                "none_this_week": "No approved comment between {start} and {end}; the last one dates from {last}.",
                "no_feedback": "{comments} comment(s) this week, but no problem or suggestion."},
        "comments": "Comments", "problems": "Problems", "suggestions": "Suggestions",
        "problem": "Problem", "suggestion": "Suggestion", "themes": "This week's themes",
        "theme": "Theme", "this_week": "This week", "trend": "4 weeks", "articles": "Articles",
        "status_mix": "Statuses", "new_problems": "New problems", "new_suggestions": "New suggestions",
        "backlog": "Open backlog (every week)", "backlog_intro": "Neither done nor declined, oldest unanswered first.",
        "age": "age", "days": "d", "answered": "answered", "unanswered": "unanswered",
        "owed": "Answers owed", "owed_intro": "Readers without an answer from the team {n} days after their problem or suggestion.",
        "month": "In {month}: {answered} of {feedback} items got an answer ({share}); median time to the first answer: {median}.",
        "no_median": "no answer yet", "done": "Done this week", "reply": "Public reply",
        "no_reply": "no public reply", "blog": "The blog's pace",
        "posts": "{n} post(s) published this week", "since_last": "{n} day(s) since the last post",
        "no_post": "no post published", "per_post": "{n} comment(s) per commented post",
        "weekly": "Twelve weeks", "by_category": "By category", "by_article": "By article",
        "rest": "all of them in the CSV file and on the review page",
        "review": "Review", "see": "See the comment", "anonymous": "Anonymous", "more": "… and {n} more",
        "nothing": "Nothing.", "by": "on", "mood": "mood", "status": "status", "week": "week",
        "corrected": "tags corrected", "cues": "Cues", "decided": "Deciding sentence",
        "statuses": {"new": "new", "triaged": "triaged", "planned": "planned", "done": "done", "wontfix": "won't fix"},
        "moods": ("unhappy", "rather unhappy", "neutral", "rather happy", "happy"),
        "subject": "Readers' feedback — week {week}: {problems} problem(s), {suggestions} suggestion(s)",
    },
}
LANGS = tuple(WORDS)


@dataclass(frozen=True)
class Settings:
    site_url: str
    timezone: str = "Africa/Casablanca"
    site_name: str = "Le blog Atlas Emploi"
    lang: str = "fr"
    answer_days: int = 7
    content_dir: Path = field(default=ROOT / "content")


class BadSetting(ValueError):
    """A digest setting with a value it cannot take."""


def settings_from_environ(env=os.environ) -> Settings:
    """The digest's settings as the command line and the API both read them."""
    port = env.get("BOUCLE_PORT") or "8000"
    lang = (env.get("BOUCLE_DIGEST_LANG") or "fr").strip().lower()
    if lang not in LANGS:
        raise BadSetting(f"BOUCLE_DIGEST_LANG : {lang!r} (attendu : fr ou en)")
    raw_days = (env.get("BOUCLE_ANSWER_DAYS") or "7").strip()
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= 365:
        raise BadSetting(f"BOUCLE_ANSWER_DAYS : {raw_days!r} (attendu : un nombre de jours entre 1 et 365)")
    return Settings(site_url=(env.get("BOUCLE_SITEURL") or f"http://127.0.0.1:{port}").rstrip("/"),
                    timezone=env.get("BOUCLE_TIMEZONE") or "Africa/Casablanca",
                    site_name=env.get("BOUCLE_SITENAME") or "Le blog Atlas Emploi",
                    lang=lang, answer_days=int(raw_days))


def default_folder(env=os.environ) -> Path:
    """Where digests are written and, after an erasure, rewritten: $BOUCLE_DIGEST_DIR, else digests/."""
    return Path(env.get("BOUCLE_DIGEST_DIR") or ROOT / "digests")


def _when(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _local(iso: str, tz: str) -> dt.datetime:
    return _when(iso).astimezone(ZoneInfo(tz))


def _counts(found: list[store.Item]) -> dict[str, int]:
    return {"comments": len(found), "problems": sum("problem" in i.labels for i in found),
            "suggestions": sum("suggestion" in i.labels for i in found)}


def mood(sentiment: float | None, lang: str = "fr") -> str:
    """The reader's mood in words: a product owner reads « plutôt mécontent », not -0.29."""
    if sentiment is None:
        return ""
    words = WORDS[lang]["moods"]
    for limit, word in zip((-0.5, -0.1, 0.1, 0.5), words, strict=False):
        if sentiment < limit:
            return word
    return words[-1]


def excerpt(text: str, size: int = 140) -> str:
    """A comment's first words on one line, cut at a word, for lists that must stay short."""
    line = " ".join(text.split())
    if len(line) <= size:
        return line
    cut = line[:size].rsplit(" ", 1)[0]
    return cut + " …"


_TAG = re.compile(r"<[^>]+>")


def plain(html_text: str) -> str:
    """The words of a comment's safe HTML, without its Markdown marks (for one-line excerpts)."""
    return html.unescape(_TAG.sub(" ", html_text))


def plain_sentence(text: str) -> str:
    """A piece of a reader's Markdown as one line of words, without its marks. Most sentences hold no mark: their
    words are then the text's own, without rendering it (tests/test_render.py checks both ways agree)."""
    if is_plain(text):
        return " ".join(text.split())
    return " ".join(plain(render(text)).split())


def _age_days(created: str, end: dt.datetime) -> int:
    return max(0, (end - _when(created)).days)


def _theme_rows(db: Database, week: Week, tz: str, feedback: list[store.Item], site: str, lang: str) -> list[dict]:
    """The themes with the most new items this week, with their counts over the last weeks."""
    weeks = [week.shift(-k) for k in range(TREND_WEEKS - 1, -1, -1)]
    per_week: dict[int, list[int]] = {}
    for n, w in enumerate(weeks):
        s, e = w.bounds(tz)
        for theme_id, _, _ in store.theme_items_between(db, s, e):
            per_week.setdefault(theme_id, [0] * TREND_WEEKS)[n] += 1
    placed = store.theme_names(db, [i.comment_id for i in feedback])
    members: dict[int, list[store.Item]] = {}
    for item in feedback:
        if item.comment_id in placed:
            members.setdefault(placed[item.comment_id][0], []).append(item)
    ranked = sorted(members, key=lambda t: (-len(members[t]), placed[members[t][0].comment_id][1], t))[:TOP_THEMES]
    rows = []
    for theme_id in ranked:
        items = members[theme_id]
        trend = per_week.get(theme_id, [0] * TREND_WEEKS)
        change = trend[-1] - trend[-2]
        articles = sorted(Counter(i.thread_title for i in items).items(), key=lambda tc: (-tc[1], tc[0]))
        statuses = Counter(i.status for i in items)
        shown = [i for i in items if not i.deleted][:EXCERPTS]
        rows.append({
            "id": theme_id, "name": placed[items[0].comment_id][1], "count": len(items), "trend": trend,
            "arrow": "↑" if change > 0 else "↓" if change < 0 else "→", "change": change,
            "articles": [{"title": t, "count": c} for t, c in articles],
            "statuses": [{"status": s, "label": WORDS[lang]["statuses"][s], "count": statuses[s]}
                         for s in store.STATUSES if statuses[s]],
            "excerpts": [{"comment_id": i.comment_id, "text": excerpt(plain(i.html)),
                          "comment_url": f"{site}{i.thread_url}#comment-{i.comment_id}"} for i in shown],
        })
    return rows


def _short_row(item: store.Item, site: str, lang: str, end: dt.datetime) -> dict:
    # Lists that span every week stay light: what a line of the backlog or of the answers owed shows.
    return {"comment_id": item.comment_id, "article": item.thread_title, "first_name": item.first_name,
            "labels": item.labels, "status": item.status, "status_label": WORDS[lang]["statuses"][item.status],
            "age_days": _age_days(item.created_at, end),
            "comment_url": f"{site}{item.thread_url}#comment-{item.comment_id}",
            "review_url": f"{site}/admin/feedback?comment={item.comment_id}#item-{item.comment_id}"}


def _with_excerpts(rows: list[dict], by_id: dict[int, store.Item]) -> list[dict]:
    # Only the lines the pages show get their excerpt: a long backlog stays quick to build.
    for row in rows[:LISTED]:
        row["excerpt"] = excerpt(plain(by_id[row["comment_id"]].html))
    return rows


def _backlog(every: list[store.Item], end_iso: str, end: dt.datetime, answers: dict[int, str], site: str,
             lang: str) -> list[dict]:
    """Every problem or suggestion created before the week's end that is neither done nor declined."""
    rows = []
    for item in every:
        if not item.labels or item.status in ("done", "wontfix") or item.deleted:
            continue
        answered = item.comment_id in answers and answers[item.comment_id] < end_iso
        rows.append({**_short_row(item, site, lang, end), "answered": answered})
    # Oldest unanswered first, then the answered ones, oldest first.
    rows.sort(key=lambda r: (r["answered"], -r["age_days"], r["comment_id"]))
    return _with_excerpts(rows, {i.comment_id: i for i in every})


def _answers(every: list[store.Item], week: Week, settings: Settings, end_iso: str, end: dt.datetime,
             answers: dict[int, str], site: str) -> dict:
    """Readers still owed an answer, and how well this month's feedback was answered."""
    tz, lang = settings.timezone, settings.lang
    due = (end - dt.timedelta(days=settings.answer_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    owed = []
    for item in every:
        if item.created_at >= due or not item.labels or item.deleted:
            continue
        if item.comment_id in answers and answers[item.comment_id] < end_iso:
            continue
        owed.append(_short_row(item, site, lang, end))
    owed.sort(key=lambda r: (-r["age_days"], r["comment_id"]))
    _with_excerpts(owed, {i.comment_id: i for i in every})
    month_start = dt.datetime.combine(week.sunday.replace(day=1), dt.time(0), ZoneInfo(tz))
    month_iso = month_start.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    month_items = [i for i in every if i.created_at >= month_iso and i.labels]
    delays = sorted((_when(answers[i.comment_id]) - _when(i.created_at)).total_seconds() / 86400
                    for i in month_items if i.comment_id in answers and answers[i.comment_id] < end_iso)
    median = round(statistics.median(delays), 1) if delays else None
    return {"days": settings.answer_days, "readers": owed, "count": len(owed),
            "month": {"month": week.sunday.strftime("%Y-%m"), "feedback": len(month_items), "answered": len(delays),
                      "share": round(len(delays) / len(month_items), 3) if month_items else None,
                      "median_days_to_first_answer": median}}


_META = re.compile(r"^(\w+):\s*(.*)$")


def posts(content_dir: Path, tz: str) -> list[dict]:
    """The blog's published posts from its Markdown sources: {"slug", "title", "date"}, one per slug, by date."""
    found: dict[str, dict] = {}
    if not content_dir.is_dir():
        return []
    for path in sorted(content_dir.glob("*.md")):
        meta = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                break
            m = _META.match(line)
            if m:
                meta[m.group(1).lower()] = m.group(2).strip()
        if meta.get("status", "published").lower() != "published" or "date" not in meta:
            continue
        try:
            moment = dt.datetime.fromisoformat(meta["date"]).replace(tzinfo=ZoneInfo(tz))
        except ValueError:
            continue
        slug = meta.get("slug") or path.stem
        post = {"slug": slug, "title": meta.get("title", slug), "date": moment, "lang": meta.get("lang", "fr")}
        # A translation is the same post: the earliest date, the French title when there is one.
        if slug not in found or (post["lang"] == "fr", -moment.timestamp()) > (found[slug]["lang"] == "fr",
                                                                                -found[slug]["date"].timestamp()):
            found[slug] = post
    return sorted(found.values(), key=lambda p: (p["date"], p["slug"]))


def _blog(settings: Settings, week: Week, week_items: list[store.Item]) -> dict:
    zone = ZoneInfo(settings.timezone)
    start = dt.datetime.combine(week.monday, dt.time(0), zone)
    end = start + dt.timedelta(days=7)
    published = [p for p in posts(Path(settings.content_dir), settings.timezone) if p["date"] < end]
    this_week = [p for p in published if p["date"] >= start]
    per_slug = Counter(i.thread_slug for i in week_items)
    commented = len(per_slug)
    return {
        "posts": [{"slug": p["slug"], "title": p["title"], "date": p["date"].strftime("%Y-%m-%d"),
                   "comments": per_slug[p["slug"]]} for p in this_week],
        "days_since_last_post": (end - published[-1]["date"]).days if published else None,
        "comments_per_post": round(len(week_items) / commented, 1) if commented else 0,
    }


def _why_empty(db: Database, every: list[store.Item], week_items: list[store.Item], feedback: list[store.Item],
               start: str, tz: str) -> dict | None:
    if feedback:
        return None
    if week_items:
        return {"reason": "no_feedback", "comments": len(week_items)}
    before = [i for i in every if i.created_at < start]
    if not before and not store.items(db, start=start, limit=1):
        return {"reason": "no_comments"}
    last = before[-1].created_at if before else None
    return {"reason": "none_this_week", "last": _local(last, tz).strftime("%Y-%m-%d") if last else "—"}


def build(db: Database, week: Week, settings: Settings) -> dict:
    """The digest's data: what every format shows. Themes are as the last tagging left them (feedback.themes)."""
    tz, lang = settings.timezone, settings.lang
    site = settings.site_url.rstrip("/")
    start, end = week.bounds(tz)
    end_at = _when(end)
    every = store.items(db, end=end)  # read once: every list below is cut from it (ISO times sort as they read)
    week_items = [i for i in every if i.created_at >= start]
    feedback = [i for i in week_items if i.labels]
    previous = week.shift(-1)
    p_start, p_end = previous.bounds(tz)
    before = _counts([i for i in every if p_start <= i.created_at < p_end])
    totals = _counts(week_items)
    shown_weeks = [week.shift(-k) for k in range(HISTORY_WEEKS - 1, -1, -1)]
    starts = [w.bounds(tz)[0] for w in shown_weeks]
    per_week: list[list[store.Item]] = [[] for _ in shown_weeks]
    for item in every:
        n = bisect.bisect_right(starts, item.created_at) - 1
        if n >= 0:
            per_week[n].append(item)
    history = []
    for w, found in zip(shown_weeks, per_week, strict=True):
        c = _counts(found)
        history.append({"week": str(w), "problems": c["problems"], "suggestions": c["suggestions"]})
    by_category: dict[str, Counter] = {}
    by_article: dict[str, dict] = {}
    for item in feedback:
        cat = by_category.setdefault(item.category or "—", Counter())
        art = by_article.setdefault(item.thread_slug, {"slug": item.thread_slug, "title": item.thread_title,
                                                       "url": site + item.thread_url,
                                                       "problems": 0, "suggestions": 0})
        for label in item.labels:
            cat[label] += 1
            art[label + "s"] += 1
    answers = store.first_answers(db)
    listed = [i for i in feedback if not i.deleted]
    named = store.theme_names(db, [i.comment_id for i in listed])
    # The sentence that weighed most for each tag (feedback.classify): why the tagger decided, at a glance.
    decided = store.evidence_for(db, [i.comment_id for i in listed])
    rows = [{**_item_row(i, site, tz, lang), "theme": named.get(i.comment_id, (None, ""))[1],
             # Shown as the reader's words, without their Markdown marks (the sentence is a verbatim piece).
             "evidence": {k: plain_sentence(v) for k, v in sorted(decided.get(i.comment_id, {}).items())
                          if k in i.labels}}
            for i in listed]
    resolved = [i for i in store.resolved_between(db, start, end) if not i.deleted]
    replies = store.team_replies(db, [i.comment_id for i in resolved])
    owed = _answers(every, week, settings, end, end_at, answers, site)
    backlog = _backlog(every, end, end_at, answers, site, lang)
    data = {
        "schema": SCHEMA,
        "site": settings.site_name,
        "lang": lang,
        "week": str(week),
        "start": week.monday.isoformat(),
        "end": week.sunday.isoformat(),
        "timezone": tz,
        "totals": totals,
        "previous": {"week": str(previous), **before},
        "change": {k: totals[k] - before[k] for k in totals},
        "weekly": history,
        "by_category": [{"category": c, "problems": n["problem"], "suggestions": n["suggestion"]}
                        for c, n in sorted(by_category.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))],
        "by_article": sorted(by_article.values(), key=lambda a: (-(a["problems"] + a["suggestions"]), a["slug"])),
        "themes": _theme_rows(db, week, tz, feedback, site, lang),
        # Erased comments still count, anonymously, but are not listed.
        "items": rows,
        "problems": [r["comment_id"] for r in rows if "problem" in r["labels"]],
        "suggestions": [r["comment_id"] for r in rows if "problem" not in r["labels"]],
        "backlog": backlog,
        "answers_owed": owed,
        "resolved": [{**_item_row(i, site, tz, lang), "resolved_at": _local(i.status_at, tz).strftime("%Y-%m-%d %H:%M"),
                      "excerpt": excerpt(plain(i.html)), "reply": replies.get(i.comment_id, "")} for i in resolved],
        "blog": _blog(settings, week, week_items),
        "empty": _why_empty(db, every, week_items, feedback, start, tz),
    }
    data["summary"] = summary(data)
    return data


def summary(data: dict) -> str:
    """The week in one line, in the digest's language."""
    w = WORDS[data["lang"]]
    if data["empty"]:
        return f"{w['empty']} {why_empty(data)}"
    t, c = data["totals"], data["change"]
    return w["line"].format(comments=t["comments"], problems=t["problems"], suggestions=t["suggestions"],
                            dp=_signed(c["problems"]), ds=_signed(c["suggestions"]), done=len(data["resolved"]),
                            owed=data["answers_owed"]["count"])


def why_empty(data: dict) -> str:
    """Why a week has nothing to show, for the files and for `invoke digest`."""
    if not data["empty"]:
        return ""
    reason = data["empty"]
    return WORDS[data["lang"]]["why"][reason["reason"]].format(start=data["start"], end=data["end"],
                                                               **{k: v for k, v in reason.items() if k != "reason"})


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _item_row(item: store.Item, site: str, tz: str, lang: str = "fr") -> dict:
    return {
        "comment_id": item.comment_id,
        "article": item.thread_title,
        "article_slug": item.thread_slug,
        "category": item.category,
        "first_name": item.first_name,
        "date": _local(item.created_at, tz).strftime("%Y-%m-%d %H:%M"),
        "lang": item.lang,
        "labels": item.labels,
        "source": item.source,
        "sentiment": item.sentiment,
        "mood": mood(item.sentiment, lang),
        "cues": item.cues,
        "status": item.status,
        "status_label": WORDS[lang]["statuses"][item.status],
        "text": item.body,
        # Already rendered from Markdown and cleaned by comments_store when the comment was stored.
        "html": item.html,
        "comment_url": f"{site}{item.thread_url}#comment-{item.comment_id}",
        "review_url": f"{site}/admin/feedback?comment={item.comment_id}#item-{item.comment_id}",
    }


@functools.lru_cache(maxsize=4)
def _env(lang: str = "fr") -> Environment:
    # One environment per language for the process: its templates are compiled once.
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["signed"] = _signed
    env.filters["one_line"] = lambda text: " ".join(str(text).split())
    env.globals["w"] = WORDS[lang]
    return env


def render_html(data: dict) -> str:
    bars = {}
    if any(w["problems"] or w["suggestions"] for w in data["weekly"]):
        bars["weekly"] = charts.bars([w["week"] for w in data["weekly"]],
                                     {"problems": [w["problems"] for w in data["weekly"]],
                                      "suggestions": [w["suggestions"] for w in data["weekly"]]})
    if data["by_category"]:
        bars["category"] = charts.bars([c["category"] for c in data["by_category"]],
                                       {"problems": [c["problems"] for c in data["by_category"]],
                                        "suggestions": [c["suggestions"] for c in data["by_category"]]})
    if data["by_article"]:
        top = data["by_article"][:10]
        bars["article"] = charts.bars([a["title"][:48] for a in top],
                                      {"problems": [a["problems"] for a in top],
                                       "suggestions": [a["suggestions"] for a in top]})
    by_id = {r["comment_id"]: r for r in data["items"]}
    return _env(data["lang"]).get_template("digest.html").render(
        d=data, bars=bars, problems=[by_id[c] for c in data["problems"]],
        suggestions=[by_id[c] for c in data["suggestions"]], listed=LISTED, why=why_empty(data))


def render_markdown(data: dict) -> str:
    by_id = {r["comment_id"]: r for r in data["items"]}
    return _env(data["lang"]).get_template("digest.md").render(
        d=data, problems=[by_id[c] for c in data["problems"]], suggestions=[by_id[c] for c in data["suggestions"]],
        listed=LISTED, why=why_empty(data))


def subject(data: dict) -> str:
    return WORDS[data["lang"]]["subject"].format(week=data["week"], **data["totals"])


CSV_COLUMNS = ["comment_id", "date", "article", "category", "first_name", "lang", "problem", "suggestion", "source",
               "sentiment", "mood", "status", "theme", "cues", "text", "comment_url"]


def render_csv(data: dict) -> str:
    """One row per problem or suggestion of the week, with its text; ';' and decimal commas for French-locale
    spreadsheets; status and mood in the digest's language."""
    rows = []
    for row in data["items"]:
        sentiment = "" if row["sentiment"] is None else f"{row['sentiment']:.3f}".replace(".", ",")
        rows.append([row["comment_id"], row["date"], row["article"], row["category"], row["first_name"],
                     row["lang"], int("problem" in row["labels"]), int("suggestion" in row["labels"]),
                     row["source"], sentiment, row["mood"], row["status_label"], row["theme"], ", ".join(row["cues"]),
                     row["text"], row["comment_url"]])
    return spreadsheet.render(CSV_COLUMNS, rows)


def render_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(data: dict, out_dir: str | Path) -> list[Path]:
    """Write the four files for the week; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = data["week"]
    files = {
        f"{stem}.html": render_html(data),
        f"{stem}.md": render_markdown(data),
        f"{stem}.json": render_json(data),
        f"{stem}.csv": render_csv(data),
    }
    paths = []
    for name, content in files.items():
        path = out / name
        # newline="" keeps the CSV's CRLF as written, and every file byte-identical across runs.
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(content)
        paths.append(path)
    return paths


def quoted_comments(data: dict) -> set[int]:
    found = {row.get("comment_id") for key in ("items", "resolved", "backlog") for row in data.get(key, [])
             if isinstance(row, dict)}
    owed = data.get("answers_owed")
    if isinstance(owed, dict):
        found |= {row.get("comment_id") for row in owed.get("readers", []) if isinstance(row, dict)}
    for theme in data.get("themes", []):
        if isinstance(theme, dict):
            found |= {e.get("comment_id") for e in theme.get("excerpts", []) if isinstance(e, dict)}
    return found


def scrub(db: Database, out_dir: str | Path, comment_ids: list[int], settings: Settings) -> list[str]:
    """Rewrite the digests already written that quote one of `comment_ids` (just erased); returns their weeks.

    A digest is rebuilt from the database as it now is, where erased comments are no longer listed, so the
    four files of that week no longer hold the erased name or text. Weeks that quote none are left as they are.
    """
    wanted = set(comment_ids)
    out = Path(out_dir)
    if not wanted or not out.is_dir():
        return []
    rewritten = []
    for path in sorted(out.glob("*.json")):
        try:
            week = Week.parse(path.stem)
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue  # not a digest of ours
        if not isinstance(data, dict) or not wanted & quoted_comments(data):
            continue
        write(build(store.prepare(db), week, settings), out)
        rewritten.append(str(week))
    return rewritten
