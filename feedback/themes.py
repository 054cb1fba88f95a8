"""Themes: feedback items about the same thing, grouped by their words, kept across weeks, corrected by people.

The automatic step (`update`) places every problem or suggestion not yet in a theme: it joins the nearest
existing theme when similar enough, and the items left over propose new themes when two or more of them are
alike. Similarity is the cosine between TF-IDF vectors of character 4-grams of the accent-folded words, so
"téléversement"/"téléverser" and "filtre"/"filter" meet; a small lexicon maps common English words onto their
French counterparts ("upload" → "televers"), so that French and English items can share a theme. Sparse vectors
as dicts, found through inverted indexes of their n-grams; the week's items are scored against the existing
themes in batches with numpy (the same sums as one by one). It runs from the web app's own environment, and the
same data always give the same themes and names (stable ordering everywhere, ties broken by id or word).

People have the last word: a renamed theme keeps its name, and an item a person moved stays where it was put.
Only feedback.store writes the tables.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from operator import itemgetter

import numpy
from sqlite_utils import Database

from comments_store.clock import parse_iso, to_iso

from . import store
from .text import fold

__all__ = ["JOIN_AT", "Report", "all_themes", "merge", "move", "overview", "rename", "similarity", "split", "theme_names", "update",
           "vector"]

# Cosine similarity from which an item joins a theme (or another item, to propose one). Chosen on the
# examples of tests/test_feedback_themes.py: rewordings of one complaint, in French or English, score 0.24-0.6,
# unrelated complaints 0.08 at most.
JOIN_AT = 0.2
# Features kept per item and per theme: the strongest weights carry the meaning and bound the work.
ITEM_FEATURES = 40
THEME_FEATURES = 80
LEADER_FEATURES = 20
# A theme's centre is drawn from its most recent items: enough to describe it, few enough to stay fast.
CENTRE_ITEMS = 10
LOOK_BACK_WEEKS = 8
TEXT_CHARS = 400
NAME_WORDS = 3

_WORD = re.compile(r"[a-z0-9]+")
_SURFACE = re.compile(r"[^\W_]+")
_STOP = set("""le la les un une des du de d l et est sont au aux en dans pour par sur avec sans ce cet cette ces
je j tu il elle on nous vous ils elles me m te t se s ne n pas plus que qui quoi qu ou mais donc car si tres trop
mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs y c ca cela meme tout tous toute aussi bien
fait faire peut peux etre avoir ai as avez ont suis etait quand comme alors encore deja toujours jamais rien
the an and or is are was were be been to of in on at for with without this that these those it its you he she
we they my your our their not no do does did can could would should will just so very too also have has had
from by as but if when then than there here what which who how why all any some more most into out up about
get got still even really please thanks thank merci svp bonjour hello hi article blog site every each time
try again always never fois chaque encore make makes made nothing nor ago one two day days month months year
years thing things way use using used need needs want wants like im dont don cant isnt doesnt didnt dit dire
commentaire commentaires comment comments hasn wasn aren won shouldn couldn wouldn ll ve re
pouvez pouvoir veux voudrait vrai verrais voudrais aimerais faudrait serait pourrait propose chose choses rien quelque avoir""".split())
# English words readers use for the same things as French ones, mapped to the French word's start, so that
# their character n-grams meet. Cross-language grouping beyond these stays with the product owner (move, merge).
_ENGLISH = {
    "upload": "televers", "uploading": "televers", "uploaded": "televers", "download": "telecharg",
    "fails": "echou", "fail": "echou", "failed": "echou", "failing": "echou", "failure": "echec", "error": "erreur",
    "crash": "plant", "crashes": "plant", "crashed": "plant", "bug": "bug", "broken": "cass", "slow": "lent",
    "filter": "filtr", "filters": "filtr", "city": "ville", "cities": "ville", "search": "recherch",
    "alert": "alert", "alerts": "alert", "notification": "notification", "notifications": "notification",
    "login": "connexion", "log": "connexion", "password": "passe", "account": "compte", "resume": "cv",
    "job": "emploi", "jobs": "emploi", "offer": "offre", "offers": "offre", "salary": "salaire",
    "app": "appli", "application": "appli", "mobile": "mobile", "page": "page", "button": "bouton",
    "dark": "sombre", "mode": "mode", "map": "carte", "email": "mail", "emails": "mail", "mail": "mail",
    "apply": "postul", "applying": "postul", "recruiter": "recrut", "recruiters": "recrut", "video": "video",
    "loading": "charg", "load": "charg", "add": "ajout", "photo": "photo", "profile": "profil",
}


@functools.lru_cache(maxsize=100_000)
def _content(word: str) -> str:
    # "" for a word that says nothing; cached, as a few thousand words make up most of any week's comments.
    if len(word) < 2 or word in _STOP or word.isdigit():
        return ""
    return _ENGLISH.get(word, word)


def words(text: str) -> list[str]:
    """The folded content words of a text, English ones mapped onto their French counterparts."""
    return [w for w in map(_content, _WORD.findall(fold(text))) if w]


@functools.lru_cache(maxsize=100_000)
def _grams(word: str) -> tuple[str, ...]:
    # Cached: a few thousand words make up most of any week's comments.
    padded = f"<{word}>"
    if len(padded) <= 4:
        return (padded,)
    return tuple(padded[i:i + 4] for i in range(len(padded) - 3))


def _counts(text: str) -> Counter[str]:
    # The opening of a comment says what it is about; the rest of a long one only dilutes it.
    return Counter(itertools.chain.from_iterable(map(_grams, words(text[:TEXT_CHARS]))))


def _normalise(weights: dict[str, float], keep: int) -> dict[str, float]:
    # Strongest first, ties by feature: two sorts on C-level keys (a stable sort keeps the features' order among
    # equal weights), the same order as one sort on (-weight, feature) at a fraction of the cost.
    strongest = sorted(sorted(weights.items()), key=itemgetter(1), reverse=True)[:keep]
    norm = math.sqrt(sum(w * w for _, w in strongest)) or 1.0
    return {f: w / norm for f, w in strongest}


# Sublinear term frequency, 1 + ln(count), looked up for the small counts that make nearly all of them.
_TF = [0.0] + [1 + math.log(c) for c in range(1, 64)]


class Vectoriser:
    """TF-IDF over character 4-grams, with document frequencies from the texts it was built on."""

    def __init__(self, texts: Iterable[str]):
        self.counts = [_counts(t) for t in texts]
        df: Counter[str] = Counter()
        for c in self.counts:
            df.update(c.keys())
        n = len(self.counts) or 1
        self.idf = {f: math.log((1 + n) / (1 + d)) + 1.0 for f, d in df.items()}
        self._made: dict[frozenset, dict[str, float]] = {}

    def vector(self, i: int) -> dict[str, float]:
        key = frozenset(self.counts[i].items())
        if key not in self._made:  # texts with the same words (a copied complaint) share one vector
            idf = self.idf
            self._made[key] = _normalise({f: (_TF[c] if c < len(_TF) else 1 + math.log(c)) * idf[f]
                                          for f, c in self.counts[i].items()}, ITEM_FEATURES)
        return self._made[key]


def vector(text: str) -> dict[str, float]:
    """A text's vector on its own (document frequencies of 1): for comparing two texts in tests and tools."""
    return Vectoriser([text]).vector(0)


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(f, 0.0) for f, w in a.items())


