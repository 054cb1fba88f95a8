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
from feedback import BadWeek, Week, digest
from feedback import store as feedback_store

from . import loop, replies
from .admin_web import texts as admin_texts
from .auth import csrf_ok, csrf_token
from .db import get_db
from .ids import parse_id
from .messages import language

bp = Blueprint("admin_feedback", __name__, url_prefix="/admin/feedback", template_folder="templates")

LABELS = ("problem", "suggestion", "none")

# The page's own words; status and tag names come from the digest's (feedback.digest.WORDS), as the themes page's do.
TEXT = {
    "fr": {
        "heading": "Retours des lecteurs", "moderation": "Modération", "feedback": "Retours", "filters": "Filtres",
        "bad_filter": "Filtre refusé : {error}. Rien n'est affiché ; corrigez le filtre ou",
        "start_over": "repartez de zéro", "theme": "Thème", "all": "Tous", "all_f": "Toutes", "no_theme": "Sans thème",
        "status": "Statut", "label": "Étiquette", "both_labels": "Problèmes et suggestions", "lang": "Langue",
        "age": "Âge", "week": "Semaine", "article": "Article", "filter": "Filtrer",
        "count": "{n} élément(s)", "page_of": "page {page} sur {pages}", "zone": "heures de {zone}",
        "mail_off_short": "e-mails désactivés (BOUCLE_SMTP_HOST)", "nothing": "Rien à revoir avec ces filtres.",
        "bulk": "Actions groupées", "for_ticked": "Pour les lignes cochées", "set_status": "Changer le statut",
        "tag_add": "Ajouter l'étiquette", "tag_remove": "Retirer l'étiquette", "set_theme": "Placer dans le thème",
        "theme_none": "Aucun (sortir du thème)", "apply": "Appliquer", "choose": "Choisir le n°{id}",
        "details": "Détails du n°{id}", "corrected": "étiquettes corrigées", "anonymous": "Anonyme",
        "sentiment": "sentiment", "status_at": "statut changé le {at}", "cues": "Indices : {cues}",
        "decided": "Phrase décisive ({label}) :", "note": "Note interne : {note}", "tags": "Étiquettes",
        "correct": "Corriger", "correct_of": " les étiquettes du n°{id}", "follow_up": "Suivi",
        "note_field": "Note interne (facultative)",
        "reply_field": "Réponse publique, si « Fait » (affichée sous le commentaire et sur la page « Vous nous "
                       "avez dit — nous l'avons fait »",
        "reply_tell": " ; le lecteur sera prévenu par e-mail",
        "group_note": "Doublon : « Fait » avec une réponse ferme tout le groupe ({n} éléments : {ids}), une réponse "
                      "par article, chaque lecteur prévenu une fois.",
        "number": "n°{id}", "save": "Enregistrer", "save_of": " le suivi du n°{id}", "history": "Historique :",
        "changes": {"tags": "étiquettes", "status": "statut", "theme": "thème"}, "colon": " : ",
        "pages": "Pages", "prev": "Précédents", "next": "Suivants",
        "langs": {"fr": "Français", "en": "Anglais", "ar": "Arabe", "other": "Autre"},
        "ages": {"7": "Moins de 7 jours", "30": "Moins de 30 jours", "90": "Moins de 90 jours",
                 "older": "Plus de 90 jours"},
        "label_none": "Ni l'un ni l'autre",
        # Why a filter is refused (400, nothing shown).
        "bad_age": "âge inconnu : {value!r} (7, 30, 90 ou older)", "bad_label": "étiquette inconnue : {value!r}",
        "bad_status": "statut inconnu : {value!r}", "bad_lang": "langue inconnue : {value!r}",
        "bad_thread": "article inconnu : {value!r}", "bad_comment": "numéro de commentaire invalide : {value!r}",
        "bad_theme": "thème inconnu : {value!r}", "bad_page": "page invalide : {value!r}",
        "bad_week": "{reason}",  # feedback.weeks says it in French already
        # Refused bulk actions (feedback_refused.html) and the flash messages after an action.
        "refused_title": "Action refusée", "back": "Revenir aux retours des lecteurs",
        "none_chosen": "Aucun élément choisi : cochez au moins une ligne.", "bad_ids": "Liste d'éléments invalide.",
        "unknown_status": "Statut inconnu : {value!r}.", "unknown_label": "Étiquette inconnue : {value!r}.",
        "unknown_theme": "Thème inconnu : {value!r}.", "unknown_action": "Action inconnue : {value!r}.",
        "bulk_refused": "Statut refusé, rien n'a changé ({reason}).",
        "bulk_missing": "Un des commentaires choisis n'existe plus : rien n'a changé.",
        "bulk_status": "{n} élément(s) : {status}.",
        "bulk_tag_add": "Étiquette « {label} » ajoutée à {n} élément(s).",
        "bulk_tag_remove": "Étiquette « {label} » retirée de {n} élément(s).",
        "bulk_unthemed": "{n} élément(s) sortis de leur thème.", "bulk_themed": "{n} élément(s) placés dans le thème.",
        "tags_done": "Étiquettes du n°{id} corrigées : {labels}.", "no_label": "aucune",
        "gone": "Le commentaire n°{id} n'existe plus.", "status_refused": "Statut refusé ({reason}).",
        "status_done": "N°{id} : {status}.",
        "reply_length": "La réponse publique doit faire entre 2 et 5 000 caractères ; elle n'a pas été publiée.",
        "group_refused": "Le groupe de doublons n'a pas été fermé ({reason}) ; aucune réponse publiée.",
        "group_closed": "Groupe de doublons fermé : {items} éléments faits, {replies} réponse(s) publique(s), "
                        "{emails} lecteur(s) prévenu(s) par e-mail.",
        "group_mail_off": "Des lecteurs ont demandé à être prévenus, mais l'envoi d'e-mails n'est pas configuré "
                          "(BOUCLE_SMTP_HOST).",
        "reply_published": "Réponse publique publiée sous le commentaire.",
        "reader_told": "Le lecteur sera prévenu par e-mail.",
        "reader_mail_off": "Le lecteur a demandé à être prévenu, mais l'envoi d'e-mails n'est pas configuré "
                           "(BOUCLE_SMTP_HOST).",
    },
    "en": {
        "heading": "Readers' feedback", "moderation": "Moderation", "feedback": "Feedback", "filters": "Filters",
        "bad_filter": "Filter refused: {error}. Nothing is shown; fix the filter or",
        "start_over": "start again from scratch", "theme": "Theme", "all": "All", "all_f": "All",
        "no_theme": "No theme", "status": "Status", "label": "Tag", "both_labels": "Problems and suggestions",
        "lang": "Language", "age": "Age", "week": "Week", "article": "Article", "filter": "Filter",
        "count": "{n} item(s)", "page_of": "page {page} of {pages}", "zone": "times in {zone}",
        "mail_off_short": "e-mails off (BOUCLE_SMTP_HOST)", "nothing": "Nothing to review with these filters.",
        "bulk": "Bulk actions", "for_ticked": "For the ticked lines", "set_status": "Change the status",
        "tag_add": "Add the tag", "tag_remove": "Remove the tag", "set_theme": "Put in the theme",
        "theme_none": "None (take out of its theme)", "apply": "Apply", "choose": "Select #{id}",
        "details": "Details of #{id}", "corrected": "tags corrected", "anonymous": "Anonymous",
        "sentiment": "sentiment", "status_at": "status changed on {at}", "cues": "Cues: {cues}",
        "decided": "Deciding sentence ({label}):", "note": "Internal note: {note}", "tags": "Tags",
        "correct": "Correct", "correct_of": " the tags of #{id}", "follow_up": "Follow-up",
        "note_field": "Internal note (optional)",
        "reply_field": "Public reply, if “Done” (shown under the comment and on the “You told us — we did it” page",
        "reply_tell": "; the reader will be told by e-mail",
        "group_note": "Duplicate: “Done” with a reply closes the whole group ({n} items: {ids}), one reply per "
                      "article, each reader told once.",
        "number": "#{id}", "save": "Save", "save_of": " the follow-up of #{id}", "history": "History:",
        "changes": {"tags": "tags", "status": "status", "theme": "theme"}, "colon": ": ",
        "pages": "Pages", "prev": "Previous", "next": "Next",
        "langs": {"fr": "French", "en": "English", "ar": "Arabic", "other": "Other"},
        "ages": {"7": "Under 7 days", "30": "Under 30 days", "90": "Under 90 days", "older": "Over 90 days"},
        "label_none": "Neither",
        "bad_age": "unknown age: {value!r} (7, 30, 90 or older)", "bad_label": "unknown tag: {value!r}",
        "bad_status": "unknown status: {value!r}", "bad_lang": "unknown language: {value!r}",
        "bad_thread": "unknown article: {value!r}", "bad_comment": "invalid comment number: {value!r}",
        "bad_theme": "unknown theme: {value!r}", "bad_page": "invalid page: {value!r}",
        "bad_week": "invalid week: {value!r} (expected YYYY-Www, e.g. 2026-W47)",
        "refused_title": "Action refused", "back": "Back to the readers' feedback",
        "none_chosen": "No item chosen: tick at least one line.", "bad_ids": "Invalid list of items.",
        "unknown_status": "Unknown status: {value!r}.", "unknown_label": "Unknown tag: {value!r}.",
        "unknown_theme": "Unknown theme: {value!r}.", "unknown_action": "Unknown action: {value!r}.",
        "bulk_refused": "Status refused, nothing changed ({reason}).",
        "bulk_missing": "One of the chosen comments no longer exists: nothing changed.",
        "bulk_status": "{n} item(s): {status}.",
        "bulk_tag_add": "Tag “{label}” added to {n} item(s).",
        "bulk_tag_remove": "Tag “{label}” removed from {n} item(s).",
        "bulk_unthemed": "{n} item(s) taken out of their theme.", "bulk_themed": "{n} item(s) put in the theme.",
        "tags_done": "Tags of #{id} corrected: {labels}.", "no_label": "none",
        "gone": "Comment #{id} no longer exists.", "status_refused": "Status refused ({reason}).",
        "status_done": "#{id}: {status}.",
        "reply_length": "The public reply must be 2 to 5,000 characters long; it was not published.",
        "group_refused": "The group of duplicates was not closed ({reason}); no reply published.",
        "group_closed": "Group of duplicates closed: {items} items done, {replies} public reply(ies), "
                        "{emails} reader(s) told by e-mail.",
        "group_mail_off": "Some readers asked to be told, but e-mail is not configured (BOUCLE_SMTP_HOST).",
        "reply_published": "Public reply published under the comment.",
        "reader_told": "The reader will be told by e-mail.",
        "reader_mail_off": "The reader asked to be told, but e-mail is not configured (BOUCLE_SMTP_HOST).",
    },
}


