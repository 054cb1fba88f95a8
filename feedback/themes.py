"""Themes: feedback items about the same thing, grouped by their words, kept across weeks, corrected by people.

The automatic step (`update`) places every problem or suggestion not yet in a theme: it joins the nearest
existing theme when similar enough, and the items left over propose new themes when two or more of them are
alike. Similarity is the cosine between TF-IDF vectors of character 4-grams of the accent-folded words, so
"téléversement"/"téléverser" and "filtre"/"filter" meet; a small lexicon maps common English words onto their
French counterparts ("upload" → "televers"), so that French and English items can share a theme. Vectors are
sparse numpy arrays end to end (Rows); the waiting items are scored against the themes' centres in batches, and
only the leftovers are grouped one by one. Document frequencies come from the last weeks' items, so an item's
vector does not change when others are placed: a run goes round until nothing more joins, and the next run with
nothing new places nothing. It runs from the web app's own environment, and the same data always give the same
themes and names (stable ordering everywhere, ties broken by id or word).

People have the last word: a renamed theme keeps its name, and an item a person moved stays where it was put.
Only feedback.store writes the tables.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy
from sqlite_utils import Database

from comments_store.clock import parse_iso, to_iso

from . import store
from .text import fold

__all__ = ["JOIN_AT", "Report", "all_themes", "merge", "move", "overview", "rename", "split", "theme_names", "update"]

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
    lower = text.lower()  # folding plain ASCII changes nothing a word is made of: skip its Unicode work
    return [w for w in map(_content, _WORD.findall(lower if lower.isascii() else fold(text))) if w]


@functools.lru_cache(maxsize=100_000)
def _grams(word: str) -> tuple[str, ...]:
    # Cached: a few thousand words make up most of any week's comments.
    padded = f"<{word}>"
    if len(padded) <= 4:
        return (padded,)
    return tuple(padded[i:i + 4] for i in range(len(padded) - 3))


# The vocabulary of character 4-grams this process has met: a gram's number stays the same for the process's life,
# so that the grams of a chunk of text can be cached. Numbers are only handles: every ordering uses the grams
# themselves (see _rank), so the same data give the same themes whatever the process met before.
_VOCAB: dict[str, int] = {}
_GRAM: list[str] = []
_GROWING = threading.Lock()  # the web app may place from two requests at once


def _gram_id(gram: str) -> int:
    number = _VOCAB.get(gram)
    if number is None:
        with _GROWING:
            number = _VOCAB.get(gram)
            if number is None:
                _GRAM.append(gram)
                number = _VOCAB[gram] = len(_GRAM) - 1
    return number


@functools.lru_cache(maxsize=200_000)
def _chunk_grams(chunk: str) -> tuple[int, ...]:
    # The grams of one space-free chunk of text ("CV," or "l'envoi"). Folding never joins or splits across a
    # space, so a text's grams are its chunks' grams end to end (a property test checks it against `words`);
    # chunks repeat across comments far more than whole texts, so folding is mostly a cache hit.
    return tuple(_gram_id(g) for w in words(chunk) for g in _grams(w))


def _text_grams(text: str) -> Iterable[int]:
    # The opening of a comment says what it is about; the rest of a long one only dilutes it.
    return itertools.chain.from_iterable(map(_chunk_grams, text[:TEXT_CHARS].split()))


_ranks = numpy.zeros(0, dtype=numpy.int64)


def _rank() -> numpy.ndarray:
    """Gram number → position of the gram in alphabetical order: ties between equal weights go by the gram."""
    global _ranks
    ranks = _ranks
    if len(ranks) < len(_GRAM):
        grams = _GRAM[:]  # what another thread adds meanwhile waits for the next call
        ranks = numpy.empty(len(grams), dtype=numpy.int64)
        ranks[sorted(range(len(grams)), key=grams.__getitem__)] = numpy.arange(len(grams))
        _ranks = ranks
    return ranks


class Rows:
    """Sparse vectors end to end: vector r's grams are features[starts[r]:starts[r + 1]] (gram numbers, strongest
    first, ties by gram), with their weights; each vector has unit length."""

    def __init__(self, starts: numpy.ndarray, features: numpy.ndarray, weights: numpy.ndarray):
        self.starts, self.features, self.weights = starts, features, weights

    def __len__(self) -> int:
        return len(self.starts) - 1

    def get(self, r: int) -> dict[int, float]:
        """Vector r as {gram number: weight}, in its order."""
        a, b = self.starts[r], self.starts[r + 1]
        return dict(zip(self.features[a:b].tolist(), self.weights[a:b].tolist(), strict=True))

    def named(self, r: int) -> dict[str, float]:
        """Vector r as {gram: weight}, in its order."""
        return {_GRAM[f]: w for f, w in self.get(r).items()}

    @classmethod
    def strongest(cls, rows: numpy.ndarray, features: numpy.ndarray, weights: numpy.ndarray, n: int,
                  keep: int) -> Rows:
        """From (row, gram, weight) triples, one triple per (row, gram): each row's `keep` strongest grams, ties by
        gram, scaled to unit length. Rows without any triple are empty."""
        alphabet = _rank()
        ranks = alphabet[features]
        strengths, strength = numpy.unique(-weights, return_inverse=True)  # 0 for the strongest weight
        if n * len(strengths) * len(alphabet) < 2 ** 63:
            # One sort on a single integer key: four to five times quicker than lexsort's three sorts.
            order = numpy.argsort((rows * len(strengths) + strength.reshape(-1)) * len(alphabet) + ranks)
        else:
            order = numpy.lexsort((ranks, strength.reshape(-1), rows))
        rows, features, weights = rows[order], features[order], weights[order]
        sizes = numpy.bincount(rows, minlength=n)
        within = numpy.arange(len(rows)) - numpy.repeat(numpy.cumsum(sizes) - sizes, sizes)
        kept = within < keep
        rows, features, weights = rows[kept], features[kept], weights[kept]
        norms = numpy.sqrt(numpy.bincount(rows, weights * weights, minlength=n))
        norms[norms == 0.0] = 1.0
        starts = numpy.zeros(n + 1, dtype=numpy.int64)
        numpy.cumsum(numpy.minimum(sizes, keep), out=starts[1:])
        return cls(starts, features, weights / norms[rows])

    def entries(self, chosen: list[int] | numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
        """(position in `chosen`, gram, weight) of every gram of the chosen vectors, in order."""
        chosen = numpy.asarray(chosen, dtype=numpy.int64)
        first = self.starts[chosen]
        sizes = self.starts[chosen + 1] - first
        at = numpy.repeat(first - numpy.cumsum(sizes) + sizes, sizes) + numpy.arange(sizes.sum())
        return numpy.repeat(numpy.arange(len(chosen)), sizes), self.features[at], self.weights[at]


class Vectoriser:
    """TF-IDF over character 4-grams (sublinear term frequency, smoothed inverse document frequency), each text
    cut to its strongest ITEM_FEATURES grams. Document frequencies come from the first `documents` texts (all by
    default): the others are vectorised against them, as texts the frequencies were not drawn from."""

    def __init__(self, texts: Iterable[str], documents: int | None = None):
        grams = [tuple(_text_grams(t)) for t in texts]
        n = len(grams)
        sizes = [len(g) for g in grams]
        flat = numpy.fromiter(itertools.chain.from_iterable(grams), dtype=numpy.int64, count=sum(sizes))
        vocabulary = max(len(_GRAM), 1)
        pairs, counts = numpy.unique(numpy.repeat(numpy.arange(n, dtype=numpy.int64), sizes) * vocabulary + flat,
                                     return_counts=True)
        rows, features = numpy.divmod(pairs, vocabulary)
        documents = n if documents is None else documents
        self.df = numpy.bincount(features[rows < documents], minlength=vocabulary)
        self.idf_of = numpy.log((1 + max(documents, 1)) / (1 + self.df)) + 1.0
        self.rows = Rows.strongest(rows, features, (1.0 + numpy.log(counts)) * self.idf_of[features], n,
                                   ITEM_FEATURES)

    @functools.cached_property
    def idf(self) -> dict[str, float]:
        """gram → inverse document frequency, for the grams of the counted texts (names weigh words by it)."""
        return {_GRAM[f]: w for f, w in zip(numpy.flatnonzero(self.df).tolist(),
                                            self.idf_of[self.df > 0].tolist(), strict=True)}

    def vector(self, i: int) -> dict[str, float]:
        return self.rows.named(i)


def centres(vectors: Rows, samples: list[list[int]]) -> Rows:
    """The centre of each sample (a list of vector positions): the sum of its vectors, cut to its THEME_FEATURES
    strongest grams, scaled to unit length. Sums run vector after vector in the sample's order."""
    flat = [p for sample in samples for p in sample]
    owner = numpy.repeat(numpy.arange(len(samples), dtype=numpy.int64), [len(s) for s in samples])
    at, features, weights = vectors.entries(flat)
    keys, inverse = numpy.unique(owner[at] * max(len(_GRAM), 1) + features, return_inverse=True)
    totals = numpy.bincount(inverse, weights)
    rows, features = numpy.divmod(keys, max(len(_GRAM), 1))
    return Rows.strongest(rows, features, totals, len(samples), THEME_FEATURES)


