"""Readers' own data, without an account: one-click unsubscribe, and export or erasure through a signed link."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template, request

import comments_store

from . import loop
from .db import get_db
from .forms import check_origin
from .messages import language

bp = Blueprint("privacy", __name__, url_prefix="/api")


def page(title: str, message: str, status: int = 200, form: dict | None = None):
    html = render_template("reader_page.html", title=title, message=message, form=form, lang=language(),
                           site_url=current_app.config["SITEURL"])
    response = current_app.response_class(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/unsubscribe")
def unsubscribe():
    email = loop.email_from_unsubscribe(request.args.get("token", ""))
    if not email:
        return page("Lien invalide", "Ce lien de désinscription n'est pas valide.", 400)
    comments_store.unsubscribe(get_db(), email)
    return page("Désinscription", "C'est fait : vous ne recevrez plus d'e-mails au sujet de vos commentaires.")


@bp.get("/privacy")
def privacy_form():
    return page("Vos données", "Indiquez l'adresse e-mail laissée avec vos commentaires : nous y enverrons un lien "
                "pour télécharger vos données ou les effacer.", form={"action": request.path, "field": "email"})


@bp.post("/privacy")
def privacy_request():
    check_origin()
    email = (request.form.get("email") or "").strip()
    if "@" not in email or len(email) > 254:
        return page("Vos données", "Cette adresse e-mail n'est pas valide.", 422,
                    form={"action": request.path, "field": "email"})
    if not loop.mail_configured():
        return page("Vos données", "L'envoi d'e-mails n'est pas configuré sur ce blog : écrivez-nous directement.", 503)
    if comments_store.comments_of(get_db(), email):
        loop.send_privacy_links(email)  # queued: the outbox sends it, and retries while the server is away
    # Same answer whether or not the address is known: nobody learns who commented.
    return page("Vos données", "Si cette adresse a laissé des commentaires, un e-mail vient de lui être envoyé avec "
                "deux liens valables 48 heures.")


@bp.get("/privacy/export")
def privacy_export():
    email = loop.email_from_privacy(request.args.get("token", ""), "export")
    if not email:
        return page("Lien expiré", "Ce lien n'est pas valide ou a expiré : refaites une demande.", 400)
    data = [{k: v for k, v in c.private().items() if k not in ("client_hash",)}
            for c in comments_store.comments_of(get_db(), email)]
    response = current_app.response_class(json.dumps({"email": email, "comments": data}, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="mes-commentaires.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/privacy/erase")
def privacy_erase_confirm():
    token = request.args.get("token", "")
    if not loop.email_from_privacy(token, "erase"):
        return page("Lien expiré", "Ce lien n'est pas valide ou a expiré : refaites une demande.", 400)
    return page("Effacer vos données", "Vos nom, e-mail, site et textes seront effacés de tous vos commentaires. "
                "Les chiffres anonymes des retours restent. C'est définitif.",
                form={"action": request.path, "token": token, "button": "Effacer mes données"})


@bp.post("/privacy/erase")
def privacy_erase():
    check_origin()
    email = loop.email_from_privacy(request.form.get("token", ""), "erase")
    if not email:
        return page("Lien expiré", "Ce lien n'est pas valide ou a expiré : refaites une demande.", 400)
    count = comments_store.erase_person(get_db(), email)
    return page("Données effacées", f"C'est fait : {count} commentaire(s) anonymisé(s).")