def texts() -> dict:
    """The moderation page's words (title, log-out…) with this page's, in the browser's language."""
    lang = language()
    words = digest.WORDS[lang]
    return {**admin_texts(), **TEXT[lang],
            # The digest writes statuses in lower case inside sentences; the page shows them as labels.
            "statuses": {k: v[:1].upper() + v[1:] for k, v in words["statuses"].items()},
            "labels": {"problem": words["problem"], "suggestion": words["suggestion"], "none": TEXT[lang]["label_none"]}}


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
LANGS = ("fr", "en", "ar", "other")  # the comment languages the filter offers; their names are in TEXT
# Age filter: (at least, at most) days since the comment was written.
AGES = {"7": (None, 7), "30": (None, 30), "90": (None, 90), "older": (90, None)}
FILTERS = ("week", "theme", "label", "status", "lang", "age", "thread", "comment", "page")


class BadFilter(ValueError):
    """A filter of the review page has a value it does not offer."""


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "Africa/Casablanca")


def _parse_filters(db, args: dict[str, str], t: dict) -> dict:
    """The query string, checked: every value must be one the page offers (else BadFilter, nothing is shown)."""
    chosen: dict = {"start": None, "end": None, "theme": None, "page": 1}
    if args["week"]:
        try:
            chosen["start"], chosen["end"] = Week.parse(args["week"]).bounds(current_app.config.get("TIMEZONE")
                                                                              or "Africa/Casablanca")
        except BadWeek as exc:
            raise BadFilter(t["bad_week"].format(reason=exc, value=args["week"])) from None
    if args["age"]:
        if args["age"] not in AGES:
            raise BadFilter(t["bad_age"].format(value=args["age"]))
        now = comments_store.clock.now()
        least, most = AGES[args["age"]]
        if most is not None:
            chosen["start"] = max(filter(None, [chosen["start"], comments_store.clock.to_iso(now - dt.timedelta(days=most))]))
        if least is not None:
            chosen["end"] = min(filter(None, [chosen["end"], comments_store.clock.to_iso(now - dt.timedelta(days=least))]))
    if args["label"] and args["label"] not in LABELS:
        raise BadFilter(t["bad_label"].format(value=args["label"]))
    if args["status"] and args["status"] not in feedback_store.STATUSES:
        raise BadFilter(t["bad_status"].format(value=args["status"]))
    if args["lang"] and args["lang"] not in LANGS:
        raise BadFilter(t["bad_lang"].format(value=args["lang"]))
    if args["thread"] and args["thread"] not in {t.slug for t in comments_store.list_threads(db)}:
        raise BadFilter(t["bad_thread"].format(value=args["thread"]))
    chosen["comment"] = parse_id(args["comment"]) if args["comment"] else None
    if args["comment"] and chosen["comment"] is None:
        raise BadFilter(t["bad_comment"].format(value=args["comment"]))
    if args["theme"]:
        theme = args["theme"] if args["theme"] == "none" else parse_id(args["theme"])
        if theme != "none" and theme not in {t["id"] for t in feedback_store.theme_list(db)}:
            raise BadFilter(t["bad_theme"].format(value=args["theme"]))
        chosen["theme"] = theme
    if args["page"]:
        page = parse_id(args["page"])
        if not page:  # None, or 0
            raise BadFilter(t["bad_page"].format(value=args["page"]))
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
    t = texts()
    common = dict(args=args, csrf=csrf_token(), statuses=t["statuses"], labels=t["labels"], langs=t["langs"],
                  ages=t["ages"], themes=themes, threads=comments_store.list_threads(db), lang=language(), t=t,
                  weeks=[str(Week.containing(comments_store.clock.now().date()).shift(-k)) for k in range(12)],
                  mail_on=loop.mail_configured(), transitions=feedback_store.TRANSITIONS, zone=_zone().key)
    try:
        chosen = _parse_filters(db, args, t)
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


