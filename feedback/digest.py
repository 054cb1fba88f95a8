"""The weekly digest for product owners: one ISO week, in HTML (with charts), Markdown, JSON and CSV.

Everything is computed from the database for [Monday 00:00, next Monday 00:00)
in the site's time zone. The same week and the same data always give the
same files (no generation time inside, stable ordering, stable chart ids).
"""
from __future__ import annotations

import re
import datetime as dt
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlite_utils import Database

from comments_store import spreadsheet

from . import charts, store
from .text import fold
from .weeks import Week

SCHEMA = "boucle.digest/1"
_WORD = re.compile(r"[^\W\d_]+")
HISTORY_WEEKS = 12
LABEL_NAMES = {"problem": "Problèmes", "suggestion": "Suggestions"}

_STOP = set("""le la les un une des du de d l et est sont a au aux en dans pour par sur avec sans ce cet cette ces
je j tu il elle on nous vous ils elles me m te t se s ne n pas plus que qui quoi qu ou mais donc car si tres trop
mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs y c ca cela meme tout tous toute aussi bien
the a an and or is are was were be been to of in on at for with without this that these those it its i you he she
we they my your our their me my not no do does did can could would should will just so very too also have has had
from by as but if when then than there here what which who how why all any some more most into out up about
merci svp please thanks""".split())


@dataclass(frozen=True)
class Settings:
    site_url: str
    timezone: str = "Africa/Casablanca"
    site_name: str = "Le blog Atlas Emploi"


def settings_from_environ(env=os.environ) -> Settings:
    """The digest's settings as the command line and the API both read them."""
    port = env.get("BOUCLE_PORT") or "8000"
    return Settings(site_url=(env.get("BOUCLE_SITEURL") or f"http://127.0.0.1:{port}").rstrip("/"),
                    timezone=env.get("BOUCLE_TIMEZONE") or "Africa/Casablanca",
                    site_name=env.get("BOUCLE_SITENAME") or "Le blog Atlas Emploi")


def default_folder(env=os.environ) -> Path:
    """Where digests are written and, after an erasure, rewritten: $BOUCLE_DIGEST_DIR, else digests/."""
    return Path(env.get("BOUCLE_DIGEST_DIR") or Path(__file__).resolve().parent.parent / "digests")


def _local(iso: str, tz: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(tz))


def _counts(found: list[store.Item]) -> dict[str, int]:
    return {"comments": len(found), "problems": sum("problem" in i.labels for i in found),
            "suggestions": sum("suggestion" in i.labels for i in found)}


def themes(found: list[store.Item], top: int = 10) -> list[dict]:
    """Recurring key phrases: word pairs and triples, counted once per comment, seen in two comments or more."""
    counter: Counter[str] = Counter()
    for item in found:
        words = [w for w in _WORD.findall(item.body.lower()) if len(w) > 2 and fold(w) not in _STOP]
        phrases = {" ".join(words[i:i + n]) for n in (2, 3) for i in range(len(words) - n + 1)}
        counter.update(phrases)
    ranked = sorted(((p, c) for p, c in counter.items() if c >= 2), key=lambda pc: (-pc[1], -len(pc[0]), pc[0]))
    chosen: list[tuple[str, int]] = []
    for phrase, count in ranked:
        # "filtre par ville" makes "filtre par" redundant when both are as frequent.
        words = set(phrase.split())
        if any(count == c and len(words & set(other.split())) >= 2 for other, c in chosen):
            continue
        chosen.append((phrase, count))
        if len(chosen) == top:
            break
    return [{"phrase": p, "count": c} for p, c in chosen]


