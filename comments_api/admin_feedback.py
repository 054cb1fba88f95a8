"""/admin/feedback: product owners review tags, follow each item's status, and answer readers when it is done.

Same log-in and CSRF protection as moderation. Reads and writes feedback data
through feedback.store (its owner) and comments through comments_store.
"""
from __future__ import annotations

import datetime as dt
from html import escape as html_escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup, escape

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
        # Back here after log-in: the digest's "Revoir" link keeps its filters (see auth.safe_return).
        return redirect(url_for("admin_web.queue", next=request.full_path.rstrip("?")), code=303)
    return None


@bp.after_request
def no_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


PAGE_SIZE = 50
LANGS = {"fr": "Français", "en": "Anglais", "ar": "Arabe", "other": "Autre"}
# Age filter: (at least, at most) days since the comment was written.
AGES = {"7": (None, 7), "30": (None, 30), "90": (None, 90), "older": (90, None)}
AGE_NAMES = {"7": "Moins de 7 jours", "30": "Moins de 30 jours", "90": "Moins de 90 jours", "older": "Plus de 90 jours"}
FILTERS = ("week", "theme", "label", "status", "lang", "age", "thread", "comment", "page")


class BadFilter(ValueError):
    """A filter of the review page has a value it does not offer."""


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Africa/Casablanca")


def _parse_filters(db, args: dict[str, str]) -> dict:
    """The query string, checked: every value must be one the page offers (else BadFilter, nothing is shown)."""
    chosen: dict = {"start": None, "end": None, "theme": None, "page": 1}
    if args["week"]:
        try:
            chosen["start"], chosen["end"] = Week.parse(args["week"]).bounds(current_app.config.get("TIMEZONE")
                                                                              or "Africa/Casablanca")
        except BadWeek as exc:
            raise BadFilter(str(exc)) from None
    if args["age"]:
        if args["age"] not in AGES:
            raise BadFilter(f"âge inconnu : {args['age']!r} (7, 30, 90 ou older)")
        now = comments_store.clock.now()
        least, most = AGES[args["age"]]
        if most is not None:
            chosen["start"] = max(filter(None, [chosen["start"], comments_store.clock.to_iso(now - dt.timedelta(days=most))]))
        if least is not None:
            chosen["end"] = min(filter(None, [chosen["end"], comments_store.clock.to_iso(now - dt.timedelta(days=least))]))
    if args["label"] and args["label"] not in LABEL_NAMES:
        raise BadFilter(f"étiquette inconnue : {args['label']!r}")
    if args["status"] and args["status"] not in feedback_store.STATUSES:
        raise BadFilter(f"statut inconnu : {args['status']!r}")
    if args["lang"] and args["lang"] not in LANGS:
        raise BadFilter(f"langue inconnue : {args['lang']!r}")
    if args["thread"] and args["thread"] not in {t.slug for t in comments_store.list_threads(db)}:
        raise BadFilter(f"article inconnu : {args['thread']!r}")
    chosen["comment"] = parse_id(args["comment"]) if args["comment"] else None
    if args["comment"] and chosen["comment"] is None:
        raise BadFilter(f"numéro de commentaire invalide : {args['comment']!r}")
    if args["theme"]:
        theme = args["theme"] if args["theme"] == "none" else parse_id(args["theme"])
        if theme != "none" and theme not in {t["id"] for t in feedback_store.theme_list(db)}:
            raise BadFilter(f"thème inconnu : {args['theme']!r}")
        chosen["theme"] = theme
    if args["page"]:
        page = parse_id(args["page"])
        if not page:  # None, or 0
            raise BadFilter(f"page invalide : {args['page']!r}")
        chosen["page"] = page
    return chosen


def local_time(value: str | None) -> str:
    """A stored UTC time as the site's readers live it (BOUCLE_TIMEZONE): '2026-11-26 14:05'."""
    if not value:
        return ""
    return comments_store.clock.parse_iso(value).astimezone(_zone()).strftime("%Y-%m-%d %H:%M")