def _refuse(key: str, **values):
    """A bulk action that cannot be done as asked: nothing changed, and the page says why."""
    text = texts()[key].format(**values)
    return render_template("admin/feedback_refused.html", message=text, back=_back(), t=texts(), lang=language(),
                           csrf=csrf_token()), 400


@bp.post("/bulk")
def bulk():
    if not csrf_ok():
        abort(400)
    t = texts()
    raw = request.form.getlist("ids")
    ids = [parse_id(x) for x in raw]
    if not ids:
        return _refuse("none_chosen")
    if None in ids or len(ids) > 500:
        return _refuse("bad_ids")
    action = request.form.get("action", "")
    db = feedback_store.prepare(get_db())
    try:
        if action == "status":
            status = request.form.get("status", "")
            if status not in feedback_store.STATUSES:
                return _refuse("unknown_status", value=status)
            feedback_store.set_status_many(db, ids, status, author=_who())
            done = t["bulk_status"].format(n=len(ids), status=t["statuses"][status])
        elif action in ("tag_add", "tag_remove"):
            label = request.form.get("label", "")
            if label not in ("problem", "suggestion"):
                return _refuse("unknown_label", value=label)
            feedback_store.change_label_many(db, ids, label, action == "tag_add", author=_who())
            done = t["bulk_" + action].format(label=t["labels"][label], n=len(ids))
        elif action == "theme":
            chosen = request.form.get("theme", "")
            theme = None if chosen == "none" else parse_id(chosen)
            if chosen != "none" and theme is None:
                return _refuse("unknown_theme", value=chosen)
            feedback_store.set_theme_many(db, ids, theme, author=_who())
            done = t["bulk_unthemed" if theme is None else "bulk_themed"].format(n=len(ids))
        else:
            return _refuse("unknown_action", value=action)
    except feedback_store.BadTransition as exc:
        return _refuse("bulk_refused", reason=exc)
    except feedback_store.UnknownTheme:
        return _refuse("unknown_theme", value=request.form.get("theme"))
    except comments_store.CommentNotFound:
        return _refuse("bulk_missing")
    flash(done, "ok")
    return redirect(_back(), code=303)