class _Index:
    """Centres searchable by feature: only centres sharing a feature with an item are scored."""

    def __init__(self):
        self.postings: defaultdict[object, list[tuple[int, float]]] = defaultdict(list)

    def add(self, key: int, centre: dict, keep: int | None = None) -> None:
        # A centre may be indexed by its strongest features only: they carry nearly all of any similarity
        # above the threshold, and they keep the lists short.
        for f, w in list(centre.items())[:keep]:
            self.postings[f].append((key, w))

    def nearest(self, v: dict) -> tuple[int | None, float]:
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
    """The themes' centres, fixed for a round, scored for many items at once with numpy: the products of an
    item's grams with the centres' weights are summed in C rather than one Python step per (gram, theme) pair.
    The same products summed in the same order as _Index does, so the same scores to the last bit, and ties go
    to the smallest key as there."""

    BLOCK = 512  # items scored together: bounds the score matrix to BLOCK × themes

    def __init__(self, keys: list[int], centres: Rows):
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.keys = [keys[p] for p in order]
        positions, features, weights = centres.entries(order)
        # Postings by gram (each gram's in the order of the keys): gram g's run from starts[g] to starts[g + 1].
        by_gram = numpy.argsort(features, kind="stable")
        self.positions, self.weights = positions[by_gram], weights[by_gram]
        self.starts = numpy.zeros(len(_GRAM) + 1, dtype=numpy.int64)
        numpy.cumsum(numpy.bincount(features, minlength=len(_GRAM)), out=self.starts[1:])

    def nearest_many(self, items: Rows, chosen: list[int]) -> list[tuple[int | None, float]]:
        """For each chosen item (a position in `items`): (key of its nearest centre, score), (None, 0.0) if none
        shares a gram with it."""
        found: list[tuple[int | None, float]] = []
        for start in range(0, len(chosen), self.BLOCK):
            block = chosen[start:start + self.BLOCK]
            scores = numpy.zeros((len(block), max(1, len(self.keys))))
            rows, features, item_weights = items.entries(block)
            known = features < len(self.starts) - 1  # grams met after the centres were drawn
            rows, features, item_weights = rows[known], features[known], item_weights[known]
            first = self.starts[features]
            lengths = self.starts[features + 1] - first
            # Every posting of every (item, gram) pair, in order: a run of indices per pair.
            at = numpy.repeat(first - numpy.cumsum(lengths) + lengths, lengths) + numpy.arange(lengths.sum())
            products = numpy.repeat(item_weights, lengths) * self.weights[at]
            # add.at adds in the order given: for each (item, theme), gram after gram, as _Index does.
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
    A run settles: run again with nothing new, it places nothing.
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
    window = next(i for i, p in enumerate(pool) if p[1] >= since)  # pool is ordered by created_at, id
    waiting = [i for i in range(window, len(pool)) if pool[i][3] is None]
    if not waiting:
        return report
    theme_of = {i: p[3] for i, p in enumerate(pool) if p[3] is not None}
    # Document frequencies come from the window's items, placed or not: placing changes none of them, so every
    # item keeps its vector from one run to the next. Older items are vectorised only where they are among
    # their theme's CENTRE_ITEMS newest, the texts a theme's centre is drawn from.
    older = sorted({i for members in _members(theme_of).values() for i in members[-CENTRE_ITEMS:] if i < window})
    at = list(range(window, len(pool))) + older
    row = {i: r for r, i in enumerate(at)}
    vectoriser = Vectoriser((pool[i][2] for i in at), documents=len(pool) - window)
    vectors = vectoriser.rows
    rarities: dict[str, float] = {}
    grown: set[int] = set()
    changed = None  # the themes whose centre moved in the last round; None: every theme, in the first
    while waiting:
        # Each round scores what waits against the themes' centres, each drawn from its CENTRE_ITEMS newest items as
        # the last round left them, until a round places nothing: a centre moves as items join it, and may then
        # reach an item it missed. Only the first round proposes new themes: what is left after it are items
        # that led a group of their own in it, each too far from every earlier leader, and a subset of them
        # leads the same way again (see _leaders). After the first round, only the centres that moved are scored:
        # every other was below JOIN_AT for every item still waiting, so the nearest above it is among them.
        members = _members(theme_of)
        keys = sorted(members if changed is None else changed & members.keys())
        index = _FixedIndex(keys, centres(vectors, [[row[i] for i in members[t][-CENTRE_ITEMS:]] for t in keys]))
        joins, left = [], []
        for i, (theme_id, score) in zip(waiting, index.nearest_many(vectors, [row[i] for i in waiting]), strict=True):
            if theme_id is not None and score >= JOIN_AT:
                joins.append((i, theme_id))
            else:
                left.append(i)
        groups = [g for g in _leaders(vectors, [row[i] for i in left]) if len(g) >= 2] if changed is None else []
        if not joins and not groups:
            break
        proposed = [(name_for([pool[left[m]][2] for m in g[-CENTRE_ITEMS:]], vectoriser.idf, rarities),
                     [pool[left[m]][0] for m in g]) for g in groups]
        created = store.save_theme_placements(db, [(pool[i][0], t) for i, t in joins], proposed)
        report.joined += len(joins)
        report.new_themes += created
        report.placed_in_new += sum(len(ids) for _, ids in proposed)
        grown.update(t for _, t in joins)
        changed = {t for _, t in joins} | set(created)
        # Where the items really are now: an item placed meanwhile (a person, another machine) kept its place.
        placed = store.theme_members(db)
        theme_of = {i: placed[p[0]] for i, p in enumerate(pool) if p[0] in placed}
        waiting = [i for i in left if i not in theme_of]
    _rename_grown(db, grown, vectoriser.idf, rarities)
    return report


