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
    # The reader's own pages: unsubscribe links, data export and erasure (comments_api/privacy_web.py, replies_web.py).
    "page_email": {"fr": "E-mail", "en": "E-mail"},
    "page_send_link": {"fr": "Recevoir le lien", "en": "Send me the link"},
    "page_back": {"fr": "Revenir au blog", "en": "Back to the blog"},
    "unsub_title": {"fr": "Désinscription", "en": "Unsubscribe"},
    "unsub_invalid_title": {"fr": "Lien invalide", "en": "Invalid link"},
    "unsub_invalid": {"fr": "Ce lien de désinscription n'est pas valide ou a expiré.",
                      "en": "This unsubscribe link is not valid or has expired."},
    "unsub_ask": {"fr": "Ne plus recevoir d'e-mails au sujet de vos commentaires ?",
                  "en": "Stop receiving e-mails about your comments?"},
    "unsub_button": {"fr": "Me désinscrire", "en": "Unsubscribe me"},
    "unsub_done": {"fr": "C'est fait : vous ne recevrez plus d'e-mails au sujet de vos commentaires.",
                   "en": "Done: you will receive no more e-mails about your comments."},
    "replies_invalid": {"fr": "Ce lien de désinscription n'est pas valide, ou vous êtes déjà désinscrit.",
                        "en": "This unsubscribe link is not valid, or you have already unsubscribed."},
    "replies_ask": {"fr": "Ne plus être prévenu par e-mail des réponses sous cet article ?",
                    "en": "Stop hearing by e-mail about replies under this article?"},
    "replies_done": {"fr": "C'est fait : vous ne serez plus prévenu des réponses sous cet article.",
                     "en": "Done: you will no longer hear about replies under this article."},
    "privacy_title": {"fr": "Vos données", "en": "Your data"},
    "privacy_intro": {"fr": "Indiquez l'adresse e-mail laissée avec vos commentaires : nous y enverrons un lien "
                            "pour télécharger vos données ou les effacer.",
                      "en": "Give the e-mail address you left with your comments: we will send it a link to "
                            "download your data or to erase it."},
    "privacy_bad_email": {"fr": "Cette adresse e-mail n'est pas valide.", "en": "This e-mail address is not valid."},
    "privacy_no_mail": {"fr": "L'envoi d'e-mails n'est pas configuré sur ce blog : écrivez-nous directement.",
                        "en": "This blog is not set up to send e-mail: please write to us directly."},
    "privacy_sent": {"fr": "Si cette adresse a laissé des commentaires, un e-mail lui est envoyé avec deux liens "
                           "valables 48 heures (au plus un e-mail toutes les 10 minutes).",
                     "en": "If this address left comments, an e-mail is on its way to it with two links valid for "
                           "48 hours (at most one e-mail every 10 minutes)."},
    "privacy_expired_title": {"fr": "Lien expiré", "en": "Link expired"},
    "privacy_expired": {"fr": "Ce lien n'est pas valide ou a expiré : refaites une demande.",
                        "en": "This link is not valid or has expired: please ask again."},
    "erase_title": {"fr": "Effacer vos données", "en": "Erase your data"},
    "erase_ask": {"fr": "Vos nom, e-mail, site et textes seront effacés de tous vos commentaires, et des e-mails "
                        "qui les citent. Les chiffres anonymes des retours restent. C'est définitif.",
                  "en": "Your name, e-mail, website and texts will be erased from all your comments, and from the "
                        "e-mails that quote them. The anonymous feedback figures remain. This is final."},
    "erase_button": {"fr": "Effacer mes données", "en": "Erase my data"},
    "erased_title": {"fr": "Données effacées", "en": "Data erased"},
    "erased": {"fr": "C'est fait : {comments} commentaire(s) anonymisé(s).",
               "en": "Done: {comments} comment(s) anonymised."},
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