def _centre(vectors: list[dict[str, float]]) -> dict[str, float]:
    total: defaultdict[str, float] = defaultdict(float)
    for v in vectors:
        for f, w in v.items():
            total[f] += w
    return _normalise(total, THEME_FEATURES)


class _Index:
    """Centres searchable by feature: only centres sharing a feature with an item are scored."""

    def __init__(self):
        self.postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)

    def add(self, key: int, centre: dict[str, float], keep: int | None = None) -> None:
        # A centre may be indexed by its strongest features only: they carry nearly all of any similarity
        # above the threshold, and they keep the lists short.
        for f, w in list(centre.items())[:keep]:
            self.postings[f].append((key, w))

    def nearest(self, v: dict[str, float]) -> tuple[int | None, float]:
        scores: dict[int, float] = {}
        get = scores.get
        for f, w in v.items():
            for key, cw in self.postings.get(f, ()):
                scores[key] = get(key, 0.0) + w * cw
        best, top = None, 0.0
        for key, score in scores.items():
            if score > top or (score == top and best is not None and key < best):
                best, top = key, score
        return best, top


class _FixedIndex:
    """The existing themes' centres, fixed for a run, scored for many items at once with numpy: the products of
    an item's features with the centres' weights are summed in C rather than one Python step per (feature,
    theme) pair. The same products summed in the same order as _Index does, so the same scores to the last bit,
    and ties go to the smallest key as there."""

    BLOCK = 512  # items scored together: bounds the score matrix to BLOCK × themes

    def __init__(self, centres: dict[int, dict[str, float]]):
        self.keys = sorted(centres)
        lists: defaultdict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for position, key in enumerate(self.keys):
            for f, w in centres[key].items():
                lists[f][0].append(position)
                lists[f][1].append(w)
        # Postings of every feature end to end (feature n's run from starts[n] to starts[n + 1]).
        self.feature = {f: n for n, f in enumerate(lists)}
        self.starts = numpy.cumsum([0] + [len(at) for at, _ in lists.values()])
        self.positions = numpy.array([p for at, _ in lists.values() for p in at], dtype=numpy.intp)
        self.weights = numpy.array([w for _, ws in lists.values() for w in ws], dtype=float)

    def nearest_many(self, vectors: list[dict[str, float]]) -> list[tuple[int | None, float]]:
        found: list[tuple[int | None, float]] = []
        get = self.feature.get
        for start in range(0, len(vectors), self.BLOCK):
            block = vectors[start:start + self.BLOCK]
            scores = numpy.zeros((len(block), max(1, len(self.keys))))
            sizes = [len(v) for v in block]
            total = sum(sizes)
            if total:
                # Each item's (feature, weight) pairs end to end, straight into arrays.
                rows = numpy.repeat(numpy.arange(len(block)), sizes)
                features = numpy.fromiter((get(f, -1) for v in block for f in v), dtype=numpy.intp, count=total)
                item_weights = numpy.fromiter((w for v in block for w in v.values()), dtype=float, count=total)
                known = features >= 0  # features no centre has
                rows, features, item_weights = rows[known], features[known], item_weights[known]
                first = self.starts[features]
                lengths = self.starts[features + 1] - first
                # Every posting of every (item, feature) pair, in order: a run of indices per pair.
                at = numpy.repeat(first - numpy.cumsum(lengths) + lengths, lengths) + numpy.arange(lengths.sum())
                products = numpy.repeat(item_weights, lengths) * self.weights[at]
                # add.at adds in the order given: for each (item, theme), feature after feature, as _Index does.
                numpy.add.at(scores, (numpy.repeat(rows, lengths), self.positions[at]), products)
            best = scores.argmax(axis=1)  # the first of equal maxima: the smallest key
            top = scores[numpy.arange(len(block)), best]
            found.extend((self.keys[b], float(t)) if t > 0.0 else (None, 0.0)
                         for b, t in zip(best.tolist(), top.tolist(), strict=True))
        return found


