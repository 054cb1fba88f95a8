"""/admin/themes: product owners see feedback grouped in themes, and rename, merge, split, move and mark duplicates.

Same log-in and CSRF protection as moderation. Themes and duplicates are read and written through
feedback.themes and feedback.store (their owners); closing a group of duplicates goes through loop.close_group.
"""
from __future__ import annotations

import os
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

import comments_store
import feedback
from feedback import Week, digest, themes
from feedback import store as feedback_store

from . import loop, replies
from .admin_web import texts as admin_texts
from .auth import csrf_ok, csrf_token
from .db import get_db
from .ids import parse_id
from .messages import language

bp = Blueprint("admin_themes", __name__, url_prefix="/admin/themes", template_folder="templates")

TREND_WEEKS = 4
TEXT = {
    "fr": {
        "heading": "Thèmes des retours", "moderation": "Modération", "feedback": "Retours", "themes": "Thèmes",
        "none": "Aucun thème pour l'instant : ils se forment quand deux problèmes ou suggestions se ressemblent.",
        "items": "élément(s)", "this_week": "cette semaine", "trend": "{n} dernières semaines", "named_by_human": "nommé à la main",
        "articles": "Articles", "statuses": "Statuts", "rename": "Renommer", "name": "Nouveau nom",
        "merge": "Fusionner dans ce thème", "merge_from": "Thème à fusionner", "split": "Séparer les éléments cochés",
        "split_name": "Nom du nouveau thème (facultatif)", "move": "Déplacer vers", "move_button": "Déplacer",
        "duplicate": "Doublon du n°", "duplicate_button": "Marquer", "duplicate_of": "doublon du n°{n}",
        "undo_duplicate": "Ce n'est pas un doublon", "duplicates": "{n} doublon(s)",
        "close": "Fait : répondre publiquement à tout le groupe", "reply": "Réponse publique",
        "close_button": "Publier et prévenir", "choose": "Choisir…", "show_items": "Éléments",
        "renamed": "Thème renommé.", "merged": "Thèmes fusionnés.", "split_done": "Éléments séparés dans un nouveau thème.",
        "moved": "N°{n} déplacé.", "marked": "N°{n} marqué comme doublon du n°{of}.", "unmarked": "N°{n} n'est plus un doublon.",
        "closed": "{items} élément(s) faits, {replies} réponse(s) publiée(s), {emails} lecteur(s) prévenu(s) par e-mail.",
        "mail_off": "Des lecteurs ont demandé à être prévenus, mais l'envoi d'e-mails n'est pas configuré (BOUCLE_SMTP_HOST).",
        "refused": "Refusé : {reason}", "missing": "Ce commentaire n'existe plus.", "unknown_theme": "Ce thème n'existe plus.",
        "short_reply": "La réponse publique doit faire entre 2 et 5 000 caractères ; rien n'a été publié.",
        "number": "n°{n}", "colon": " : ", "anonymous": "Anonyme",
        "reasons": {},  # the feedback store says why in French already
    },
    "en": {
        "heading": "Feedback themes", "moderation": "Moderation", "feedback": "Feedback", "themes": "Themes",
        "none": "No theme yet: themes form when two problems or suggestions are alike.",
        "items": "item(s)", "this_week": "this week", "trend": "last {n} weeks", "named_by_human": "named by hand",
        "articles": "Articles", "statuses": "Statuses", "rename": "Rename", "name": "New name",
        "merge": "Merge into this theme", "merge_from": "Theme to merge", "split": "Split the ticked items",
        "split_name": "New theme's name (optional)", "move": "Move to", "move_button": "Move",
        "duplicate": "Duplicate of no.", "duplicate_button": "Mark", "duplicate_of": "duplicate of no. {n}",
        "undo_duplicate": "Not a duplicate", "duplicates": "{n} duplicate(s)",
        "close": "Done: answer the whole group publicly", "reply": "Public reply",
        "close_button": "Publish and notify", "choose": "Choose…", "show_items": "Items",
        "renamed": "Theme renamed.", "merged": "Themes merged.", "split_done": "Items split into a new theme.",
        "moved": "No. {n} moved.", "marked": "No. {n} marked as a duplicate of no. {of}.", "unmarked": "No. {n} is no longer a duplicate.",
        "closed": "{items} item(s) done, {replies} reply(ies) published, {emails} reader(s) told by e-mail.",
        "mail_off": "Some readers asked to be told, but e-mail is not configured (BOUCLE_SMTP_HOST).",
        "refused": "Refused: {reason}", "missing": "This comment no longer exists.", "unknown_theme": "This theme no longer exists.",
        "short_reply": "The public reply must be 2 to 5,000 characters long; nothing was published.",
        "number": "no. {n}", "colon": ": ", "anonymous": "Anonymous",
        # Why a change is refused, by the rule it breaks (the store's own sentences are French).
        "reasons": {"name": "a theme's name is 1 to {max} characters long", "merge": "a theme cannot be merged into itself",
                    "split": "tick some of the theme's items, but not all of them",
                    "move": "only a problem or a suggestion goes in a theme",
                    "duplicate": "an item can only be the duplicate of another problem or suggestion"},
    },
}


def texts() -> dict:
    # Status names come from the feedback module's words, as the digest shows them.
    return {**admin_texts(), **TEXT[language()], "statuses_names": digest.WORDS[language()]["statuses"]}