def _members(theme_of: dict[int, int]) -> dict[int, list[int]]:
    # theme → its items' pool positions, oldest first.
    members: defaultdict[int, list[int]] = defaultdict(list)
    for i in sorted(theme_of):
        members[theme_of[i]].append(i)
    return members


def _leaders(vectors: Rows, chosen: list[int]) -> list[list[int]]:
    """Leader clustering of the chosen vectors, in order: each joins the nearest earlier leader it is similar
    enough to, or leads a group of its own. Returns the groups (positions in `chosen`), by leader.

    An item that led its group was too far from every earlier leader; among a subset of the items, its earlier
    leaders are a subset of those: it leads again, alone. That is why a second round proposes nothing."""
    leaders = _Index()
    groups: dict[int, list[int]] = {}
    group_of: dict[bytes, int] = {}  # the same words go to the same place
    for m, r in enumerate(chosen):
        a, b = vectors.starts[r], vectors.starts[r + 1]
        same = vectors.features[a:b].tobytes() + vectors.weights[a:b].tobytes()
        if same in group_of:
            groups[group_of[same]].append(m)
            continue
        v = vectors.get(r)
        leader, score = leaders.nearest(v)
        if leader is None or score < JOIN_AT:
            leader = m
            groups[leader] = []
            leaders.add(leader, v, LEADER_FEATURES)
        groups[leader].append(m)
        group_of[same] = leader
    return [groups[k] for k in sorted(groups)]


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