@functools.lru_cache(maxsize=100_000)
def _name_key(raw: str) -> tuple[str, str]:
    """(key, shown form) of a word as it was written; key "" for a word that says nothing. "téléverser",
    "téléversement" and "upload" share a key; cached, like the words of vectors."""
    folded = fold(raw)
    if len(folded) < 2 or folded in _STOP or folded.isdigit():
        return "", ""
    return _ENGLISH.get(folded, folded)[:5], raw if raw.isupper() else raw.lower()


def name_for(texts: list[str], idf: dict[str, float] | None = None, rarities: dict[str, float] | None = None) -> str:
    """A readable name: the words most characteristic of the texts (in most of them, rarer elsewhere).

    `rarities` keeps each word's rarity between the calls of one update (they share `idf`): naming a thousand
    themes then costs little more than reading their texts."""
    if rarities is None:
        rarities = {}
    df: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        seen = set()
        for key, shown in map(_name_key, _SURFACE.findall(text[:TEXT_CHARS])):
            if key:
                surface[key][shown] += 1
                seen.add(key)
        df.update(seen)

    def rarity(key: str) -> float:
        if key not in rarities:
            grams = _grams(key)
            rarities[key] = math.sqrt(sum(idf.get(g, 1.0) for g in grams) / len(grams)) if idf else 1.0
        return rarities[key]

    chosen = sorted(df, key=lambda k: (-(df[k] * rarity(k)), k))[:NAME_WORDS]
    names = [min(surface[k].items(), key=lambda sc: (-sc[1], sc[0]))[0] for k in chosen]
    return ", ".join(names) or "—"


