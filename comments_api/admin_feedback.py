"""/admin/feedback: product owners review tags, follow each item's status, and answer readers when it is done.

Same log-in and CSRF protection as moderation. Reads and writes feedback data
through feedback.store (its owner) and comments through comments_store.
"""
from __future__ import annotations

import os

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

import comments_store
import feedback
from feedback import BadWeek, Week
from feedback import store as feedback_store

from . import loop, replies
from .admin_web import texts
from .auth import csrf_ok, csrf_token
from .db import get_db
from .ids import parse_id
from .messages import language

bp = Blueprint("admin_feedback", __name__, url_prefix="/admin/feedback", template_folder="templates")

STATUS_NAMES = {"new": "Nouveau", "triaged": "Trié", "planned": "Prévu", "done": "Fait", "wontfix": "Ne sera pas fait"}
LABEL_NAMES = {"problem": "Problème", "suggestion": "Suggestion", "none": "Ni l'un ni l'autre"}


def _who() -> str:
    return session.get("who") or "admin"


@bp.before_request
def logged_in_only():
    if not session.get("admin"):
        return redirect(url_for("admin_web.queue"), code=303)
    return None


@bp.after_request
def no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
@bp.get("/")
def review():
    db = feedback_store.prepare(get_db())
    feedback.tag_new_comments(db)  # incremental: only comments approved or edited since last time
    tz = os.environ.get("BOUCLE_TIMEZONE") or "Africa/Casablanca"
    args = {k: (request.args.get(k) or "").strip() for k in ("week", "label", "status", "lang", "thread", "comment")}
    start = end = None
    if args["week"]:
        try:
            start, end = Week.parse(args["week"]).bounds(tz)
        except BadWeek as exc:
            flash(str(exc), "error")
            args["week"] = ""
    label = args["label"] if args["label"] in ("problem", "suggestion", "none") else None
    status = args["status"] if args["status"] in feedback_store.STATUSES else None
    comment_id = parse_id(args["comment"])
    found = feedback_store.items(db, start=start, end=end, label=label, status=status, lang=args["lang"] or None,
                                 thread=args["thread"] or None, comment_id=comment_id)
    if not (label or comment_id):
        found = [i for i in found if i.labels]  # by default: problems and suggestions
    found = [i for i in reversed(found) if not i.deleted][:200]
    histories = {i.comment_id: feedback_store.history(db, i.comment_id) for i in found}
    weeks = [str(Week.containing(comments_store.clock.now().date()).shift(-k)) for k in range(12)]
    return render_template(
        "admin/feedback.html", items=found, histories=histories, args=args, weeks=weeks, csrf=csrf_token(),
        statuses=STATUS_NAMES, labels=LABEL_NAMES, transitions=feedback_store.TRANSITIONS,
        threads=comments_store.list_threads(db), lang=language(), back=request.full_path.rstrip("?"), t=texts(),
        mail_on=loop.mail_configured(),
    )


def _back() -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/admin/feedback") and not back.startswith("//") else url_for(".review")


@bp.post("/<id:comment_id>/tags")
def correct_tags(comment_id: int):
    if not csrf_ok():
        abort(400)
    labels = [label for label in ("problem", "suggestion") if request.form.get(label)]
    try:
        feedback_store.set_human_labels(get_db(), comment_id, labels, author=_who())
        flash(f"Étiquettes du n°{comment_id} corrigées : {', '.join(LABEL_NAMES[x] for x in labels) or 'aucune'}.", "ok")
    except comments_store.CommentNotFound:
        flash(f"Le commentaire n°{comment_id} n'existe plus.", "error")
    return redirect(_back() + f"#item-{comment_id}", code=303)


@bp.post("/<id:comment_id>/status")
def change_status(comment_id: int):
    if not csrf_ok():
        abort(400)
    db = get_db()
    status = request.form.get("status", "")
    note = (request.form.get("note") or "").strip()[:2000]
    reply_text = (request.form.get("reply") or "").strip()
    try:
        feedback_store.set_status(db, comment_id, status, author=_who(), note=note)
    except feedback_store.BadTransition as exc:
        flash(f"Statut refusé ({exc}).", "error")
        return redirect(_back() + f"#item-{comment_id}", code=303)
    except comments_store.CommentNotFound:
        flash(f"Le commentaire n°{comment_id} n'existe plus.", "error")
        return redirect(_back(), code=303)
    flash(f"N°{comment_id} : {STATUS_NAMES[status]}.", "ok")
    if status == "done" and reply_text:
        _answer_reader(db, comment_id, reply_text)
    return redirect(_back() + f"#item-{comment_id}", code=303)


def _answer_reader(db, comment_id: int, text: str) -> None:
    """Publish the team's reply under the comment and tell the reader once, if they asked to be told."""
    try:
        reply = comments_store.add_team_reply(db, comment_id, text)
    except comments_store.InvalidComment:
        flash("La réponse publique doit faire entre 2 et 5 000 caractères ; elle n'a pas été publiée.", "error")
        return
    flash("Réponse publique publiée sous le commentaire.", "ok")
    replies.send_now(db)  # the reader subscribed to replies hears of it as of any other
    comment = comments_store.get_comment(db, comment_id)
    if not (comment.notify and comment.email):
        return
    if not loop.mail_configured():
        flash("Le lecteur a demandé à être prévenu, mais l'envoi d'e-mails n'est pas configuré (BOUCLE_SMTP_HOST).",
              "error")
        return
    if not feedback_store.mark_notified(db, comment_id):
        return  # already told: never twice
    thread = comments_store.get_thread(db, comment.thread_slug)
    # Queued with the reply; the outbox sends it (and retries while the mail server is away), once.
    loop.tell_reader(comment, thread.title, thread.url, reply)
    flash("Le lecteur sera prévenu par e-mail.", "ok")