def _refused(t: dict, exc: Exception, rule: str) -> str:
    """'Refused: why', in the page's language: the store's sentence in French, the rule in our words otherwise."""
    rule = "name" if isinstance(exc, feedback_store.BadThemeName) else rule
    reason = t["reasons"][rule].format(max=feedback_store.THEME_NAME_MAX) if rule in t["reasons"] else exc
    return t["refused"].format(reason=reason)


def _who() -> str:
    return session.get("who") or "admin"


@bp.before_request
def logged_in_only():
    if not session.get("admin"):
        return redirect(url_for("admin_web.queue"), code=303)
    if request.method == "POST" and not csrf_ok():
        abort(400)
    return None


@bp.after_request
def no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@bp.get("/")
def page():
    db = feedback_store.prepare(get_db())
    feedback.tag_new_comments(db)  # new problems and suggestions join their themes as they are tagged
    tz = os.environ.get("BOUCLE_TIMEZONE") or "Africa/Casablanca"
    this_week = Week.containing(comments_store.clock.now().astimezone(ZoneInfo(tz)).date())
    weeks = [this_week.shift(-k).bounds(tz) for k in range(TREND_WEEKS - 1, -1, -1)]
    rows = themes.overview(db, weeks[-1][0], weeks)
    return render_template("admin/themes.html", themes=rows, t=texts(), lang=language(), csrf=csrf_token(),
                           trend_weeks=TREND_WEEKS)


def _back(anchor: str = ""):
    return redirect(url_for(".page") + anchor, code=303)


def _form_id(name: str) -> int | None:
    return parse_id((request.form.get(name) or "").strip())


@bp.post("/<id:theme_id>/rename")
def rename(theme_id: int):
    t = texts()
    try:
        themes.rename(get_db(), theme_id, request.form.get("name", ""))
        flash(t["renamed"], "ok")
    except feedback_store.BadThemeName as exc:
        flash(_refused(t, exc, "name"), "error")
    except feedback_store.UnknownTheme:
        flash(t["unknown_theme"], "error")
    return _back(f"#theme-{theme_id}")


@bp.post("/<id:theme_id>/merge")
def merge(theme_id: int):
    t = texts()
    other = _form_id("other")
    try:
        if other is None:
            raise feedback_store.UnknownTheme("none chosen")
        themes.merge(get_db(), theme_id, other)
        flash(t["merged"], "ok")
    except feedback_store.BadThemeChange as exc:
        flash(_refused(t, exc, "merge"), "error")
    except feedback_store.UnknownTheme:
        flash(t["unknown_theme"], "error")
    return _back(f"#theme-{theme_id}")


@bp.post("/<id:theme_id>/split")
def split(theme_id: int):
    t = texts()
    chosen = [cid for cid in (parse_id(v) for v in request.form.getlist("item")) if cid is not None]
    try:
        new_id = themes.split(get_db(), theme_id, chosen, (request.form.get("name") or "").strip())
        flash(t["split_done"], "ok")
        return _back(f"#theme-{new_id}")
    except (feedback_store.BadThemeChange, feedback_store.BadThemeName) as exc:
        flash(_refused(t, exc, "split"), "error")
    except feedback_store.UnknownTheme:
        flash(t["unknown_theme"], "error")
    return _back(f"#theme-{theme_id}")


@bp.post("/items/<id:comment_id>/move")
def move(comment_id: int):
    t = texts()
    target = _form_id("theme")
    try:
        if target is None:
            raise feedback_store.UnknownTheme("none chosen")
        themes.move(get_db(), comment_id, target)
        flash(t["moved"].format(n=comment_id), "ok")
        return _back(f"#theme-{target}")
    except feedback_store.BadThemeChange as exc:
        flash(_refused(t, exc, "move"), "error")
    except feedback_store.UnknownTheme:
        flash(t["unknown_theme"], "error")
    except comments_store.CommentNotFound:
        flash(t["missing"], "error")
    return _back()


@bp.post("/items/<id:comment_id>/duplicate")
def duplicate(comment_id: int):
    t = texts()
    db = get_db()
    if request.form.get("undo"):
        feedback_store.unmark_duplicate(db, comment_id)
        flash(t["unmarked"].format(n=comment_id), "ok")
        return _back()
    of = _form_id("of")
    try:
        if of is None:
            raise comments_store.CommentNotFound()
        canonical = feedback_store.mark_duplicate(db, comment_id, of, author=_who())
        flash(t["marked"].format(n=comment_id, of=canonical), "ok")
    except feedback_store.BadDuplicate as exc:
        flash(_refused(t, exc, "duplicate"), "error")
    except comments_store.CommentNotFound:
        flash(t["missing"], "error")
    return _back()


@bp.post("/items/<id:comment_id>/close")
def close(comment_id: int):
    t = texts()
    try:
        closed = loop.close_group(get_db(), comment_id, (request.form.get("reply") or "").strip(), author=_who())
    except feedback_store.BadTransition as exc:
        flash(t["refused"].format(reason=exc), "error")
        return _back()
    except comments_store.InvalidComment:
        flash(t["short_reply"], "error")
        return _back()
    except comments_store.CommentNotFound:
        flash(t["missing"], "error")
        return _back()
    replies.send_now(get_db())  # readers subscribed to replies hear of the team's answer now, as from the review page
    flash(t["closed"].format(items=len(closed.items), replies=closed.replies, emails=closed.emails), "ok")
    if closed.mail_off:
        flash(t["mail_off"], "error")
    return _back()
