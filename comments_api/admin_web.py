"""The moderators' web page /admin/: log in with the token, then review, approve, reject, search."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

import comments_store

from . import proven_web, replies
from .auth import (
    count_failure,
    csrf_ok,
    csrf_token,
    end_admin_session,
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
           "edit_rejected": "Modification du commentaire n°{id} refusée : le texte publié reste."},
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
           "edit_rejected": "Edit of comment #{id} rejected: the published text stays."},
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


@bp.get("/")
def queue():
    if not logged_in():
        return render_template("admin/login.html", t=texts(), lang=language(), csrf=csrf_token())
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
    return render_template(
        "admin/queue.html", t=texts(), lang=language(), csrf=csrf_token(), comments=found, total=total, edits=edits,
        status=status, filters=filters, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        page_url=lambda n: url_for(".queue") + "?" + urlencode({**query, "page": n}),
        back=request.full_path.rstrip("?"),
    )


@bp.post("/login")
def login():
    wait = seconds_blocked()  # the same limit as wrong bearer tokens on the admin API
    if wait:
        flash(message("too_many_attempts"), "error")
        page = render_template("admin/login.html", t=texts(), lang=language(), csrf=csrf_token())
        return page, 429, {"Retry-After": str(wait)}
    if not csrf_ok():
        count_failure()  # a log-in without the page's CSRF token comes from a script: a guess all the same
        flash(texts()["expired"], "error")
    elif token_matches(request.form.get("token", "").strip()):
        start_admin_session((request.form.get("who") or "").strip()[:80] or "admin")
    else:
        count_failure()
        flash(texts()["bad_token"], "error")
    return redirect(url_for(".queue"), code=303)


@bp.post("/logout")
def logout():
    if csrf_ok():
        end_admin_session()
    return redirect(url_for(".queue"), code=303)


def _safe_back() -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/admin/") and not back.startswith("//") else url_for(".queue")


@bp.post("/comments/<id:comment_id>/<action>")
def moderate(comment_id: int, action: str):
    if not logged_in():
        abort(403)
    if not csrf_ok():
        flash(texts()["expired"], "error")
        return redirect(_safe_back(), code=303)
    if action != "delete" and action not in ACTIONS:
        abort(404)
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