def build(db: Database, week: Week, settings: Settings) -> dict:
    """The digest's data: what every format shows."""
    tz = settings.timezone
    start, end = week.bounds(tz)
    week_items = store.items(db, start=start, end=end)
    feedback = [i for i in week_items if i.labels]
    previous = week.shift(-1)
    p_start, p_end = previous.bounds(tz)
    before = _counts(store.items(db, start=p_start, end=p_end))
    totals = _counts(week_items)
    history = []
    for k in range(HISTORY_WEEKS - 1, -1, -1):
        w = week.shift(-k)
        s, e = w.bounds(tz)
        c = _counts(store.items(db, start=s, end=e))
        history.append({"week": str(w), "problems": c["problems"], "suggestions": c["suggestions"]})
    by_category: dict[str, Counter] = {}
    by_article: dict[str, dict] = {}
    for item in feedback:
        cat = by_category.setdefault(item.category or "—", Counter())
        art = by_article.setdefault(item.thread_slug, {"slug": item.thread_slug, "title": item.thread_title,
                                                       "url": settings.site_url + item.thread_url,
                                                       "problems": 0, "suggestions": 0})
        for label in item.labels:
            cat[label] += 1
            art[label + "s"] += 1
    site = settings.site_url.rstrip("/")
    return {
        "schema": SCHEMA,
        "site": settings.site_name,
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
        # Erased comments still count, anonymously, but are not listed.
        "themes": themes([i for i in feedback if not i.deleted]),
        "items": [_item_row(i, site, tz) for i in feedback if not i.deleted],
        "resolved": [{**_item_row(i, site, tz), "resolved_at": _local(i.status_at, tz).strftime("%Y-%m-%d %H:%M")}
                     for i in store.resolved_between(db, start, end) if not i.deleted],
    }


def _item_row(item: store.Item, site: str, tz: str) -> dict:
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
        "cues": item.cues,
        "status": item.status,
        "text": item.body,
        "comment_url": f"{site}{item.thread_url}#comment-{item.comment_id}",
        "review_url": f"{site}/admin/feedback?comment={item.comment_id}",
    }


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["signed"] = lambda n: f"+{n}" if n > 0 else str(n)
    env.globals["LABELS"] = LABEL_NAMES
    return env


def render_html(data: dict) -> str:
    svg = {}
    if data["items"] or any(w["problems"] or w["suggestions"] for w in data["weekly"]):
        svg["weekly"] = charts.weekly(
            "Problèmes et suggestions, 12 dernières semaines", [w["week"] for w in data["weekly"]],
            {"Problèmes": [w["problems"] for w in data["weekly"]],
             "Suggestions": [w["suggestions"] for w in data["weekly"]]})
    if data["by_category"]:
        svg["category"] = charts.bars("Par catégorie", [c["category"] for c in data["by_category"]],
                                      {"Problèmes": [c["problems"] for c in data["by_category"]],
                                       "Suggestions": [c["suggestions"] for c in data["by_category"]]}, "category")
    if data["by_article"]:
        top = data["by_article"][:10]
        svg["article"] = charts.bars("Par article (10 premiers)", [a["title"][:48] for a in top],
                                     {"Problèmes": [a["problems"] for a in top],
                                      "Suggestions": [a["suggestions"] for a in top]}, "article")
    return _env().get_template("digest.html").render(d=data, svg=svg)


def render_markdown(data: dict) -> str:
    return _env().get_template("digest.md").render(d=data)


CSV_COLUMNS = ["comment_id", "date", "article", "category", "first_name", "lang", "problem", "suggestion", "source",
               "sentiment", "status", "cues", "comment_url"]


def render_csv(data: dict) -> str:
    """One row per tagged comment of the week; ';' and decimal commas for French-locale spreadsheets."""
    rows = []
    for row in data["items"]:
        sentiment = "" if row["sentiment"] is None else f"{row['sentiment']:.3f}".replace(".", ",")
        rows.append([row["comment_id"], row["date"], row["article"], row["category"], row["first_name"],
                     row["lang"], int("problem" in row["labels"]), int("suggestion" in row["labels"]),
                     row["source"], sentiment, row["status"], ", ".join(row["cues"]), row["comment_url"]])
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
    return {row.get("comment_id") for key in ("items", "resolved") for row in data.get(key, [])
            if isinstance(row, dict)}


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