class Report:
    """What an update did: items that joined existing themes, new themes and the items in them."""

    def __init__(self):
        self.joined = 0
        self.new_themes: list[int] = []
        self.placed_in_new = 0

    def __repr__(self) -> str:
        return f"Report(joined={self.joined}, new_themes={len(self.new_themes)}, placed_in_new={self.placed_in_new})"


def update(db: Database, until: str | None = None) -> Report:
    """Place the problems and suggestions not yet in a theme; propose new themes from those left over.

    Human placements and names are never changed; automatic names follow their theme's items. With `until` (an
    ISO time), only the items created before it are considered: history replayed as daily tagging lived it.
    """
    report = Report()
    pool = store.theme_pool(db)  # (comment id, created_at, body, theme id or None, source or None)
    if until is not None:
        pool = [p for p in pool if p[1] < until]
    if not pool:
        return report
    # Items left alone for weeks are left to people (move): the automatic step looks back a few weeks from the
    # newest item (not from today: the same data give the same themes), and stays fast.
    since = to_iso(parse_iso(pool[-1][1]) - dt.timedelta(weeks=LOOK_BACK_WEEKS))
    waiting = [p for p in pool if p[3] is None and p[1] >= since]
    if not waiting:
        return report
    members: defaultdict[int, list[tuple]] = defaultdict(list)
    for p in pool:
        if p[3] is not None:
            members[p[3]].append(p)
    # Each theme's centre from its most recent items (pool is ordered by created_at, id).
    sample = {t: rows[-CENTRE_ITEMS:] for t, rows in members.items()}
    rows = [r for t in sorted(sample) for r in sample[t]] + waiting
    vectoriser = Vectoriser(r[2] for r in rows)
    vectors = {r[0]: vectoriser.vector(i) for i, r in enumerate(rows)}
    index = _FixedIndex({theme_id: _centre([vectors[r[0]] for r in sample[theme_id]]) for theme_id in sample})

    joins: list[tuple[int, int]] = []
    left: list[tuple] = []
    # By vector: the same words go to the same place.
    unique = list({id(v): v for v in (vectors[row[0]] for row in waiting)}.values())
    nearest_theme = dict(zip(map(id, unique), index.nearest_many(unique), strict=True))
    for row in waiting:
        theme_id, score = nearest_theme[id(vectors[row[0]])]
        if theme_id is not None and score >= JOIN_AT:
            joins.append((row[0], theme_id))
        else:
            left.append(row)

    # Leader clustering of the rest, oldest first: each group is led by its first item.
    leaders = _Index()
    groups: dict[int, list[tuple]] = {}
    group_of: dict[int, int] = {}  # by vector, as above
    for row in left:
        v = vectors[row[0]]
        if id(v) in group_of:
            groups[group_of[id(v)]].append(row)
            continue
        leader, score = leaders.nearest(v)
        if leader is None or score < JOIN_AT:
            leader = row[0]
            groups[leader] = []
            leaders.add(leader, v, LEADER_FEATURES)
        groups[leader].append(row)
        group_of[id(v)] = leader
    rarities: dict[str, float] = {}
    proposed = [(name_for([r[2] for r in g[-CENTRE_ITEMS:]], vectoriser.idf, rarities), [r[0] for r in g])
                for _, g in sorted(groups.items()) if len(g) >= 2]
    report.joined = len(joins)
    report.new_themes = store.save_theme_placements(db, joins, proposed)
    report.placed_in_new = sum(len(ids) for _, ids in proposed)
    _rename_grown(db, {t for _, t in joins}, vectoriser.idf, rarities)
    return report


