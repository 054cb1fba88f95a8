"""Cues: the phrasings that say "something is broken" or "please change this", per language.

Patterns run on folded text (lower case, no accents, straight apostrophes), so
"ne fonctionne plus", "ne fonctionne plus" and "NE FONCTIONNE PLUS" all match.
Each cue has a weight; negative weights are counter-cues ("no problem since the
update", "I should have read this"). The names are shown to product owners.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from . import atoms

NEG_FR = r"(?:ne|n'|n)\s?"  # "ne marche", "n'arrive", SMS "narrive"
VERB_WORK_FR = r"(?:marche|marchent|fonctionne|fonctionnent|passe|passent|charge|chargent|s'?ouvre|s'?ouvrent|" \
               r"s'?affiche|s'?affichent|demarre|demarrent|s'?installe|part|partent|arrive|arrivent|s'?apparai\w*|" \
               r"reagit|s'?envoie|se lance|s'?actualise|se met (?:jamais )?a jour|se fait|se lit|detecte|trouve|donne|" \
               r"s'?enregistre|prend en compte|passe)"


@dataclass(frozen=True)
class Cue:
    name: str
    label: str  # "problem" or "suggestion"
    weight: float
    pattern: re.Pattern


def _cue(name: str, label: str, weight: float, rx: str) -> Cue:
    return Cue(name, label, weight, re.compile(rx))


def _cues(label: str, rows: list[tuple[str, float, str]]) -> list[Cue]:
    return [_cue(name, label, weight, rx) for name, weight, rx in rows]


def _arabic_cues(label: str, rows: list[tuple[str, float, str]]) -> list[Cue]:
    # Folded like the texts they run on: hamza forms become bare alef.
    from .text import fold

    return [_cue(name, label, weight, fold(rx)) for name, weight, rx in rows]


PROBLEM_FR = _cues("problem", [
    ("ne marche pas", 3.0, rf"\b{NEG_FR}{VERB_WORK_FR}\s+(?:\w+\s+)?(?:pas|plus|jamais|rien)\b"),
    ("ça marche pas", 2.6, rf"\b(?:ca|sa|ce|ça|il|elle|rien|lapp?l?i?|l'app\w*|site)\s+{VERB_WORK_FR}\s+(?:pas|plus|pa|pu)\b"),
    ("n'arrive pas à", 2.8, r"\b(?:n'?|j'?)\s?(?:arrive|arrivons|reussis|parviens)\s+(?:pas|plus|toujours pas|pa)\s+(?:a|a me|a m'|a)\s?(?:connect|ouvr|telecharg|envoy|postul|pay|modifi|chang|acced|joindr|valid|activ|supprim|recevoir|voir|inscri|install|trouver l'|upload|charger|lire|imprim|sauvegard|enregistr|ajout|me connect|m'inscri|me deconnect)\w*"),
    ("n'arrive pas (général)", 1.2, r"\b(?:n'?|j'?)\s?(?:arrive|arrivons|reussis|parviens)\s+(?:pas|plus|toujours pas|pa)\b"),
    ("je ne peux pas", 2.2, r"\b(?:je|on|nous)\s+(?:ne\s+|n')?(?:peux|peut|pouvons|pourrai|pe)\s+(?:pas|plus|pa|meme pas)\b"),
    ("impossible de", 2.8, r"\bimpossible\s+(?:de|d'|d)\b|\bimpossible\s*[.!]"),
    ("plus moyen de", 2.8, r"\bplus\s+moyen\s+de\b|\bpas\s+moyen\s+de\b"),
    ("plante / crash", 3.0, r"\b(?:plant\w*|crash\w*|buggu?\w*|bug|bugs|beug\w*)\b"),
    ("erreur", 2.4, r"\berreurs?\b|\b(?:404|500|502|503)\b"),
    ("bloqué / figé", 2.2, r"\b(?:bloquee?s?|se bloque\w*|figee?s?|gelee?s?|freeze\w*|tourne (?:dans le vide|indefiniment|en boucle|a l'infini))\b"),
    ("se ferme tout seul", 2.6, r"\bse (?:ferme|coupe|deconnecte|vide|bloque|remet a zero|reinitialise)\b|\bs'(?:efface|arrete)\b"),
    ("page blanche", 2.2, r"\b(?:page|ecran) (?:blanche?|noire?|vide)\b|\bcarre gris\b"),
    ("lien cassé", 2.4, r"\b(?:lien|bouton|formulaire|page|code|fonction)\s+(?:\w+\s+)?(?:mort|casse|cassee|inactif|ne reagit)\b|\bcasse\w*\b"),
    ("ne reçois pas", 2.6, rf"\b(?:{NEG_FR})?re[cç]oi[st]?\s+(?:pas|plus|jamais|aucun\w*)\b|\bjamais (?:recu|arrive|livre)\w*\b|\bn'arrive jamais\b"),
    ("toujours pas", 1.6, r"\btoujours pas\b|\bcela fait\b.*\b(?:jours|semaines?|mois)\b|\bca fait (?:deux|trois|\d+) (?:jours|semaines?|mois)\b"),
    ("débité deux fois", 2.6, r"\bdebit\w* (?:deux|2) fois\b|\bfactur\w* (?:deux|2) fois\b|\brembourse\w*\b.*\b(?:pas|jamais|toujours)\b"),
    ("refusé à tort", 1.8, r"\b(?:refuse|refusee|rejete)\w*\b.*\b(?:alors que|pourtant|valable)\b|\b(?:non supportee?|non reconnue?)\b"),
    ("disparu", 2.0, r"\b(?:ont|a|sont|est) (?:tous |toutes )?disparu\w*\b|\bs'?efface\w*\b|\bperdu\b"),
    ("lent", 1.6, r"\b(?:tres |trop |super )?lent\w*\b|\bmettent? \d+ (?:secondes|minutes) a charger\b|\bconsomme enormement\b"),
    ("aucune notification", 1.6, r"\baucune? (?:notification|alerte|mail|e-mail|message|reponse du site|resultat|son)s?\b|\bpas de (?:notification|connexion|reseau|son)s?\b"),
    ("mal affiché", 2.0, r"\b(?:s'affiche\w*|affiche\w*)\s+(?:mal|a l'envers|tout deforme|n'importe comment)\b|\bse (?:superposent|chevauchent)\b|\billisible\b|\bcaracteres? bizarres?\b|\bpoints d'interrogation\b|\bpart dans tous les sens\b"),
    ("faux / mauvais", 1.4, r"\b(?:est|sont) (?:faux|fausse|fausses|erronee?s?)\b|\bmauvais (?:article|colis|montant)\b|\bdecalage\b"),
    ("en panne", 2.6, r"\ben panne\b|\binaccessible\b|\bindisponible\b|\bne repond plus\b|\bhors service\b"),
    ("problème / souci", 1.4, r"\b(?:un|des|gros|ce|mon) (?:probleme|souci|soucis|pb|bug)\b|\bprobleme (?:de|d'|avec)\b"),
    ("échoue", 2.4, r"\bechou\w*\b|\b(?:est|sont|reste|restent) vides?\b|\bcorrompu\w*\b|\bpas de son\b|\bsans son\b|\binvisibles?\b|\babime\w*\b|\bne trouve rien\b|\baucun resultat\b"),
    ("en double", 2.0, r"\ben double\b|\b(?:deux|trois|2|3|\d+) fois (?:la meme|le meme|au meme|de suite)\b|\benvoyee?s? (?:deux|2) fois\b|\bcinq fois\b"),
    ("au lieu de / alors que", 1.6, r"\bau lieu de\b|\balors que (?:je|j'|ce n'est|il y a|le|la|mon|ma|l'|c'est)\b|\bsans mon accord\b|\bmalgre le filtre\b|\bpas accessible\b|\b(?:pas|plus) acces\b"),
    ("négation + produit", 1.6, r"\b(?:appli\w*|app|site|page|bouton|lien|paiement|compte|notification\w*|alertes?|formulaire|recherche|filtres?|video|telechargement|synchronisation|connexion|code|mail|e-mail|message\w*|commande|colis|livraison|facture|mot de passe|carte|profil|cv)\b[^.!?]{0,40}\b(?:ne|n')\s?\w+\s+(?:pas|plus|jamais)\b"),
    ("attendre des semaines", 1.8, r"\bj'attends (?:mon|ma|mes|le|la|les|depuis)\b|\bdepuis des (?:jours|semaines|mois|heures)\b|\bmettent? des (?:heures|jours|minutes)\b|\b(?:grise|grisee|desactive)s?\b|\bnulle part\b|\b(?:revient|reviennent) (?:sans cesse|sans arret|tout le temps|en boucle)\b|\bnon pris en charge\b|\bexpirees? depuis\b|\bblanc sur (?:des |un |le |les )?\w* ?blancs?\b"),
    ("à chaque fois que", 1.4, r"\ba chaque fois (?:que|qu')\b|\bdes que (?:je|j')\b|\bdepuis (?:la|cette) (?:derniere |nouvelle )?(?:mise a jour|maj|version)\b"),
    ("réinstallé", 1.6, r"\b(?:j'ai|jai) (?:essaye|reinstalle|desinstalle|vide le cache|tout essaye)\b|\b(?:ca|sa|l'appli|l'application|le site) rame\b|\bramer?\b"),
    ("corrigez", 2.0, r"\b(?:corrigez|reparez|merci de corriger|svp corrige\w*)\b"),
    ("rien ne se passe", 2.4, r"\brien ne (?:se passe|marche|fonctionne|s'affiche|charge)\b|\bne fait plus rien\b|\bne (?:reagit|repond) pas\b"),
    ("session expirée", 1.8, r"\bsession expiree\b|\bdeconnecte\w*\b.*\b(?:toutes? les|sans arret|milieu)\b"),
    ("compte bloqué", 2.2, r"\bcompte (?:a ete )?(?:bloque|suspendu|pirate)\b"),
    ("jamais livré", 2.4, r"\b(?:pas|jamais|toujours pas|rien) (?:ete )?(?:livre|recu|arrive)\w*\b|\bmarque\w* livre\w*\b.*\b(?:rien|pas)\b|\bclient absent\b"),
    ("inutilisable", 2.6, r"\binutilisable\b|\binstable\b|\bincompatible\b"),
    # Counter-cues: a problem that is denied or solved.
    ("conseil", -1.5, r"\bpas a tous les coups\b|\bpas toujours\b|\bpas comme ca\b|\bne repond(?:ent)? jamais\b"),
    ("aucun problème", -3.5, r"\b(?:aucun|aucune|plus aucun|pas de|jamais eu de|n'ai jamais eu de|jamais eu) (?:probleme|souci|bug|plantage|plantages|soucis)\b|\bpas de souci\b|\brien a (?:redire|signaler)\b"),
    ("c'est réglé", -3.5, r"\b(?:a ete|est|sont|ont ete|c'est) (?:corrige|corriges|regle|reglee?s?|resolu|resolus|repare)\b|\bcorrige, merci\b"),
    ("tout marche", -3.0, r"\btout (?:marche|fonctionne)\w* (?:bien|parfaitement|nickel)\b|\btout fonctionne\b|\bfonctionne (?:bien|parfaitement|tres bien)\b|\bc'est parfait\b"),
    ("conseil qui ne marche pas", -1.5, r"\b(?:conseils?|methode|negociation|astuce)s?\b[^.!?]{0,30}\bne (?:marche|marchent|fonctionne)\w*\s+(?:pas|jamais)\b"),
    ("jamais planté", -3.0, r"\bjamais (?:plante|bugue|beugue|crashe|eu (?:de |un )?(?:bug|plantage|souci|probleme))\w*\b|\bne (?:plante|bugue|beugue|crashe) jamais\b|\bsans (?:aucun |le moindre )?(?:bug|plantage|souci|probleme)s?\b"),
    ("impossible de s'en passer", -3.0, r"\bimpossible de (?:s'en |m'en |se |me |nous en |vous en )?(?:passer|lasser)\b|\bimpossible de ne pas\b|\bimpossible de trouver mieux\b"),
])

SUGGESTION_FR = _cues("suggestion", [
    ("il faudrait", 2.8, r"\b(?:il )?faudrai[st]\b(?! que (?:je|les|mon|ma|mes|nos|tout))|(?<!est-ce qu')(?<!est ce qu')\bil faut (?:absolument|vraiment|aussi|ajouter|mettre|pouvoir)\b"),
    ("ce serait bien", 2.8, r"\b(?:ce|ca|cela|sa) (?:serai[st]|serait) (?:\w+ )?(?:bien|top|genial|super|cool|pratique|utile|mieux|bon|chouette|sympa|appreciable|ideal|parfait|plus simple|un plus|un vrai plus)\b"),
    ("serait utile", 2.2, r"\bserai[st] (?:la |le |tres |vraiment |bien )?(?:utile|pratique|bienvenue?s?|appreciable|judicieux|top|parfait|genial)\b|\bl'ideal serait\b|\bce qui serait bien\b|\bje verrais bien\b"),
    ("pourquoi ne pas", 2.6, r"\bpourquoi (?:ne pas|pas)\b|\bet si vous\b"),
    ("j'aimerais", 2.4, r"\bj'?aimerai[st]?\b|\bje voudrai[st]?\b|\bon aimerait\b|\bnous aimerions\b|\bj'aurais aime\b|\bj'espere que vous\b"),
    ("ajoutez", 2.8, r"(?<!vous )\b(?:ajoutez|rajoutez|rajouter|mettez|proposez|pensez a|prevoyez|permettez|donnez(?:-nous)?|integrez|affichez|invitez|creez|envoyez|autorisez|gardez|zidou|zido)\b|(?:^|[.!?;:]\s*)faites\b|\b(?:pouvez|pourriez|pourrait|pourriez-vous|pouvez-vous)\s+(?:\w+\s+)?(?:ajouter|mettre|proposer|rajouter|afficher|permettre|integrer|prevoir)\b"),
    ("vous devriez", 2.6, r"\bvous (?:devriez|pourriez|pouvez)\b|\bpourriez-vous\b|\bpouvez-vous\b|\bauriez-vous\b|\bserait-il possible\b|\best-ce que vous (?:pourriez|pouvez|allez)\b"),
    ("je suggère", 2.8, r"\bje (?:suggere|propose|me permets de suggerer)\b|\bsuggestion\b|\bidee\s*:|\bproposition\s*:|\bun petit plus\b"),
    ("il manque", 2.2, r"\bil manque (?:vraiment |juste |encore )?(?:un|une|la|le|l')\b|\bca manque\b|\bmanque (?:vraiment|d'un|d'une)\b"),
    ("à quand", 2.2, r"\ba quand\b|\bil serait temps\b|\bquand (?:allez|comptez|pensez)-vous\b|\bpourquoi (?:il )?n'y a-t-il pas\b|\bpourquoi il n'y a pas\b|\bil vous faut\b|\bvous avez besoin d'"),
    ("impératif", 1.6, r"(?:^|[.!?;:]\s*)(?!vous\b)[a-z]{4,}ez\b(?!-vous)|\b[a-z]{3,}ez-(?:les|le|la|nous|moi|en)\b"),
    ("il serait bien", 2.6, r"\bil serait (?:\w+ )?(?:bien|bon|utile|pratique|interessant|souhaitable|judicieux|appreciable|temps)\b|\bserait mieux (?:si|avec)\b"),
    ("ajouter (infinitif)", 2.2, r"(?:^|[.!?;:]\s*)(?:ajouter|rajouter|mettre en place|pouvoir|permettre|proposer|integrer)\b"),
    ("dommage qu'il n'y ait pas", 2.2, r"\bdommage qu'?\s?il n'?\s?y (?:ait|a) pas\b|\bsi seulement\b|\bbesoin d'(?:un|une)\b|(?:^|[.!?;:]\s*)manque\b"),
    ("option pour", 1.6, r"\b(?:une |un |l')(?:option|possibilite|fonction|bouton|filtre|onglet|rubrique|section|espace|version|appli|application|mode)\s+(?:\w+\s+)?(?:pour|qui permet|permettant|serait)\b|\bla possibilite de\b"),
    ("merci de", 2.6, r"\bmerci de (?:mettre|rajouter|ajouter|prevoir|permettre|revoir|proposer|traduire|corriger l'|afficher)\b"),
    ("svp", 1.0, r"\b(?:svp|stp|s'il vous plait|please|3afakom)\b"),
    ("remettez", 2.0, r"\b(?:remettez|remettre|ramenez|revenez a) (?:l'ancien|l'ancienne|la possibilite|le|la|les)\b|\bil n'y a (?:pas|aucun\w*) (?:de |d')?(?:option|possibilite|filtre|bouton|moyen de choisir)\b"),
    ("pas encore de", 2.2, r"\bpas encore (?:de|d')\b|\btoujours pas (?:de|d')\b|\bil manque\b|\bmanque (?:de|d')\b|\bil n'y a (?:toujours |meme )?pas (?:encore )?(?:de |d')(?:option|possibilite|moyen|fonction|mode|widget|version|choix)\b|\bpourquoi (?:je ne peux|on ne peut|ne peut-on|ne peux-je) pas\b"),
    # Counter-cues: wishes about oneself or the world, not the product.
    ("merci de corriger (un signalement)", -1.5, r"\b(?:corrigez|reparez|merci de corriger|svp corrige\w*)\b"),
    ("encouragement", -3.0, r"\bcontinuez\b|\bbonne continuation\b"),
    ("souhait personnel", -3.0, r"\bil faudrait que je\b|\bje devrais\b|\bj'aurais du\b|\bce serait bien que (?:mon|ma|les jeunes|les entreprises)\b"),
    ("opinion sur le marché", -2.0, r"\b(?:les )?(?:entreprises|recruteurs|stages|employeurs|patrons|salaires)\s+(?:\w+\s+)?devraient\b"),
    ("rien ne manque", -3.0, r"\brien ne (?:me |nous )?manque\b|\bil ne (?:me |nous )?manque rien\b|\bne manque (?:de )?rien\b"),
    ("conseil aux lecteurs", -2.0, r"\b(?:essayez|essaie|essayer) (?:de|d'|la|le|les)\b|\ballez (?:dans|sur)\b|\bil suffit de\b|\bvous pouvez (?:aller|cliquer|essayer|desactiver|activer|passer par)\b|\bca marche pour moi\b"),
])

PROBLEM_EN = _cues("problem", [
    ("doesn't work", 3.0, r"\b(?:doesn'?t|does not|don'?t|do not|didn'?t|won'?t|will not|isn'?t|is not|aren'?t|not|no longer|never)\s+(?:\w+\s+)?(?:work|working|load|loading|open|opening|start|starting|respond|responding|arrive|arriving|show|showing|sync|syncing|apply|update|updating|receive|receiving|send|sending|save|saving|play|playing|connect|connecting|download|downloading|upload|uploading|display|displaying|accept|accepting|let me|recogni[sz]e)\b"),
    ("please fix", 2.2, r"\b(?:please|pls|plz)\s+(?:\w+\s+)?fix\b|\bfix (?:this|it|the)\b|\bforce clos\w*\b|\bwhy can'?t i\b"),
    ("can't", 2.4, r"\b(?:can'?t|cannot|can not|couldn'?t|unable to|not able to)\s+(?:\w+\s+)?(?:log|sign|login|access|open|upload|download|change|apply|pay|reach|reply|see|find|check|use|get|install|edit|delete|resume|tick|submit|attach|add|select|save|send|scroll|filter|sort|type|click|tap|load|watch|play|print)\b"),
    ("keeps crashing", 3.0, r"\b(?:crash\w*|bug|bugs|buggy|glitch\w*|broken|breaks|broke)\b"),
    ("error", 2.2, r"\berrors?\b|\b(?:404|500|502|503)\b|\bsomething went wrong\b"),
    ("freezes", 2.4, r"\b(?:freez\w*|frozen|hang\w*|stuck|spins forever|stutters?|lag\w*)\b"),
    ("fails", 2.4, r"\bfail(?:s|ed|ing|ure)?\b|\b(?:is|are|was) empty\b|\bempty (?:file|page|list)\b|\bcorrupt\w*\b|\bno sound\b|\bshows nothing\b|\b(?:wasn'?t|not|never) saved\b|\bdoesn'?t happen\b|\barrived (?:cold|damaged|broken)\b"),
    ("duplicates", 2.0, r"\bduplicat\w*\b|\b(?:twice|two times|three times|five times)\b"),
    ("instead of / even though", 1.6, r"\binstead of\b|\beven though\b|\balthough\b|\bbut i (?:didn'?t|did not|never|haven'?t)\b|\bwhile everything else\b|\bfor no reason\b"),
    ("negation + product", 1.6, r"\b(?:app|site|page|button|link|payment|account|notifications?|alerts?|form|search|filters?|video|download|sync\w*|login|code|email|messages?|order|parcel|delivery|invoice|password|card|profile|cv|tracking)\b[^.!?]{0,40}\b(?:doesn'?t|don'?t|didn'?t|won'?t|isn'?t|aren'?t|wasn'?t|never|no longer)\b"),
    ("waiting for weeks", 1.8, r"\b(?:been |still )?waiting (?:for )?(?:\w+ )?(?:days|weeks|months|hours)\b|\btakes? (?:hours|ages|forever|days|minutes)\b|\b(?:greyed|grayed) out\b|\b(?:leads?|goes) nowhere\b|\bdead link\b|\bexpired (?:\w+ )?(?:days|weeks|months) ago\b|\bpops? up (?:again|every|all the time)\b|\bpopping up\b"),
    ("every time I", 1.4, r"\b(?:every ?time|whenever|each time) (?:i|we|you)\b|\bsince (?:the|this|your) (?:last |latest |new |recent )?update\b|\bafter (?:the|this) (?:last |latest )?update\b"),
    ("tried everything", 1.6, r"\b(?:re-?install\w*|uninstall\w*|cleared? (?:the )?cache|tried (?:again|everything|several times|\d+ times))\b|\bnot getting (?:any|my|the)\b|\b(?:issues?|problems?) with\b"),
    ("keeps logging me out", 2.4, r"\bkeeps? (?:crashing|closing|logging|freezing|failing|loading|disconnecting|restarting|asking|sending|saying|getting|dropping|resetting)\b|\blogs? me out\b|\bcloses? (?:itself|by itself)\b|\bresets?\b|\bwipes? everything\b"),
    ("blank page", 2.2, r"\bblank (?:page|screen)\b|\bgrey box\b|\bblack screen\b"),
    ("never arrives", 2.6, r"\bnever (?:arrives?|came|comes|arrived|delivered|got)\b|\bstill (?:no|not)\b|\bno longer (?:get|receive)\b|\bstopped (?:arriving|working|coming)\b"),
    ("charged twice", 2.6, r"\bcharged (?:twice|two times|me twice)\b|\bno refund\b|\brefund\b.*\b(?:never|still|not)\b|\bcancellation fee\b"),
    ("rejected wrongly", 1.8, r"\b(?:rejected|refused|declined)\b|\bnot supported\b"),
    ("disappeared", 2.0, r"\b(?:disappeared|vanished|gone missing|lost)\b"),
    ("slow", 1.6, r"\b(?:very |too |so |super )?slow\b|\btakes? forever\b|\bdrains?\b"),
    ("display broken", 2.0, r"\b(?:unreadable|messed up|cut off|reversed|overlap\w*|question marks|garbled)\b"),
    ("wrong", 1.4, r"\b(?:is|are|was|shows?) (?:wrong|off|incorrect)\b|\bwrong (?:item|amount|answer|location)\b|\bone hour off\b"),
    ("down", 2.6, r"\b(?:is|been|went|are) down\b|\bnot available\b|\bunusable\b|\bincompatible\b"),
    ("nothing happens", 2.4, r"\bnothing happens\b|\bdoes nothing\b|\bnothing works\b|\bnot responding\b"),
    ("problem / issue", 1.2, r"\b(?:a|an|the|this|my) (?:problem|issue)\b|\bsomething is wrong\b"),
    ("account locked", 2.2, r"\baccount (?:got |was |is )?(?:locked|suspended|blocked|hacked)\b"),
    ("not delivered", 2.4, r"\b(?:not|never) (?:been )?(?:delivered|received)\b|\bmarked (?:as )?(?:delivered|absent)\b"),
    ("no problem", -3.5, r"\b(?:no|never had any|never had an?|without any|not a single|no more) (?:problems?|issues?|bugs?|crash(?:es)?)\b|\bnothing to (?:say|report)\b"),
    ("fixed", -3.5, r"\b(?:has been|have been|is|was|got|were|are) (?:fixed|solved|resolved|sorted)\b|\bno more problems\b"),
    ("works fine", -3.0, r"(?<!else )\bworks? (?:fine|great|perfectly|well)\b|\bit'?s perfect\b"),
    ("advice", -1.5, r"\bdon'?t always work\b|\bdoesn'?t always work\b|\bwork like that\b|\bnever (?:answer|reply|replies|answers)\b"),
    ("advice that doesn't work", -1.5, r"\b(?:tips?|advice|method|negotiation|trick)s?\b[^.!?]{0,30}\b(?:doesn'?t|don'?t|never) (?:always )?work"),
    ("never crashed", -3.0, r"\bnever (?:once |ever )?(?:crash|froze|freez|fail|glitch|lag)\w*|\b(?:hasn'?t|haven'?t|has not|have not|didn'?t|did not|doesn'?t|does not) (?:once |ever |yet )?(?:crash|freez|froze|fail|glitch|lag)\w*|\bno (?:crash|lag|glitch)\w*\b|\bwithout (?:a |any )?(?:crash|glitch|lag|problem|issue|bug)\w*\b"),
])

SUGGESTION_EN = _cues("suggestion", [
    ("please add", 2.8, r"\b(?:please|pls|plz|kindly)\s+(?:\w+\s+)?(?:add|let|make|show|support|offer|include|allow|remember|give|put|bring|create)\b|(?:^|[.!?;:]\s*)(?:please\s+)?(?:add|let|make|show|support|offer|include|allow|keep|remember|give|put|ask|notify|invite|send|create|bring|enable|provide|integrate|consider)\b|\badd (?:a|an|more|the|some)\b"),
    ("please", 0.8, r"\b(?:please|pls|plz|kindly)\b"),
    ("it should", 2.0, r"\b(?:it|app|site|search|form|page|you)\s+should\b"),
    ("it would be nice", 2.8, r"\b(?:it |that |this )?(?:would|'d|will) (?:be|have been) (?:\w+ )?(?:nice|great|cool|good|helpful|handy|awesome|useful|better|perfect|amazing|a real plus|a plus)\b|\bit'?d be (?:\w+ )?(?:nice|great|cool|handy|useful|better)\b|\bwould (?:help|be a plus)\b"),
    ("I wish", 2.6, r"\bi wish\b|\bi'?d (?:like|love)\b|\bi would (?:like|love)\b|\bwould love\b|\bi want (?:to|the|a)\b|\bi hope you\b"),
    ("you should", 2.6, r"\byou (?:should|could|guys should|need to|must)\b|\bcould you\b|\bcan you (?:add|make|please|put|let|show)\b|\bwould it be possible\b|\bany chance\b|\bis it possible to add\b"),
    ("feature request", 2.8, r"\bfeature request\b|\bsuggestion\b|\bi'?d suggest\b|\bi suggest\b|\bi propose\b|\bidea\s*:|\bconsider adding\b"),
    ("why not", 2.4, r"\bwhy not\b|\bhow about\b|\bwhat about adding\b|\bwhen will you\b|\bwhy (?:is there no|isn'?t there|is there not|can'?t we have|don'?t you (?:have|add|offer))\b|\byou need (?:a|an|more|to add)\b|\bmaybe add\b"),
    ("bring back", 2.0, r"\bbring back\b|\bhope (?:you|they|u) (?:will |can |could )?(?:add|make|bring|include|implement)\b|\b(?:implement|introduce) (?:a|an|the|some)\b|\bneeds? to (?:add|have|include|support|be able)\b|\bmore (?:options|filters|features|choices|settings)\b"),
    ("if only", 2.2, r"\bif only\b|\b(?:5|five) stars? if\b|\bwould (?:give|rate) (?:it )?(?:5|five)\b|\b(?:shame|pity|too bad) (?:that )?there(?:'s| is) no\b|\bwould be (?:even )?better (?:if|with)\b"),
    ("there should be", 2.4, r"\bthere (?:should|needs to|must) be\b|\b(?:needs?|need) (?:a|an|more|to be)\b|\bmissing\b|\bit'?s about time\b"),
    ("option to", 1.6, r"\b(?:an|a) (?:option|way|button|filter|setting|tab|section|mode|version|app) (?:to|for)\b"),
    ("lacks", 2.2, r"\black(?:s|ing)?\b|\bstill (?:no|doesn'?t have|does not have|can'?t)\b|\bwhy can'?t (?:i|we|you)\b|\bthere(?:'s| is) no (?:option|way|setting|button|feature|mode)\b|\bno option (?:to|for)\b|\b(?:doesn'?t|does not) (?:have|support|offer) (?:a|an|the|any)\b"),
    ("no way to", -1.6, r"\bno way to\b"),
    ("please fix (a report)", -1.5, r"\b(?:please|pls|plz)\s+(?:\w+\s+)?fix\b"),
    ("encouragement", -3.0, r"\bkeep (?:up the good work|it up|going|writing|them coming)\b"),
    ("personal wish", -3.0, r"\bi should (?:have|update|read)\b|\bi wish i had\b|\bwould be nice if my\b|\bif (?:young people|companies|my boss)\b"),
    ("opinion on the market", -2.0, r"\b(?:companies|recruiters|internships|employers|salaries|bosses)\s+(?:\w+\s+)?should\b"),
    ("nothing missing", -3.0, r"\bnothing (?:is )?missing\b|\bnothing (?:to add|lacking)\b|\b(?:doesn'?t|does not) lack\b|\blacks nothing\b"),
    ("advice to readers", -2.0, r"(?:^|[.!?;:]\s*)(?:just )?(?:try|go to|go into|tap|click|swipe|turn (?:off|on)|uninstall|reinstall|restart|clear)\b[^.!?]{0,60}\b(?:and|then|it works|it worked|fixed it|worked for me)\b|\btry (?:to |turning|restarting|clearing|reinstalling|uninstalling|logging)\b|\bworked for me\b"),
])

PROBLEM_AR = _arabic_cues("problem", [
    ("لا يعمل", 3.0, r"(?:لا|لم|ما) ?(?:يعمل|تعمل|يشتغل|تشتغل|تفتح|يفتح|تصل|تصلني|يصل|يمكنني|أستطيع|استطيع|يتم)"),
    ("خطأ", 2.4, r"خطأ|خطا|مشكل|عطل|بطيء|يتوقف|تتوقف|فارغة|مرتين"),
])
SUGGESTION_AR = _arabic_cues("suggestion", [
    ("أتمنى", 2.8, r"أتمنى|اتمنى|نتمنى|أقترح|اقترح|نقترح|يرجى|نرجو|من فضلكم|أضيفوا|اضيفوا|إضافة|سيكون من الجيد|لو تضيفون"),
])

BY_LANG = {
    "fr": PROBLEM_FR + SUGGESTION_FR,
    "en": PROBLEM_EN + SUGGESTION_EN,
    "ar": PROBLEM_AR + SUGGESTION_AR,
}
ALL = PROBLEM_FR + SUGGESTION_FR + PROBLEM_EN + SUGGESTION_EN + PROBLEM_AR + SUGGESTION_AR


SIGNATURE = hashlib.sha256(repr([(c.name, c.label, c.weight, c.pattern.pattern) for c in ALL]).encode()).hexdigest()[:8]


def _mask(cues: list[Cue], positive: bool) -> int:
    return sum(1 << _INDEX[id(c)] for c in cues if (c.weight > 0) == positive)


def _automaton():
    """One Aho-Corasick automaton over the required pieces of every cue (feedback.atoms): a single pass in C
    tells which cues can possibly match a text, so only those patterns run."""
    import ahocorasick

    masks: dict[str, int] = {}
    ungated = 0
    for i, cue in enumerate(ALL):
        required = atoms.required(cue.pattern.pattern)
        if required is None:
            ungated |= 1 << i  # no literal is known to be needed: this cue always runs
        for atom in required or ():
            masks[atom] = masks.get(atom, 0) | (1 << i)
    automaton = ahocorasick.Automaton()
    for atom, mask in masks.items():
        automaton.add_word(atom, mask)
    automaton.make_automaton()
    return automaton, ungated


_INDEX = {id(c): i for i, c in enumerate(ALL)}
LATIN_LISTS = PROBLEM_FR + SUGGESTION_FR + PROBLEM_EN + SUGGESTION_EN
_PLANS = {name: (_mask(cues, True), _mask(cues, False)) for name, cues in (
    ("fr", BY_LANG["fr"]), ("en", BY_LANG["en"]), ("ar", BY_LANG["ar"]), ("latin", LATIN_LISTS), ("all", ALL))}
_LABEL_MASKS = {label: sum(1 << i for i, c in enumerate(ALL) if c.label == label) for label in ("problem", "suggestion")}
_AUTOMATON, _UNGATED = _automaton()
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def _candidates(folded: str) -> int:
    mask = _UNGATED
    for _end, cue_mask in _AUTOMATON.iter(folded):
        mask |= cue_mask
    return mask


def _matches(folded: str, mask: int) -> list[tuple[Cue, re.Match]]:
    found = []
    while mask:
        low = mask & -mask
        mask ^= low
        cue = ALL[low.bit_length() - 1]
        m = cue.pattern.search(folded)
        if m:
            found.append((cue, m))
    return found


def find(folded: str, lang: str, mixed: bool = True) -> list[tuple[Cue, re.Match]]:
    """The cues that fire in `folded` (text after text.fold), with their match.

    Readers mix languages, so a mixed or undecided text gets every list (the
    Arabic ones only if it has Arabic letters). Counter-cues only run for a
    label that some cue already supports: they can only lower a score.
    """
    if mixed or lang not in BY_LANG:
        positive, negative = _PLANS["all" if _ARABIC.search(folded) else "latin"]
    else:
        positive, negative = _PLANS[lang]
    possible = _candidates(folded)
    found = _matches(folded, possible & positive)
    supported = 0
    for cue, _m in found:
        supported |= _LABEL_MASKS[cue.label]
    if supported:
        found += _matches(folded, possible & negative & supported)
    return found


def scores(found: list[tuple[Cue, re.Match]]) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Cue score per label, and the names of the cues that counted.

    Positive cues whose matches overlap count once (the French and English lists
    both see "bug"); counter-cues always count.
    """
    total = {"problem": 0.0, "suggestion": 0.0}
    fired: dict[str, list[str]] = {"problem": [], "suggestion": []}
    taken: dict[str, list[tuple[int, int]]] = {"problem": [], "suggestion": []}
    for cue, m in sorted(found, key=lambda cm: -cm[0].weight):
        start, end = m.span()
        if cue.weight > 0:
            if any(start < e and s < end for s, e in taken[cue.label]):
                continue
            taken[cue.label].append((start, end))
        total[cue.label] += cue.weight
        fired[cue.label].append(cue.name)
    return total, fired