def _back() -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/admin/feedback") and not back.startswith("//") else url_for(".review")


@bp.post("/<id:comment_id>/tags")
def correct_tags(comment_id: int):
    if not csrf_ok():
        abort(400)
    t = texts()
    labels = [label for label in ("problem", "suggestion") if request.form.get(label)]
    try:
        feedback_store.set_human_labels(get_db(), comment_id, labels, author=_who())
        names = ", ".join(t["labels"][x] for x in labels) or t["no_label"]
        flash(t["tags_done"].format(id=comment_id, labels=names), "ok")
    except comments_store.CommentNotFound:
        flash(t["gone"].format(id=comment_id), "error")
    return redirect(_back() + f"#item-{comment_id}", code=303)


@bp.post("/<id:comment_id>/status")
def change_status(comment_id: int):
    if not csrf_ok():
        abort(400)
    db, t = get_db(), texts()
    status = request.form.get("status", "")
    note = (request.form.get("note") or "").strip()[:2000]
    reply_text = (request.form.get("reply") or "").strip()
    try:
        feedback_store.set_status(db, comment_id, status, author=_who(), note=note)
    except feedback_store.BadTransition as exc:
        flash(t["status_refused"].format(reason=exc), "error")
        return redirect(_back() + f"#item-{comment_id}", code=303)
    except comments_store.CommentNotFound:
        flash(t["gone"].format(id=comment_id), "error")
        return redirect(_back(), code=303)
    flash(t["status_done"].format(id=comment_id, status=t["statuses"][status]), "ok")
    if status == "done" and reply_text:
        if len(feedback_store.duplicate_group(db, comment_id)) > 1:
            _close_group(db, comment_id, reply_text)
        else:
            _answer_reader(db, comment_id, reply_text)
    return redirect(_back() + f"#item-{comment_id}", code=303)