def excerpt(text: str, size: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rstrip() + "…"


def highlighted(html: str, evidence: dict[str, str]) -> Markup:
    """The comment's published HTML (already sanitised) with the sentences that decided its tags in <mark>.

    A sentence is marked only where it stands whole in one run of text, never inside a tag, so the markup
    stays well formed; one that spans formatting is still named next to the cues.
    """
    for sentence in sorted(set(evidence.values()), key=len, reverse=True):
        sentence = sentence.strip()
        for needle in dict.fromkeys([html_escape(sentence, quote=False), str(escape(sentence)), html_escape(sentence)]):
            at = _text_position(html, needle) if needle else -1
            if at >= 0:
                html = f"{html[:at]}<mark>{needle}</mark>{html[at + len(needle):]}"
                break
    return Markup(html)


def _text_position(html: str, needle: str) -> int:
    at = html.find(needle)
    while at >= 0:
        if html.rfind("<", 0, at) <= html.rfind(">", 0, at) and "<mark>" not in html[max(0, at - 6):at]:
            return at
        at = html.find(needle, at + 1)
    return -1


@bp.get("")
@bp.get("/")
def review():
    db = feedback_store.prepare(get_db())
    feedback.tag_new_comments(db)  # incremental: only comments approved or edited since last time
    args = {k: (request.args.get(k) or "").strip() for k in FILTERS}
    themes = feedback_store.theme_list(db)
    common = dict(args=args, csrf=csrf_token(), statuses=STATUS_NAMES, labels=LABEL_NAMES, langs=LANGS,
                  ages=AGE_NAMES, themes=themes, threads=comments_store.list_threads(db), lang=language(), t=texts(),
                  weeks=[str(Week.containing(comments_store.clock.now().date()).shift(-k)) for k in range(12)],
                  mail_on=loop.mail_configured(), transitions=feedback_store.TRANSITIONS, zone=_zone().key)
    try:
        chosen = _parse_filters(db, args)
    except BadFilter as exc:
        page = render_template("admin/feedback.html", items=[], total=0, page=1, pages=1, error=str(exc), **common)
        return page, 400
    label = args["label"] or None
    found = feedback_store.items(db, start=chosen["start"], end=chosen["end"], label=label,
                                 status=args["status"] or None, lang=args["lang"] or None,
                                 thread=args["thread"] or None, comment_id=chosen["comment"])
    if not (label or chosen["comment"]):
        found = [i for i in found if i.labels]  # by default: problems and suggestions
    found = [i for i in reversed(found) if not i.deleted]  # newest first; (created_at, id) keeps the order stable
    theme_of = feedback_store.theme_names(db, [i.comment_id for i in found])
    if chosen["theme"] == "none":
        found = [i for i in found if i.comment_id not in theme_of]
    elif chosen["theme"] is not None:
        found = [i for i in found if theme_of.get(i.comment_id, (None,))[0] == chosen["theme"]]
    total, page = len(found), chosen["page"]
    shown = found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    ids = [i.comment_id for i in shown]
    query = {k: v for k, v in args.items() if v and k != "page"}
    return render_template(
        "admin/feedback.html", items=shown, total=total, page=page, pages=max(1, -(-total // PAGE_SIZE)),
        page_url=lambda n: url_for(".review") + "?" + urlencode({**query, "page": n}), error=None,
        histories={cid: feedback_store.history(db, cid) for cid in ids}, theme_of=theme_of,
        groups=_groups_of(db, ids),
        evidence=feedback_store.evidence_for(db, ids), back=request.full_path.rstrip("?"),
        site=current_app.config["SITEURL"], local_time=local_time, excerpt=excerpt, highlighted=highlighted,
        **common,
    )


def _groups_of(db, ids: list[int]) -> dict[int, list[int]]:
    """comment id → its group of duplicates (canonical first), for the shown items that are in one."""
    found = {}
    for canonical, dups in feedback_store.duplicate_groups(db).items():
        for cid in (canonical, *dups):
            found[cid] = [canonical, *dups]
    return {cid: found[cid] for cid in ids if cid in found}


BULK_ACTIONS = ("status", "tag_add", "tag_remove", "theme")


def _refuse(text: str):
    """A bulk action that cannot be done as asked: nothing changed, and the page says why."""
    return render_template("admin/feedback_refused.html", message=text, back=_back(), t=texts(), lang=language(),
                           csrf=csrf_token()), 400


@bp.post("/bulk")
def bulk():
    if not csrf_ok():
        abort(400)
    raw = request.form.getlist("ids")
    ids = [parse_id(x) for x in raw]
    if not ids:
        return _refuse("Aucun élément choisi : cochez au moins une ligne.")
    if None in ids or len(ids) > 500:
        return _refuse("Liste d'éléments invalide.")
    action = request.form.get("action", "")
    db = feedback_store.prepare(get_db())
    try:
        if action == "status":
            status = request.form.get("status", "")
            if status not in STATUS_NAMES:
                return _refuse(f"Statut inconnu : {status!r}.")
            feedback_store.set_status_many(db, ids, status, author=_who())
            done = f"{len(ids)} élément(s) : {STATUS_NAMES[status]}."
        elif action in ("tag_add", "tag_remove"):
            label = request.form.get("label", "")
            if label not in ("problem", "suggestion"):
                return _refuse(f"Étiquette inconnue : {label!r}.")
            feedback_store.change_label_many(db, ids, label, action == "tag_add", author=_who())
            verb = "ajoutée à" if action == "tag_add" else "retirée de"
            done = f"Étiquette « {LABEL_NAMES[label]} » {verb} {len(ids)} élément(s)."
        elif action == "theme":
            chosen = request.form.get("theme", "")
            theme = None if chosen == "none" else parse_id(chosen)
            if chosen != "none" and theme is None:
                return _refuse(f"Thème inconnu : {chosen!r}.")
            feedback_store.set_theme_many(db, ids, theme, author=_who())
            done = f"{len(ids)} élément(s) {'sortis de leur thème' if theme is None else 'placés dans le thème'}."
        else:
            return _refuse(f"Action inconnue : {action!r}.")
    except feedback_store.BadTransition as exc:
        return _refuse(f"Statut refusé, rien n'a changé ({exc}).")
    except feedback_store.UnknownTheme:
        return _refuse(f"Thème inconnu : {request.form.get('theme')!r}.")
    except comments_store.CommentNotFound:
        return _refuse("Un des commentaires choisis n'existe plus : rien n'a changé.")
    flash(done, "ok")
    return redirect(_back(), code=303)


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
        if len(feedback_store.duplicate_group(db, comment_id)) > 1:
            _close_group(db, comment_id, reply_text)
        else:
            _answer_reader(db, comment_id, reply_text)
    return redirect(_back() + f"#item-{comment_id}", code=303)


def _close_group(db, comment_id: int, text: str) -> None:
    """An item in a group of duplicates is answered with its group: one reply per article, each reader told once
    (as the themes page's "close the group" does), so that no duplicate is left open and unanswered."""
    try:
        closed = loop.close_group(db, comment_id, text, author=_who())
    except comments_store.InvalidComment:
        flash("La réponse publique doit faire entre 2 et 5 000 caractères ; elle n'a pas été publiée.", "error")
        return
    except feedback_store.BadTransition as exc:
        flash(f"Le groupe de doublons n'a pas été fermé ({exc}) ; aucune réponse publiée.", "error")
        return
    replies.send_now(db)  # readers subscribed to replies hear of it as of any other
    flash(f"Groupe de doublons fermé : {len(closed.items)} éléments faits, {closed.replies} réponse(s) publique(s), "
          f"{closed.emails} lecteur(s) prévenu(s) par e-mail.", "ok")
    if closed.mail_off:
        flash("Des lecteurs ont demandé à être prévenus, mais l'envoi d'e-mails n'est pas configuré "
              "(BOUCLE_SMTP_HOST).", "error")


def _answer_reader(db, comment_id: int, text: str) -> None:
    """Publish the team's reply under the comment and tell the reader once, if they asked to be told."""
    try:
        comments_store.check_comment(comments_store.NewComment(author="Équipe", body=text))  # before anything
    except comments_store.InvalidComment:
        flash("La réponse publique doit faire entre 2 et 5 000 caractères ; elle n'a pas été publiée.", "error")
        return
    comment = comments_store.get_comment(db, comment_id)
    tell = _will_tell(db, comment)
    # Told by the mail below, the reader gets no reply notice for the same answer (if they also asked for those).
    reply = comments_store.add_team_reply(db, comment_id, text, announce=not tell)
    flash("Réponse publique publiée sous le commentaire.", "ok")
    if tell:
        thread = comments_store.get_thread(db, comment.thread_slug)
        # Queued with the reply; the outbox sends it (and retries while the mail server is away), once.
        loop.tell_reader(comment, thread.title, thread.url, reply)
        flash("Le lecteur sera prévenu par e-mail.", "ok")
    replies.send_now(db)  # readers subscribed to replies hear of it as of any other


def _will_tell(db, comment) -> bool:
    """Whether the reader asked to hear what became of their feedback and can be told now (claimed: once)."""
    if not (comment.notify and comment.email):
        return False
    if not loop.mail_configured():
        flash("Le lecteur a demandé à être prévenu, mais l'envoi d'e-mails n'est pas configuré (BOUCLE_SMTP_HOST).",
              "error")
        return False
    return feedback_store.mark_notified(db, comment.id)  # False when already told: never twice