def _rename_grown(db: Database, theme_ids: set[int], idf: dict[str, float], rarities: dict[str, float]) -> None:
    # An automatic name follows its theme as it grows; a name a person gave is kept.
    auto = [theme["id"] for theme in store.themes(db, ids=sorted(theme_ids)) if theme["named_by"] == "auto"]
    names = {}
    for theme_id, texts in store.recent_theme_texts(db, auto, CENTRE_ITEMS).items():
        names[theme_id] = name_for([body for _, body in texts], idf, rarities)
    store.rename_themes_auto(db, names)


def theme_names(db: Database, comment_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """comment id → (theme id, theme name), for the comments that are in a theme."""
    return store.theme_names(db, list(comment_ids))


def all_themes(db: Database) -> list[dict]:
    """Every theme: {"id", "name", "named_by", "count"}, largest first, then by name."""
    return store.themes(db)


def rename(db: Database, theme_id: int, name: str) -> None:
    """A person names a theme; it keeps that name from then on."""
    store.rename_theme(db, theme_id, name)


def merge(db: Database, into: int, other: int) -> None:
    """Every item of `other` goes to `into`, which keeps its name; `other` is removed."""
    store.merge_themes(db, into, other)


def split(db: Database, theme_id: int, comment_ids: list[int], name: str = "") -> int:
    """The chosen items of a theme move to a new theme (named by its words unless `name` is given)."""
    if name.strip():
        return store.split_theme(db, theme_id, comment_ids, name, "human")
    texts = [body for cid, body in store.theme_texts(db, theme_id, 10_000) if cid in set(comment_ids)]
    return store.split_theme(db, theme_id, comment_ids, name_for(texts) if texts else "—", "auto")


def move(db: Database, comment_id: int, theme_id: int) -> None:
    """A person puts one item in another theme; the automatic step never moves it back."""
    store.move_item(db, comment_id, theme_id)


def overview(db: Database, week_start: str, weeks: list[tuple[str, str]], excerpts: int = 3) -> list[dict]:
    """Every theme as the themes page shows it: its items, this week's count (items created from `week_start`),
    its counts over `weeks` ([start, end) bounds, oldest first), articles, status mix and a few excerpts."""
    placed = store.theme_members(db)
    groups = store.duplicate_groups(db)
    duplicate_of = {d: canonical for canonical, dups in groups.items() for d in dups}
    by_theme: dict[int, list] = defaultdict(list)
    for item in store.items(db):
        if item.comment_id in placed and not item.deleted:
            by_theme[placed[item.comment_id]].append(item)
    rows = []
    for theme in store.themes(db):
        members = sorted(by_theme.get(theme["id"], []), key=lambda i: (i.created_at, i.comment_id), reverse=True)
        trend = [sum(start <= i.created_at < end for i in members) for start, end in weeks]
        statuses = Counter(i.status for i in members)
        articles = Counter(i.thread_title for i in members)
        rows.append({
            **theme,
            "week": sum(i.created_at >= week_start for i in members),
            "trend": trend,
            "articles": sorted(articles.items(), key=lambda tc: (-tc[1], tc[0])),
            "statuses": [(s, statuses[s]) for s in store.STATUSES if statuses[s]],
            "excerpts": [" ".join(i.body.split())[:140] for i in members[:excerpts]],
            "items": [{"item": i, "duplicate_of": duplicate_of.get(i.comment_id),
                       "duplicates": groups.get(i.comment_id, [])} for i in members],
        })
    rows.sort(key=lambda r: (-r["week"], -r["count"], r["name"], r["id"]))
    return rows