def _close_group(db, comment_id: int, text: str) -> None:
    """An item in a group of duplicates is answered with its group: one reply per article, each reader told once
    (as the themes page's "close the group" does), so that no duplicate is left open and unanswered."""
    t = texts()
    try:
        closed = loop.close_group(db, comment_id, text, author=_who())
    except comments_store.InvalidComment:
        flash(t["reply_length"], "error")
        return
    except feedback_store.BadTransition as exc:
        flash(t["group_refused"].format(reason=exc), "error")
        return
    replies.send_now(db)  # readers subscribed to replies hear of it as of any other
    flash(t["group_closed"].format(items=len(closed.items), replies=closed.replies, emails=closed.emails), "ok")
    if closed.mail_off:
        flash(t["group_mail_off"], "error")


def _answer_reader(db, comment_id: int, text: str) -> None:
    """Publish the team's reply under the comment and tell the reader once, if they asked to be told."""
    t = texts()
    try:
        comments_store.check_comment(comments_store.NewComment(author="Équipe", body=text))  # before anything
    except comments_store.InvalidComment:
        flash(t["reply_length"], "error")
        return
    comment = comments_store.get_comment(db, comment_id)
    tell = _will_tell(db, comment)
    # Told by the mail below, the reader gets no reply notice for the same answer (if they also asked for those).
    reply = comments_store.add_team_reply(db, comment_id, text, announce=not tell)
    flash(t["reply_published"], "ok")
    if tell:
        thread = comments_store.get_thread(db, comment.thread_slug)
        # Queued with the reply; the outbox sends it (and retries while the mail server is away), once.
        loop.tell_reader(comment, thread.title, thread.url, reply)
        flash(t["reader_told"], "ok")
    replies.send_now(db)  # readers subscribed to replies hear of it as of any other


def _will_tell(db, comment) -> bool:
    """Whether the reader asked to hear what became of their feedback and can be told now (claimed: once)."""
    if not (comment.notify and comment.email):
        return False
    if not loop.mail_configured():
        flash(texts()["reader_mail_off"], "error")
        return False
    return feedback_store.mark_notified(db, comment.id)  # False when already told: never twice
