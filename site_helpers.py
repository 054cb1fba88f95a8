"""Theme helpers for Pelican: UI strings in French or English, localised dates, reading time.

Loaded both as a Pelican plugin (reading time) and from pelicanconf.py
(Jinja globals and filters), so the theme needs no system locale.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_month_names
from jinja2 import pass_context
from pelican import signals

__all__ = ["UI_STRINGS", "comment_date", "count_label", "iso_date", "long_date", "minified_copy", "minify_js",
           "reading_minutes", "register", "translate", "write_minified"]

UI_STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "skip": "Aller au contenu",
        "main_nav": "Navigation principale",
        "home": "Accueil",
        "archives": "Archives",
        "categories": "Catégories",
        "tags": "Étiquettes",
        "feed": "Flux Atom",
        "feed_category": "Flux Atom de cette catégorie",
        "read_more": "Lire la suite",
        "read_more_of": "Lire la suite de « {title} »",
        "reading_time": "{n} min de lecture",
        "published": "Publié le",
        "in_category": "Catégorie :",
        "tagged": "Étiquettes :",
        "pagination": "Pagination",
        "previous": "Page précédente",
        "next": "Page suivante",
        "page_of": "Page {n} sur {total}",
        "translations": "Aussi disponible en :",
        "comments": "Commentaires",
        "notice_pending": "Merci ! Votre commentaire sera publié après modération.",
        "leave_comment": "Laisser un commentaire",
        "f_name": "Nom",
        "f_email": "E-mail (facultatif)",
        "f_email_help": "Jamais publié. Il sert seulement à vous répondre si vous le demandez.",
        "f_website": "Site web (facultatif)",
        "f_body": "Commentaire",
        "f_body_help": "Markdown simple : **gras**, *italique*, listes, liens. 5 000 caractères au plus.",
        "f_honeypot": "Laissez ce champ vide",
        "share": "Partager",
        "share_email": "E-mail",
        "share_copy": "Copier le lien",
        "share_copied": "Lien copié",
        "comments_feed_of": "Commentaires — {title}",
        "comments_feed_site": "Flux des commentaires",
        "f_notify_replies": "Prévenez-moi par e-mail des réponses à mes commentaires sous cet article (une par heure au plus, désinscription en un clic)",
        "f_send": "Envoyer",
        "f_notify": "Prévenez-moi par e-mail quand l'équipe donne suite (une seule fois, désinscription en un clic)",
        "count_zero": "Aucun commentaire",
        "count_one": "1 commentaire",
        "count_many": "{n} commentaires",
        "reply": "Répondre",
        "reply_to": "Répondre à {name}",
        "permalink": "Lien vers ce commentaire",
        "deleted": "Commentaire supprimé.",
        "team": "Équipe",
        "no_comments": "Soyez la première personne à commenter.",
        "comments_feed": "Flux des commentaires",
        "js_sending": "Envoi…",
        "js_published": "Merci ! Votre commentaire est publié.",
        "js_error": "L'envoi a échoué. Vérifiez votre connexion et réessayez.",
        "js_preview": "Aperçu",
        "js_cancel": "Annuler",
        "js_edit": "Modifier",
        "js_delete": "Supprimer",
        "js_save": "Enregistrer",
        "js_confirm_delete": "Supprimer ce commentaire ?",
        "category_title": "Catégorie : {name}",
        "tag_title": "Étiquette : {name}",
        "articles_count": "{n} article(s)",
        "not_found_title": "Page introuvable",
        "not_found_text": "Cette adresse ne mène à aucune page. Elle a peut-être changé, ou l'article n'existe plus.",
        "not_found_back": "Revenir à l'accueil",
        "footer": "Pied de page",
        "no_articles": "Aucun article pour le moment.",
        "by": "par",
        "lang_fr": "français",
        "lang_en": "anglais",
        "lang_ar": "arabe",
    },
    "en": {
        "skip": "Skip to content",
        "main_nav": "Main navigation",
        "home": "Home",
        "archives": "Archives",
        "categories": "Categories",
        "tags": "Tags",
        "feed": "Atom feed",
        "feed_category": "Atom feed for this category",
        "read_more": "Read more",
        "read_more_of": "Read more of “{title}”",
        "reading_time": "{n} min read",
        "published": "Published on",
        "in_category": "Category:",
        "tagged": "Tags:",
        "pagination": "Pagination",
        "previous": "Previous page",
        "next": "Next page",
        "page_of": "Page {n} of {total}",
        "translations": "Also available in:",
        "comments": "Comments",
        "notice_pending": "Thank you! Your comment will appear once approved.",
        "leave_comment": "Leave a comment",
        "f_name": "Name",
        "f_email": "E-mail (optional)",
        "f_email_help": "Never shown. Only used to answer you if you ask.",
        "f_website": "Website (optional)",
        "f_body": "Comment",
        "f_body_help": "Simple Markdown: **bold**, *italics*, lists, links. 5,000 characters at most.",
        "f_honeypot": "Leave this field empty",
        "share": "Share",
        "share_email": "E-mail",
        "share_copy": "Copy link",
        "share_copied": "Link copied",
        "comments_feed_of": "Comments — {title}",
        "comments_feed_site": "Comments feed",
        "f_notify_replies": "E-mail me replies to my comments under this post (one an hour at most, one-click unsubscribe)",
        "f_send": "Send",
        "f_notify": "E-mail me when the team acts on this (once, one-click unsubscribe)",
        "count_zero": "No comments",
        "count_one": "1 comment",
        "count_many": "{n} comments",
        "reply": "Reply",
        "reply_to": "Reply to {name}",
        "permalink": "Link to this comment",
        "deleted": "Comment deleted.",
        "team": "Team",
        "no_comments": "Be the first to comment.",
        "comments_feed": "Comments feed",
        "js_sending": "Sending…",
        "js_published": "Thank you! Your comment is published.",
        "js_error": "Sending failed. Check your connection and try again.",
        "js_preview": "Preview",
        "js_cancel": "Cancel",
        "js_edit": "Edit",
        "js_delete": "Delete",
        "js_save": "Save",
        "js_confirm_delete": "Delete this comment?",
        "category_title": "Category: {name}",
        "tag_title": "Tag: {name}",
        "articles_count": "{n} post(s)",
        "not_found_title": "Page not found",
        "not_found_text": "Nothing lives at this address. It may have moved, or the post is gone.",
        "not_found_back": "Back to the home page",
        "footer": "Footer",
        "no_articles": "No posts yet.",
        "by": "by",
        "lang_fr": "French",
        "lang_en": "English",
        "lang_ar": "Arabic",
    },
}


def _lang(context, lang: str | None) -> str:
    lang = (lang or context.get("DEFAULT_LANG") or "fr").split("-")[0].lower()
    return lang if lang in UI_STRINGS else "fr"


@pass_context
def translate(context, key: str, lang: str | None = None, **values) -> str:
    """Return the UI string `key` in `lang` (default: the site's DEFAULT_LANG)."""
    text = _ui_string(key, lang or context.get("DEFAULT_LANG") or "fr")
    return text.format(**values) if values else text


@functools.lru_cache(maxsize=4096)
def _ui_string(key: str, lang: str) -> str:
    # A large blog's build asks for these strings about a hundred times per page.
    strings = UI_STRINGS[_lang({}, lang)]
    return strings.get(key) or UI_STRINGS["fr"][key]


def long_date(value: dt.date, lang: str = "fr") -> str:
    """'3 novembre 2026' or 'November 3, 2026', without relying on system locales."""
    lang = lang if lang in UI_STRINGS else "fr"
    # Babel reads only the date; a large blog shows each date on several pages, so each is formatted once.
    return _long_date(value.date() if isinstance(value, dt.datetime) else value, lang)


@functools.lru_cache(maxsize=8192)
def _long_date(day: dt.date, lang: str) -> str:
    return format_date(day, format="long", locale=lang)


def iso_date(value: dt.date) -> str:
    return value.isoformat()


_DATETIME_PATTERNS = {"fr": "d MMMM y 'à' HH:mm", "en": "d MMMM y 'at' HH:mm"}
# The same patterns, filled without Babel's pattern machinery (20,000 comments are 20,000 dates; the test
# checks both give the same text).
_DATETIME_FORMATS = {"fr": "{d} {month} {y} à {hm}", "en": "{d} {month} {y} at {hm}"}


@functools.lru_cache(maxsize=None)
def _month_names(lang: str) -> dict[int, str]:
    return dict(get_month_names("wide", context="format", locale=lang))


@pass_context
def comment_date(context, value: str, lang: str = "fr") -> str:
    """'26 novembre 2026 à 14:05' in the site's time zone, from a stored UTC ISO string."""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(ZoneInfo(context.get("TIMEZONE")
                                                                                         or "UTC"))
    lang = lang if lang in _DATETIME_FORMATS else "fr"
    # (The hour by hand: strftime took half of this function's time, once per comment.)
    return _DATETIME_FORMATS[lang].format(d=moment.day, month=_month_names(lang)[moment.month], y=moment.year,
                                          hm=f"{moment.hour:02d}:{moment.minute:02d}")


@pass_context
def count_label(context, n: int, lang: str | None = None) -> str:
    """'Aucun commentaire', '1 commentaire', '3 commentaires' (or English)."""
    key = "count_zero" if n == 0 else "count_one" if n == 1 else "count_many"
    return translate(context, key, lang, n=n)


_TAG = re.compile(r"<[^>]+>")


def reading_minutes(html: str, words_per_minute: int = 200) -> int:
    """Minutes a reader needs for `html`, never less than one."""
    words = len(_TAG.sub(" ", html).split())
    return max(1, math.ceil(words / max(1, words_per_minute)))


def _add_reading_time(content) -> None:
    # Only articles and pages carry text worth timing.
    if not hasattr(content, "_content") or content._content is None:
        return
    wpm = content.settings.get("WORDS_PER_MINUTE", 200)
    content.reading_time = reading_minutes(content._content, wpm)


def minify_js(source: str) -> str:
    """Whitespace out, local names shortened (calmjs.parse, a pure-Python ES5 parser)."""
    from calmjs.parse import es5
    from calmjs.parse.unparsers.es5 import minify_print

    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


def minified_copy(theme: Path, script: Path) -> Path:
    """Where the theme keeps the minified copy of `script` (one of its static/js files) for its current text."""
    digest = hashlib.sha256(script.read_bytes()).hexdigest()[:16]
    return Path(theme) / "minified" / f"{script.stem}-{digest}.js"


def write_minified(theme: Path) -> list[Path]:
    """Minify every script of the theme into theme/minified/, dropping the copies of older versions."""
    theme = Path(theme)
    written = []
    for script in sorted((theme / "static" / "js").glob("*.js")):
        kept = minified_copy(theme, script)
        kept.parent.mkdir(exist_ok=True)
        kept.write_text("/*!min*/" + minify_js(script.read_text(encoding="utf-8")), encoding="utf-8")
        written.append(kept)
    for old in (theme / "minified").glob("*.js"):
        if old not in written:
            old.unlink()
    return written


def _minify_theme_scripts(pelican) -> None:
    # Readers download the minified script; the readable one stays in theme/static/js.
    if not pelican.settings.get("MINIFY_JS", True):
        return
    folder = Path(pelican.settings["OUTPUT_PATH"]) / pelican.settings.get("THEME_STATIC_DIR", "theme") / "js"
    cache = Path(pelican.settings.get("CACHE_PATH") or "cache") / "minified-js"
    for path in folder.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        if source.startswith("/*!min*/"):
            continue
        # Minifying takes 0.2 s of CPU (a fifth of what our build adds to plain Pelican's on a one-post blog), at
        # every cold build. So the theme keeps the minified copy of each script beside it, named by the hash of
        # the script's text: committed with the script (`python -m site_helpers` writes it; a test fails while it
        # is missing or stale), it serves every build, cold or not, on any machine. A script edited since, with no
        # copy yet, is minified here: once per version with the content cache on, else at every build.
        try:
            minified = minified_copy(pelican.settings["THEME"], path).read_text(encoding="utf-8")
        except OSError:
            minified = None
        kept = cache / (hashlib.sha256(source.encode()).hexdigest() + ".js")
        use_cache = pelican.settings.get("CACHE_CONTENT")
        if minified is None and use_cache:
            try:
                minified = kept.read_text(encoding="utf-8")
            except OSError:
                pass
        if minified is None:
            minified = "/*!min*/" + minify_js(source)
            if use_cache:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_text(minified, encoding="utf-8")
        path.write_text(minified, encoding="utf-8")


def register() -> None:
    signals.content_object_init.connect(_add_reading_time)
    signals.finalized.connect(_minify_theme_scripts)


if __name__ == "__main__":
    # After editing a script of the theme: write its minified copy, to commit with it.
    for written in write_minified(Path(__file__).resolve().parent / "theme"):
        print(written)
