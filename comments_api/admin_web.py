"""The moderators' web page /admin/: log in with the token, then review, approve, reject, search."""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for

import comments_store
from comments_store import clock, moderation

from . import proven_web, replies
from .auth import (
    count_failure,
    csrf_ok,
    csrf_token,
    end_admin_session,
    safe_return,
    seconds_blocked,
    start_admin_session,
    token_matches,
)
from .ids import parse_id
from .db import get_db
from .messages import language, message

bp = Blueprint("admin_web", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static", static_url_path="/static")

ACTIONS = {"approve": "approved", "reject": "rejected", "spam": "spam", "pending": "pending"}
PAGE_SIZE = 50
BULK_MAX = 500  # ids in one bulk action: more than a page, less than a runaway form

TEXT = {
    "fr": {"title": "Modération", "login": "Connexion", "who": "Votre nom (pour l'historique)", "feedback": "Retours des lecteurs", "token": "Jeton d'administration", "enter": "Entrer",
           "bad_token": "Jeton invalide.", "logout": "Se déconnecter", "search": "Rechercher", "text": "Texte",
           "author": "Auteur", "thread": "Article (slug)", "status": "Statut", "all": "Tous",
           "pending": "En attente", "approved": "Publiés", "rejected": "Refusés", "spam": "Indésirables",
           "approve": "Publier", "reject": "Refuser", "mark_spam": "Indésirable", "to_pending": "Remettre en attente",
           "delete": "Supprimer", "none": "Aucun commentaire ici.", "results": "{n} commentaire(s)",
           "done": "Commentaire n°{id} : {status}.", "deleted": "Commentaire n°{id} supprimé.",
           "expired": "Session expirée : recommencez.", "on": "sur", "email": "e-mail", "reply_to": "réponse au n°",
           "next": "Suivants", "prev": "Précédents", "filter": "Filtrer", "skip": "Aller au contenu",
           "edits": "Modifications en attente", "edit_of": "modification du n°",
           "edits_intro": "Le texte publié reste en ligne tant que la modification n'est pas acceptée.",
           "diff": "Différence avec le texte publié", "removed": "retiré :", "added": "ajouté :",
           "approve_edit": "Publier la modification", "reject_edit": "Refuser la modification",
           "edit_approved": "Modification du commentaire n°{id} publiée.",
           "edit_rejected": "Modification du commentaire n°{id} refusée : le texte publié reste.",
           "times": "Heures du site ({tz})", "edited": "modifié", "all_of_thread": "tous ses commentaires",
           "why_spam": "Classé indésirable :", "reason_honeypot": "champ piège rempli (robot probable)",
           "reason_links": "trop de liens", "reason_moderator": "par un modérateur",
           "reason_unknown": "raison non enregistrée",
           "select": "Choisir", "select_all": "Pour les commentaires cochés :", "apply": "Appliquer",
           "bulk_done": "{n} commentaire(s) : {status}.", "bulk_deleted": "{n} commentaire(s) supprimé(s).",
           "bulk_none": "Aucun commentaire coché.", "bulk_missing": "{n} commentaire(s) introuvable(s).",
           "confirm_title": "Supprimer pour de bon ?",
           "confirm_intro": "La suppression est définitive ; une réponse garde sa place sous un commentaire effacé.",
           "confirm_delete": "Oui, supprimer", "cancel": "Non, revenir à la liste"},
    "en": {"title": "Moderation", "login": "Log in", "who": "Your name (for the history)", "feedback": "Readers' feedback", "token": "Admin token", "enter": "Enter",
           "bad_token": "Invalid token.", "logout": "Log out", "search": "Search", "text": "Text",
           "author": "Author", "thread": "Article (slug)", "status": "Status", "all": "All",
           "pending": "Pending", "approved": "Published", "rejected": "Rejected", "spam": "Spam",
           "approve": "Publish", "reject": "Reject", "mark_spam": "Spam", "to_pending": "Back to pending",
           "delete": "Delete", "none": "No comment here.", "results": "{n} comment(s)",
           "done": "Comment #{id}: {status}.", "deleted": "Comment #{id} deleted.",
           "expired": "Session expired: please try again.", "on": "on", "email": "e-mail", "reply_to": "reply to #",
           "next": "Next", "prev": "Previous", "filter": "Filter", "skip": "Skip to content",
           "edits": "Edits waiting", "edit_of": "edit of #",
           "edits_intro": "The published text stays online until the edit is approved.",
           "diff": "Difference from the published text", "removed": "removed:", "added": "added:",
           "approve_edit": "Publish the edit", "reject_edit": "Reject the edit",
           "edit_approved": "Edit of comment #{id} published.",
           "edit_rejected": "Edit of comment #{id} rejected: the published text stays.",
           "times": "Site times ({tz})", "edited": "edited", "all_of_thread": "all its comments",
           "why_spam": "Filed as spam:", "reason_honeypot": "trap field filled in (likely a bot)",
           "reason_links": "too many links", "reason_moderator": "by a moderator",
           "reason_unknown": "reason not recorded",
           "select": "Select", "select_all": "For the ticked comments:", "apply": "Apply",
           "bulk_done": "{n} comment(s): {status}.", "bulk_deleted": "{n} comment(s) deleted.",
           "bulk_none": "No comment ticked.", "bulk_missing": "{n} comment(s) not found.",
           "confirm_title": "Delete for good?",
           "confirm_intro": "Deleting cannot be undone; a reply keeps its place under an erased comment.",
           "confirm_delete": "Yes, delete", "cancel": "No, back to the list"},
}


def texts() -> dict[str, str]:
    return TEXT[language()]


@bp.after_request
def no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def logged_in() -> bool:
    return bool(session.get("admin"))


def site_time(iso: str | None) -> str:
    """A stored UTC time as the blog's readers and editors read it: in the site's time zone."""
    if not iso:
        return ""
    try:
        moment = clock.parse_iso(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%Y-%m-%d %H:%M")


def _articles(slugs) -> dict[str, comments_store.Thread | None]:
    found = {}
    for slug in set(slugs):
        try:
            found[slug] = comments_store.get_thread(get_db(), slug)
        except comments_store.ThreadNotFound:
            found[slug] = None
    return found


def comment_link(comment, article) -> str | None:
    """Where the comment is on the site: its anchor once published, else its article."""
    if article is None or not article.url:
        return None
    anchor = f"#comment-{comment.id}" if comment.status == "approved" and not comment.deleted else ""
    return f"{current_app.config['SITEURL']}{article.url}{anchor}"


def _page(template: str, **context):
    return render_template(template, t=texts(), lang=language(), csrf=csrf_token(), site_time=site_time,
                           tz=current_app.config["TIMEZONE"], **context)


@bp.get("/")
def queue():
    if not logged_in():
        return render_template("admin/login.html", t=texts(), lang=language(), csrf=csrf_token(),
                               next=safe_return(request.args.get("next")))
    back = safe_return(request.args.get("next"))
    if back:  # a bookmark opened while logged in elsewhere in the browser: straight there
        return redirect(back, code=303)
    status = request.args.get("status", "pending")
    status = status if status in comments_store.STATUSES else None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    filters = {k: (request.args.get(k) or "").strip() for k in ("q", "author", "thread")}
    found, total = comments_store.search(
        get_db(), status=status, text=filters["q"] or None, author=filters["author"] or None,
        thread=filters["thread"] or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
    )
    query = {k: v for k, v in {**filters, "status": status or "all"}.items() if v}
    # Edits of published comments wait with the comments: shown on the first page of the pending tab.
    edits = comments_store.pending_edits(get_db(), limit=PAGE_SIZE)[0] if status == "pending" and page == 1 else []
    return _page(
        "admin/queue.html", comments=found, total=total, edits=edits,
        status=status, filters=filters, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        page_url=lambda n: url_for(".queue") + "?" + urlencode({**query, "page": n}),
        back=request.full_path.rstrip("?"), counts=moderation.status_counts(get_db()),
        articles=_articles([c.thread_slug for c in found] + [e.thread_slug for e in edits]),
        reasons=moderation.spam_reasons(get_db(), [c.id for c in found if c.status == "spam"]),
        comment_link=comment_link,
    )


@bp.post("/login")
def login():
    back = safe_return(request.form.get("next"))  # the page that asked for the log-in, if it is one of ours
    wait = seconds_blocked()  # the same limit as wrong bearer tokens on the admin API
    if wait:
        flash(message("too_many_attempts"), "error")
        page = render_template("admin/login.html", t=texts(), lang=language(), csrf=csrf_token(), next=back)
        return page, 429, {"Retry-After": str(wait)}
    if not csrf_ok():
        count_failure()  # a log-in without the page's CSRF token comes from a script: a guess all the same
        flash(texts()["expired"], "error")
    elif token_matches(request.form.get("token", "").strip()):
        start_admin_session((request.form.get("who") or "").strip()[:80] or "admin")
        return redirect(back or url_for(".queue"), code=303)
    else:
        count_failure()
        flash(texts()["bad_token"], "error")
    return redirect(url_for(".queue", next=back) if back else url_for(".queue"), code=303)


@bp.post("/logout")
def logout():
    if csrf_ok():
        end_admin_session()
    return redirect(url_for(".queue"), code=303)


def _safe_back() -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/admin/") and not back.startswith("//") else url_for(".queue")


def _confirm_delete(ids: list[int], back: str, status: int = 200):
    """The no-JavaScript confirmation step: the comments about to go, and a form that really deletes them."""
    found = []
    for comment_id in ids:
        try:
            found.append(comments_store.get_comment(get_db(), comment_id))
        except comments_store.CommentNotFound:
            pass
    if not found:
        flash(message("comment_not_found"), "error")
        return redirect(back, code=303)
    return _page("admin/confirm_delete.html", comments=found, back=back,
                 articles=_articles(c.thread_slug for c in found), comment_link=comment_link), status


@bp.get("/comments/<id:comment_id>/delete")
def confirm_delete(comment_id: int):
    if not logged_in():
        return redirect(url_for(".queue"), code=303)
    back = request.args.get("back", "")
    return _confirm_delete([comment_id], back if back.startswith("/admin/") and not back.startswith("//")
                           else url_for(".queue"))


@bp.post("/comments/bulk")
def bulk():
    """One action on every ticked comment; deleting asks for confirmation first, as for one comment."""
    if not logged_in():
        abort(403)
    if not csrf_ok():
        flash(texts()["expired"], "error")
        return redirect(_safe_back(), code=303)
    action = request.form.get("action", "")
    if action != "delete" and action not in ACTIONS:
        abort(400)
    ids = list(dict.fromkeys(i for i in map(parse_id, request.form.getlist("ids")[:BULK_MAX]) if i))
    if not ids:
        flash(texts()["bulk_none"], "error")
        return redirect(_safe_back(), code=303)
    if action == "delete" and request.form.get("confirmed") != "1":
        return _confirm_delete(ids, _safe_back())
    done = missing = 0
    for comment_id in ids:
        try:
            if action == "delete":
                comments_store.delete_comment(get_db(), comment_id)
            else:
                proven_web.invite(comments_store.set_status(get_db(), comment_id, ACTIONS[action]))
            done += 1
        except comments_store.CommentNotFound:
            missing += 1
    if done and ACTIONS.get(action) == "approved":
        replies.send_now(get_db())  # readers waiting for these replies hear now, not at the sender's next round
    if done:
        text = texts()["bulk_deleted"] if action == "delete" else texts()["bulk_done"]
        flash(text.format(n=done, status=texts().get(ACTIONS.get(action, ""), "")), "ok")
    if missing:
        flash(texts()["bulk_missing"].format(n=missing), "error")
    return redirect(_safe_back(), code=303)


@bp.post("/comments/<id:comment_id>/<action>")
def moderate(comment_id: int, action: str):
    if not logged_in():
        abort(403)
    if not csrf_ok():
        flash(texts()["expired"], "error")
        return redirect(_safe_back(), code=303)
    if action != "delete" and action not in ACTIONS:
        abort(404)
    if action == "delete" and request.form.get("confirmed") != "1":
        # A delete button without the confirmation step (an old page, a stray click): ask first.
        return redirect(url_for(".confirm_delete", comment_id=comment_id, back=_safe_back()), code=303)
    try:
        if action == "delete":
            comments_store.delete_comment(get_db(), comment_id)
            flash(texts()["deleted"].format(id=comment_id), "ok")
        else:
            comment = comments_store.set_status(get_db(), comment_id, ACTIONS[action])
            flash(texts()["done"].format(id=comment_id, status=texts()[comment.status]), "ok")
            proven_web.invite(comment)
            if comment.status == "approved":
                replies.send_now(get_db())
    except comments_store.CommentNotFound:
        flash(message("comment_not_found"), "error")
    return redirect(_safe_back(), code=303)


@bp.post("/comments/<id:comment_id>/edit/<any(approve, reject):action>")
def moderate_edit(comment_id: int, action: str):
    """Publish or drop the waiting edit the moderator read (its id comes with the form), and no other version."""
    if not logged_in():
        abort(403)
    if not csrf_ok():
        flash(texts()["expired"], "error")
        return redirect(_safe_back(), code=303)
    edit_id = parse_id(request.form.get("edit_id"))
    act = comments_store.approve_edit if action == "approve" else comments_store.reject_edit
    try:
        act(get_db(), comment_id, edit_id or 0)
        flash(texts()["edit_approved" if action == "approve" else "edit_rejected"].format(id=comment_id), "ok")
    except comments_store.EditChanged:
        flash(message("edit_changed"), "error")
    except comments_store.CommentNotFound:
        flash(message("comment_not_found"), "error")
    return redirect(_safe_back(), code=303)
