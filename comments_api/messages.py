"""Error and notice texts, French by default and English on request (Accept-Language)."""
from __future__ import annotations

from flask import request

from . import form_data

LANGS = ("fr", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "bad_request": {"fr": "Requête invalide.", "en": "Bad request."},
    "invalid_json": {"fr": "Le corps de la requête n'est pas un objet JSON valide.",
                     "en": "The request body is not a valid JSON object."},
    "unsupported_media_type": {"fr": "Envoyez du JSON (application/json) ou un formulaire.",
                               "en": "Send JSON (application/json) or a form."},
    "json_too_deep": {"fr": "Le JSON est imbriqué trop profondément ({limit} niveaux au plus).",
                      "en": "The JSON is nested too deeply (at most {limit} levels)."},
    "invalid_unicode": {"fr": "Le texte contient des caractères invalides (moitié de paire UTF-16).",
                        "en": "The text holds invalid characters (half of a UTF-16 pair)."},
    "invalid_text": {"fr": "Ce champ contient des caractères invalides.",
                     "en": "This field holds invalid characters."},
    "store_unavailable": {"fr": "Impossible d'enregistrer pour l'instant ; rien n'est perdu de ce qui est publié. "
                                "Réessayez dans quelques minutes.",
                          "en": "Cannot save right now; nothing already published is lost. Try again in a few minutes."},
    "payload_too_large": {"fr": "La requête est trop volumineuse.", "en": "The request is too large."},
    "not_found": {"fr": "Rien à cette adresse.", "en": "Nothing at this address."},
    "method_not_allowed": {"fr": "Méthode non autorisée ici.", "en": "Method not allowed here."},
    "thread_not_found": {"fr": "Cet article n'existe pas : on ne peut pas le commenter.",
                         "en": "This article does not exist, so it cannot be commented on."},
    "comment_not_found": {"fr": "Ce commentaire n'existe pas.", "en": "This comment does not exist."},
    "wrong_type": {"fr": "Ce champ doit être du texte.", "en": "This field must be text."},
    "author_required": {"fr": "Indiquez votre nom.", "en": "Please enter your name."},
    "author_too_long": {"fr": "Le nom ne doit pas dépasser {limit} caractères.",
                        "en": "The name must be at most {limit} characters."},
    "body_too_short": {"fr": "Le commentaire doit faire au moins {limit} caractères.",
                       "en": "The comment must be at least {limit} characters."},
    "body_too_long": {"fr": "Le commentaire ne doit pas dépasser {limit} caractères.",
                      "en": "The comment must be at most {limit} characters."},
    "email_invalid": {"fr": "Cette adresse e-mail n'est pas valide.", "en": "This e-mail address is not valid."},
    "email_too_long": {"fr": "L'adresse e-mail ne doit pas dépasser {limit} caractères.",
                       "en": "The e-mail address must be at most {limit} characters."},
    "website_invalid": {"fr": "Le site web doit être une adresse http:// ou https://.",
                        "en": "The website must be an http:// or https:// address."},
    "website_too_long": {"fr": "L'adresse du site ne doit pas dépasser {limit} caractères.",
                         "en": "The website address must be at most {limit} characters."},
    "parent_invalid": {"fr": "La réponse doit viser un commentaire par son numéro.",
                       "en": "A reply must point to a comment by its number."},
    "parent_not_found": {"fr": "Le commentaire auquel vous répondez n'existe pas ou n'est pas publié.",
                         "en": "The comment you reply to does not exist or is not published."},
    "reply_too_deep": {"fr": "On ne peut pas répondre à une réponse à ce niveau ({limit} niveaux au plus).",
                       "en": "Replies cannot go deeper here (at most {limit} levels)."},
    "duplicate": {"fr": "Ce commentaire a déjà été envoyé.", "en": "This comment was already sent."},
    "too_fast": {"fr": "Envoi trop rapide : relisez votre commentaire puis envoyez-le à nouveau.",
                 "en": "Sent too quickly: read your comment over, then send it again."},
    "form_expired": {"fr": "Le formulaire a expiré : vérifiez votre commentaire puis confirmez l'envoi.",
                     "en": "The form has expired: check your comment, then confirm."},
    "origin_not_allowed": {"fr": "Ce formulaire doit être envoyé depuis le blog.",
                           "en": "This form must be sent from the blog."},
    "rate_limited": {"fr": "Trop de commentaires en peu de temps. Réessayez dans un moment.",
                     "en": "Too many comments in a short time. Please try again in a moment."},
    "edit_token_invalid": {"fr": "Vous ne pouvez pas modifier ce commentaire.",
                           "en": "You cannot change this comment."},
    "edit_window_closed": {"fr": "Le délai de modification de ce commentaire est passé.",
                           "en": "The time to change this comment has passed."},
    "unauthorized": {"fr": "Jeton d'administration manquant ou invalide.", "en": "Missing or invalid admin token."},
    "forbidden": {"fr": "Action refusée.", "en": "Forbidden."},
    "status_invalid": {"fr": "Statut inconnu.", "en": "Unknown status."},
    "parameter_invalid": {"fr": "Paramètre invalide.", "en": "Invalid parameter."},
    "internal_error": {"fr": "Erreur interne : réessayez plus tard.", "en": "Internal error: please try again later."},
    "confirm": {"fr": "Vérifiez votre commentaire, puis confirmez l'envoi.",
                "en": "Check your comment, then confirm."},
    "notice_pending": {"fr": "Merci ! Votre commentaire sera publié après modération.",
                       "en": "Thank you! Your comment will appear once approved."},
    "notice_approved": {"fr": "Merci ! Votre commentaire est publié.", "en": "Thank you! Your comment is published."},
    "edit_changed": {"fr": "Le lecteur a modifié ce commentaire depuis : rien n'a été publié. Relisez la nouvelle "
                           "version.",
                     "en": "The reader changed this comment since: nothing was published. Read the new version."},
    "prove_title": {"fr": "Confirmer votre adresse", "en": "Confirm your address"},
    "prove_intro": {"fr": "Confirmez votre adresse e-mail : vos prochains commentaires envoyés depuis ce navigateur "
                          "avec cette adresse seront publiés sans attendre la modération.",
                    "en": "Confirm your e-mail address: your next comments sent from this browser with this address "
                          "will be published without waiting for moderation."},
    "prove_button": {"fr": "Confirmer mon adresse", "en": "Confirm my address"},
    "prove_done": {"fr": "C'est fait : votre adresse est confirmée pour ce navigateur.",
                   "en": "Done: your address is confirmed for this browser."},
    "prove_invalid": {"fr": "Ce lien de confirmation n'est pas valide ou a expiré. Un nouveau lien vous sera envoyé "
                            "à la publication d'un prochain commentaire.",
                      "en": "This confirmation link is not valid or has expired. A new one will be sent to you when "
                            "a next comment of yours is published."},
    "too_many_attempts": {"fr": "Trop de tentatives avec un mauvais jeton depuis votre réseau. Réessayez plus tard.",
                          "en": "Too many attempts with a wrong token from your network. Please try again later."},
    "host_not_allowed": {"fr": "Ce nom d'hôte n'est pas servi ici.", "en": "This host name is not served here."},
    "previews_limited": {"fr": "Trop d'aperçus en peu de temps. Réessayez dans un moment.",
                         "en": "Too many previews in a short time. Please try again in a moment."},
}


def language() -> str:
    """The reader's language among ours: the article's for a form post, else the browser's, else French."""
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        page_lang = (form_data.field("lang") or "").split("-")[0].lower()
        if page_lang in LANGS:
            return page_lang
    return request.accept_languages.best_match(LANGS, default="fr") or "fr"


def message(code: str, lang: str | None = None, **values) -> str:
    texts = MESSAGES.get(code) or MESSAGES["bad_request"]
    text = texts.get(lang or language(), texts["fr"])
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        return text
