"""Bake only what changed: which pages show the comments that changed since the last bake, and a writer that
renders only those.

Pelican 4.12 removed WRITE_SELECTED, so the choice is made here, page by page, from what each page shows: an
article page (or a translation) whose thread changed, a listing page whose articles' counts changed. Every other
page goes through Pelican's writer as usual (so the sitemap still hears of it) but is neither rendered nor written.
After every bake a record (in CACHE_PATH) notes each thread's change counter and visible count, the files written
and a fingerprint of the sources; a selective bake that cannot trust it raises NotSelective and the plugin bakes
every page instead.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field

from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import sanitised_join
from pelican.writers import Writer

log = logging.getLogger(__name__)

RECORD_NAME = "pelican_comments-bake.json"
_VERSION = 1


# Other data of the database that pages show (e.g. the feedback items a "done" page lists and the threads link
# to): functions of the open database whose value changes with it. When one's value differs from the last
# bake's, every page is baked (such changes are rare team actions).
EXTRA_STATES: list = []


def depends_on(state) -> None:
    """Bake every page when `state(db)` changes: for plugins that bake other data of the store into pages."""
    if state not in EXTRA_STATES:
        EXTRA_STATES.append(state)


def extra_state(db) -> list[str]:
    return [repr(state(db)) for state in EXTRA_STATES]


class NotSelective(Exception):
    """A selective bake cannot be trusted here (no record, another site, changed sources, missing output)."""


@dataclass
class Plan:
    """What this build shows of the comments and, for a selective bake, which threads to write again."""

    selective: bool
    changed: set[str] = field(default_factory=set)  # threads whose comments changed: their pages, their feeds
    recounted: set[str] = field(default_factory=set)  # threads whose visible count changed: listing pages too
    always: set[str] = field(default_factory=set)  # output paths rendered in every bake (COMMENTS always_write)
    record: dict = field(default_factory=dict)  # the new record, written when the build has finished
    previous_files: list[str] = field(default_factory=list)
    extra_files: list[str] = field(default_factory=list)  # written outside Pelican's writer (the comment feeds)
    latest: list = field(default_factory=list)  # the site-wide feed's comments, newest first (selective bakes)
    writer: Writer | None = None
    generator: object = None  # Pelican's ArticlesGenerator of this build (a warm baker writes with it again)

    def shows_changes(self, name: str, context: dict) -> bool:
        """Whether the page about to be written at `name` shows anything that changed."""
        if not self.selective or name in self.always:
            return True
        article = context.get("article")
        if article is not None and getattr(article, "slug", None) in self.changed:
            return True
        page = context.get("articles_page")
        if page is not None and self.recounted:
            return any(getattr(a, "slug", None) in self.recounted for a in page.object_list)
        return False


def record_path(settings: dict) -> str:
    return os.path.join(settings.get("CACHE_PATH") or "cache", RECORD_NAME)


def sources_fingerprint(settings: dict, articles) -> str:
    """Changes whenever Pelican would build other pages: content, theme, settings or the set of articles."""
    digest = hashlib.sha256()
    for root in (settings.get("PATH"), settings.get("THEME")):
        if not root or not os.path.isdir(root):
            continue
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    plain = {k: v for k, v in settings.items() if k not in ("COMMENTS_ONLY_CHANGED", "CACHE_CONTENT",
                                                            "LOAD_CONTENT_CACHE")}
    try:
        digest.update(json.dumps(plain, sort_keys=True, default=lambda o: type(o).__name__).encode())
    except (TypeError, ValueError):
        digest.update(repr(sorted(plain)).encode())
    for a in articles:  # a scheduled post that became due, a draft published: other pages
        digest.update(f"{a.slug}\0{a.lang}\0{a.status}\0{a.source_path}\n".encode())
    return digest.hexdigest()


def new_record(output_path: str, db_path: str, fingerprint: str, changes: dict[str, int],
               counts: dict[str, int], extra: list[str] | None = None) -> dict:
    return {"version": _VERSION, "output": os.path.abspath(output_path), "db": str(db_path),
            "sources": fingerprint, "threads": {slug: [n, counts.get(slug, 0)] for slug, n in changes.items()},
            "extra": extra or []}


def read_record(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
    except FileNotFoundError:
        raise NotSelective(f"no record of the last bake ({path})") from None
    except (OSError, ValueError) as exc:
        raise NotSelective(f"the record of the last bake is unreadable ({path}: {exc})") from None
    if not isinstance(record, dict) or record.get("version") != _VERSION or not isinstance(record.get("threads"), dict) \
            or not isinstance(record.get("files"), list):
        raise NotSelective(f"the record of the last bake is not one this version wrote ({path})")
    return record


def plan_selective(previous: dict, current: dict, output_path: str, always: set[str]) -> Plan:
    """Compare the last bake's record with the database now; NotSelective if the output may not match it."""
    for key, what in (("output", "output folder"), ("db", "database"), ("sources", "content, theme or settings"),
                      ("extra", "other published data (EXTRA_STATES)")):
        if previous.get(key) != current[key]:
            raise NotSelective(f"the {what} changed since the last bake")
    missing = [f for f in previous["files"] if not os.path.isfile(os.path.join(output_path, f))]
    if missing:
        raise NotSelective(f"{len(missing)} file(s) of the last bake are missing from the output, e.g. {missing[0]}")
    before, now = previous["threads"], current["threads"]
    changed = {slug for slug in before.keys() | now.keys() if before.get(slug) != now.get(slug)}
    recounted = {slug for slug in changed if (before.get(slug) or [0, 0])[1] != (now.get(slug) or [0, 0])[1]}
    return Plan(True, changed, recounted, always, current, list(previous["files"]))


