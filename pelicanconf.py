"""Pelican settings for building and previewing the blog on this machine.

Everything that differs per installation comes from BOUCLE_* environment
variables, so `make run`, the tests and production read the same file.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import site_helpers  # noqa: E402  (needs the path above)

AUTHOR = "L'équipe Atlas Emploi"
SITENAME = os.environ.get("BOUCLE_SITENAME", "Le blog Atlas Emploi")
SITESUBTITLE = "Conseils, recrutement et nouveautés du site d'emploi marocain"
PORT = int(os.environ.get("BOUCLE_PORT", "8000"))
SITEURL = os.environ.get("BOUCLE_SITEURL", f"http://127.0.0.1:{PORT}").rstrip("/")
# Links inside pages are relative while previewing, so the site works on any
# port; feeds and the sitemap still need the absolute SITEURL above.
RELATIVE_URLS = True
FEED_DOMAIN = SITEURL

PATH = "content"
OUTPUT_PATH = os.environ.get("BOUCLE_OUTPUT", "output")
THEME = "theme"
TIMEZONE = os.environ.get("BOUCLE_TIMEZONE", "Africa/Casablanca")
DEFAULT_LANG = os.environ.get("BOUCLE_LANG", "fr")
DEFAULT_DATE_FORMAT = "%Y-%m-%d"
DEFAULT_PAGINATION = 5
SUMMARY_MAX_LENGTH = 40
WORDS_PER_MINUTE = 200

# Clean URLs: /mon-article/ rather than /mon-article.html.
ARTICLE_URL = "{slug}/"
ARTICLE_SAVE_AS = "{slug}/index.html"
ARTICLE_LANG_URL = "{lang}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
DRAFT_URL = "brouillons/{slug}/"
DRAFT_SAVE_AS = "brouillons/{slug}/index.html"
DRAFT_LANG_URL = "brouillons/{lang}/{slug}/"
DRAFT_LANG_SAVE_AS = "brouillons/{lang}/{slug}/index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
PAGE_LANG_URL = "{lang}/pages/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/pages/{slug}/index.html"
CATEGORY_URL = "categorie/{slug}/"
CATEGORY_SAVE_AS = "categorie/{slug}/index.html"
TAG_URL = "etiquette/{slug}/"
TAG_SAVE_AS = "etiquette/{slug}/index.html"
CATEGORIES_URL = "categories/"
CATEGORIES_SAVE_AS = "categories/index.html"
TAGS_URL = "etiquettes/"
TAGS_SAVE_AS = "etiquettes/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
# One team writes the blog: no per-author pages.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "categories", "tags", "archives", "404"]
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Atom feeds: everything, and one per category.
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/categorie/{slug}.atom.xml"
FEED_ALL_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

STATIC_PATHS = ["images", "extra"]
EXTRA_PATH_METADATA = {
    "extra/robots.txt": {"path": "robots.txt"},
    "extra/favicon.svg": {"path": "favicon.svg"},
}

PLUGINS = ["pelican.plugins.sitemap", "site_helpers", "site_schedule", "pelican_comments",
           "pelican_comments.done_page"]
INSTANCE = os.environ.get("BOUCLE_INSTANCE") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance")
# Where the comment form posts; empty means the same origin as the blog (/api).
COMMENTS_API_URL = os.environ.get("BOUCLE_API_URL", "").rstrip("/")
COMMENTS = {
    "db": os.environ.get("BOUCLE_DATABASE_URL") or os.environ.get("BOUCLE_DB") or os.path.join(INSTANCE, "boucle.db"),
    "max_depth": int(os.environ.get("BOUCLE_MAX_DEPTH") or 3),
}
SITEMAP = {
    "format": "xml",
    "priorities": {"articles": 0.8, "indexes": 0.5, "pages": 0.4},
    "changefreqs": {"articles": "weekly", "indexes": "daily", "pages": "monthly"},
}

MENUITEMS = ()
DISPLAY_PAGES_ON_MENU = True
DISPLAY_CATEGORIES_ON_MENU = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        # Python-Markdown's toc (ids on headings), skipping the texts without headings (every Summary).
        "site_markdown:HeadingsOnlyTocExtension": {"permalink": False},
        # Python-Markdown's smarty (typographic quotes, dashes, ellipses), skipping the texts it would not change.
        "site_markdown": {"smart_angled_quotes": False},
    },
    "output_format": "html5",
}

# One Markdown instance for every post instead of one each (site_markdown.py says why).
import site_markdown  # noqa: E402

READERS = {ext: site_markdown.ReusedMarkdownReader for ext in site_markdown.ReusedMarkdownReader.file_extensions}

JINJA_GLOBALS = {"t": site_helpers.translate}
JINJA_FILTERS = {
    "longdate": site_helpers.long_date,
    "isodate": site_helpers.iso_date,
    "comment_date": site_helpers.comment_date,
    "count_label": site_helpers.count_label,
}

# Canonical links only make sense on the public URL; share cards (OpenGraph, Twitter) are on every build.
SEO_TAGS = False
# The picture of a shared post without an `Image:` of its own (1200×630).
SHARE_IMAGE = "images/partage.png"

CACHE_PATH = os.environ.get("BOUCLE_CACHE", "cache")