def write_record(plan: Plan, path: str, output_path: str) -> dict:
    """Note what the output now shows; written to a new file first, so a crash leaves the old record whole."""
    written = set(plan.previous_files)
    if plan.writer is not None:
        written.update(os.path.relpath(p, output_path) for p in plan.writer.files_written())
    written.update(os.path.relpath(p, output_path) for p in plan.extra_files)
    record = {**plan.record, "files": sorted(written)}
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(tmp, path)
    return record


def forget_record(path: str) -> None:
    """A failed bake leaves the output in an unknown state: the next bake must write every page."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


class _Pick:
    """A template that renders only the pages the plan wants; the others render to nothing and are not written."""

    def __init__(self, template, writer: SelectiveWriter):
        self.template, self.writer = template, writer

    def render(self, context: dict) -> str:
        name = context["output_file"]
        if self.writer.plan.shows_changes(name, context):
            return self.template.render(context)
        self.writer.skipped.add(sanitised_join(self.writer.output_path, name))
        return ""

    def __getattr__(self, name):
        return getattr(self.template, name)


class SelectiveWriter(Writer):
    """Pelican's writer, writing only the pages the plan picks (every page, for a full bake)."""

    plan: Plan

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.skipped: set[str] = set()
        self.plan.writer = self

    def write_file(self, name, template, context, relative_urls=False, paginated=None, template_name=None,
                   override_output=False, url=None, **kwargs):
        if not self.plan.selective:
            return super().write_file(name, template, context, relative_urls, paginated, template_name,
                                      override_output, url, **kwargs)
        template = _Pick(template, self)
        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}
        if not (name and paginated and template_name in self.settings["PAGINATED_TEMPLATES"]):
            return super().write_file(name, template, context, relative_urls, paginated, template_name,
                                      override_output, url, **kwargs)
        # A listing of 2,000 articles is 400 pages: only those showing a recounted article are prepared at all.
        # The pages are built as Pelican's Writer.write_file builds them, one write_file call each.
        per_page = self.settings["PAGINATED_TEMPLATES"][template_name] or self.settings["DEFAULT_PAGINATION"]
        paginators = {key: Paginator(name, url, val, self.settings, per_page) for key, val in paginated.items()}
        shown = paginators.get("articles") or next(iter(paginators.values()))
        for page_num in range(shown.num_pages):
            page = shown.page(page_num + 1)
            if page.save_as not in self.plan.always and not any(
                    getattr(a, "slug", None) in self.plan.recounted for a in page.object_list):
                # Not rendered, but announced as Pelican would (the sitemap lists every page written).
                signals.content_written.send(sanitised_join(self.output_path, page.save_as),
                                             context={"output_file": page.save_as})
                continue
            paginated_kwargs = kwargs.copy()
            for key, paginator in paginators.items():
                paginated_kwargs.update({
                    f"{key}_paginator": paginator,
                    f"{key}_page": paginator.page(page_num + 1),
                    f"{key}_previous_page": paginator.page(page_num) if page_num > 0 else None,
                    f"{key}_next_page": paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None,
                })
            super().write_file(paginator.page(page_num + 1).save_as, template, context, relative_urls, {}, None,
                               override_output, url, **paginated_kwargs)
        return None

    def write_feed(self, *args, **kwargs):
        # Pelican's own feeds (articles, categories) show no comments.
        if self.plan.selective:
            return None
        return super().write_feed(*args, **kwargs)

    def _open_w(self, filename, encoding, override=False):
        if filename in self.skipped:
            return open(os.devnull, "w", encoding=encoding)
        return super()._open_w(filename, encoding, override)

    def files_written(self) -> set[str]:
        return (self._written_files | self._overridden_files) - self.skipped - {os.devnull}


def writer_for(plan: Plan) -> type[Writer]:
    return type("SelectiveWriter", (SelectiveWriter,), {"plan": plan})
