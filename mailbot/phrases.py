"""Transparent phrase rules, per language: what a note or an answer says about knowing you.

Questions answered by lists a reader can check and extend (a new phrase or a new
language is a line here), in en, fr, de, es, it, pt, nl, sv and pl:

* does the text **claim or hint at a tie** ("we met at …", "you interviewed me",
  "X suggested I get in touch")?
* does a note give **positive evidence of no tie** ("growing my network", a pitch,
  "saw your post", "we haven't met")? Only that earns the explanation of the rule.
* does an answer to "have we met?" **say no**, is it **rude**, is it **automatic**?

Matching folds case, accents and apostrophes. The matched phrase is returned so the
reason shown to the owner can quote it.
"""

from __future__ import annotations

import re
import unicodedata

_END = r"\s*(?:[^\w\s']|$)"  # the end of a clause: punctuation, a dash, an emoji, the end

# A tie of any kind: met, worked, studied, applied, interviewed, spoke, was referred.
# Hints count ("you may remember me", "following up on our chat"): doubt goes to review.
CLAIMS: dict[str, tuple[str, ...]] = {
    "en": (
        r"\bwe (?:have |had |'ve |just |briefly |first )?(?:met|spoke|talked|chatted|connected)\b",
        r"\b(?:met|meeting|seeing|saw) you (?:at|in|during|through|last|yesterday|on)\b",
        r"\bmet (?:at|in|during|through)\b",
        r"\b(?:worked|work|working|studied|served|volunteered) (?:together|with you|alongside you|under you|for you)\b",
        r"\bwe (?:have |'ve |both )?(?:worked|studied|were|used to work)\b",
        r"\b(?:interviewed|interview) (?:with you|for (?:the|your|a) )",
        r"\bi (?:have |'ve |recently |just )?(?:applied|interviewed|was shortlisted|was interviewed)\b",
        r"\b(?:my|our) (?:application|interview|conversation|call|chat|meeting|discussion)\b",
        r"\b(?:thanks?|thank you|thx|cheers|merci|danke|grazie|gracias|obrigad\w*|dank|tack|dzieki)\b[^.!?]{0,30}\binterview\b|\b(?:the|from the|after the|before the|since the|your|mock) (?:\w+[- ])?interview\b(?! (?:anxiety|loops?|process\w*|tips|questions|on|in the|with (?:the|a)|series|podcast))",
        r"\b(?:sent|passed|forwarded|submitted|gave) (?:on )?(?:my|her|his) (?:cv|resume|application|details)\b",
        r"\b(?:suggested|recommended|told me|advised me) (?:that )?(?:i |to )?(?:contact|reach out|connect|get in touch|write)",
        r"\b(?:referred|introduced) (?:me|us)\b",
        r"\b(?:former|old|ex-?) ?(?:colleague|classmate|teammate|coworker|co-worker|team)\b",
        # (the same event or conference, their talk or session: one-way, no tie)
        r"\bsame (?:course|class|cohort|team|bootcamp|programme|program|panel|workshop)\b",
        r"\b(?:great|nice|good|lovely|pleasure) (?:meeting|to meet|seeing|to see|chatting|talking)\b",
        r"\bremember me\b",
        r"\b(?:following up|follow up|as promised|as discussed|per our)\b",
        r"\bthanks? (?:again )?for (?:the|your) (?:chat|call|talk|time|meeting|coffee|interview)\b|\b(?:for )?taking the time to (?:speak|talk|chat|meet) (?:with|to) me\b",
        r"\byes,? (?:we|i|that's|that is|indeed|of course)\b",
        r"^yes\b",
        # paths that crossed; contact at a distance: a call, emails, "only on Zoom"
        r"\b(?:crossed paths|paths (?:have |had )?(?:already |briefly )?crossed)\b",
        r"\bwe (?:have |had )?(?:had|exchanged|swapped|traded) (?:a |an |some |a few |several |our )?(?:\w+ )?(?:calls?|zoom|e-?mails?|messages|video ?calls?|phone ?calls?)\b",
        r"\b(?:exchanged|swapped|traded) (?:a few |some |several |a couple of )?(?:e-?mails|messages|dms)\b|\bbeen in touch\b",
        r"\b(?:only|just) (?:on|by|over|via|through) (?:zoom|teams|skype|the phone|phone|e-?mail|mail|video|slack|messages)\b|\bonly (?:online|virtually|remotely)\b",
        # the owner called or wrote to them ("you called me about the role", "you emailed me")
        r"\byou (?:have |had )?(?:called|phoned|rang|rung|contacted|messaged|texted|e-?mailed|mailed|wrote to|written to|reached out to) (?:me|us)\b|\byou (?:sent|gave) me (?:a |an )?(?:call|ring|e-?mail|mail|message|text|note|dm)\b",
    ),
    "fr": (
        r"\bnous nous sommes (?:rencontres?|croises?|parle|vus|connus)\b",
        r"\bon s'est (?:rencontres?|croises?|parle|vus|connus|deja vus)\b",
        r"\b(?:rencontres?|croises?|vus?) (?:a|lors|au|aux|pendant|chez|sur)\b",
        r"\b(?:ravie?|content|contente|plaisir) (?:de vous avoir|d'avoir|de t'avoir) (?:rencontre|croise|vu|parle|echange)",
        r"\b(?:travaille|bosse|etudie) (?:ensemble|avec vous|avec toi|sous votre)\b",
        r"\bvous m'avez (?:interviewe|recu|recrute|forme|accompagne|encadre)\b",
        r"\bj'ai (?:postule|candidate|passe un entretien)\b",
        r"\b(?:ma|notre) (?:candidature|conversation|discussion|echange|rencontre)\b",
        r"\bentretien\b",
        r"\bm'a (?:conseille|suggere|recommande|dit) de (?:vous|te) (?:contacter|ecrire)\b",
        r"\b(?:ancien|ancienne|ex) (?:collegue|camarade)\b",
        r"\bnous etions (?:collegues|dans la meme)\b",
        r"\bmeme (?:promo|promotion|formation|equipe|cours)\b",
        r"\bsuite a notre\b",
        r"\boui,? (?:nous|on|c'est|je|bien sur|tout a fait)\b",
        r"^oui\b",
        r"\b(?:vous m'avez|tu m'as|vous nous avez) (?:deja |bien |aussi )?(?:appelee?s?|telephone|ecrit|contactee?s?|envoye un (?:e-?mail|mail|courriel|message|sms))\b|\b(?:on s'est|nous nous sommes) (?:deja )?(?:appeles?|telephone|ecrit)\b",
    ),
    "de": (
        r"\bwir haben uns\b.{0,60}\b(?:kennengelernt|getroffen|gesprochen|unterhalten|gesehen|ausgetauscht)\b",
        r"\bkennengelernt\b",
        r"\b(?:zusammengearbeitet|zusammen gearbeitet|zusammen studiert)\b|\bzusammen\b[^.!?]{0,30}\b(?:gearbeitet|studiert|gelernt|gewesen)\b|\bmit (?:ihnen|dir) zusammen\b",
        r"\bsie haben mich (?:interviewt|eingestellt|betreut|gecoacht)\b",
        r"\bvorstellungsgesprach\b|\b(?:im|beim|unser\w*|mein\w*|das) interview\b",
        r"\bich habe mich\b.{0,60}\bbeworben\b|\bbeworben\b",
        r"\bmeine bewerbung\b|\bunser(?:em|es)? (?:gesprach|telefonat|austausch|treffen)\b",
        r"\b(?:hat|meinte|sagte)\b.{0,40}\b(?:empfohlen|melden|kontaktieren|schreiben)\b",
        r"\b(?:ehemalige[rn]?|fruhere[rn]?|alte[rn]?) (?:kollegin|kollege|kollegen|kommiliton|team)",
        r"\bwir waren (?:kollegen|im selben|im gleichen|zusammen)\b",
        r"\b(?:selben|gleichen) (?:kurs|jahrgang|team|seminar|studiengang)\b",
        r"\bwie besprochen\b|\banknupfend an\b",
        r"\bja,? (?:wir|ich|genau|klar|naturlich)\b",
        r"^ja\b",
        r"\b(?:sie haben|sie hatten|du hast|du hattest) mich\b[^.!?]{0,60}\b(?:angerufen|kontaktiert|angeschrieben|angemailt)\b|\b(?:sie haben|sie hatten|du hast|du hattest) mir\b[^.!?]{0,60}\b(?:gemailt|(?:eine |ne )?(?:e-?mail|mail|nachricht|sms) (?:geschickt|gesendet))\b",
    ),
    "es": (
        r"\bnos (?:conocimos|vimos|cruzamos|conocemos)\b",
        r"\b(?:coincidimos|hablamos|charlamos)\b",
        r"\b(?:trabajamos|estudiamos) juntos\b|\btrabaje con (?:usted|vos|contigo)\b",
        r"\bme (?:entrevisto|entrevistaste|contrataste|contrato)\b",
        r"\b(?:me postule|postule|aplique|envie mi cv|mi candidatura|(?:mi|nuestra) entrevista|entrevista (?:contigo|con usted|con vos))\b|\b(?:hice|tuve|tuvimos|hicimos) (?:\w+ )?entrevista\b",
        r"\b(?:me sugirio|me recomendo|me dijo) que (?:le|te) (?:escribiera|contactara)\b",
        r"\b(?:ex ?companer[oa]|antigu[oa] companer[oa]|companer[oa]s? de)\b",
        r"\b(?:mismo|misma) (?:curso|equipo|promocion|master)\b",
        r"\bsi,? (?:nos|coincidimos|claro|fue|estuve)\b",
        r"\bme (?:llamaste|escribiste|contactaste|has (?:llamado|escrito|contactado)|ha (?:llamado|escrito|contactado)|mandaste|enviaste)\b|\busted me (?:llamo|escribio|contacto)\b",
    ),
    "it": (
        r"\bci (?:siamo|eravamo) (?:conosciuti|incontrati|visti|sentiti|parlati)\b",
        r"\b(?:abbiamo|ho) (?:lavorato|studiato) (?:insieme|con lei|con te)\b",
        r"\bmi (?:ha|hai) (?:fatto il colloquio|intervistato|assunto|selezionato)\b",
        r"\b(?:mi sono candidat[oa]|(?:la mia|mia) candidatura|(?:il mio|mio|al|nostro|dopo il|durante il|per il) colloquio)\b",
        r"\bmi ha (?:suggerito|consigliato|detto) di (?:contattarla|contattarti|scriverle|scriverti)\b",
        r"\b(?:ex collega|ex compagn[oa]|vecchio collega)\b",
        r"\b(?:stesso|stessa) (?:corso|team|master|classe)\b",
        r"\bsi,? (?:ci|abbiamo|certo|esatto)\b",
        r"\bmi (?:hai|ha|aveva|avevi) (?:gia )?(?:chiamat[oa]|contattat[oa]|mandato una (?:mail|e-?mail)|scritto una (?:mail|e-?mail))\b|\bmi (?:chiamasti|scrivesti|contattasti)\b",
    ),
    "pt": (
        r"\bnos (?:conhecemos|encontramos|falamos|vimos)\b",
        r"\b(?:trabalhamos|estudamos) juntos\b",
        r"\b(?:voce|o senhor|a senhora) me (?:entrevistou|contratou)\b",
        r"\b(?:me candidatei|candidatura|entrevista)\b",
        r"\b(?:me sugeriu|me indicou|me recomendou|me disse) (?:que )?(?:entrar em contato|falar)\b",
        r"\b(?:mesmo|mesma) (?:curso|time|equipe|turma)\b",
        r"\bsim,? (?:nos|a gente|claro|foi)\b",
        r"\bme (?:ligou|ligaste|telefonou|telefonaste|escreveu|escreveste|contatou|contactou|contataste|mandou um (?:e-?mail|email|mail)|enviou um (?:e-?mail|email|mail))\b",
    ),
    "nl": (
        r"\bwe hebben elkaar\b.{0,40}\b(?:ontmoet|gesproken|gezien)\b",
        r"\b(?:samengewerkt|samen gewerkt|samen gestudeerd)\b",
        r"\bu heeft me (?:geinterviewd|aangenomen)\b|\bje hebt me (?:geinterviewd|aangenomen)\b",
        r"\b(?:gesolliciteerd|sollicitatie|sollicitatiegesprek)\b",
        r"\b(?:raadde me aan|zei dat ik) (?:contact|u|je)\b",
        r"\bdezelfde (?:cursus|opleiding|team|klas)\b",
        r"\bweet je nog\b",
        r"\bja,? (?:we|wij|ik|klopt|inderdaad)\b",
        r"\b(?:u heeft|je hebt|jij hebt|u had|je had) (?:me|mij)\b[^.!?]{0,30}\b(?:gebeld|gemaild|geschreven|gecontacteerd|benaderd|een (?:mail|e-?mail|bericht|berichtje) gestuurd)\b|\b(?:u|je|jij) (?:belde|mailde|benaderde) (?:me|mij)\b",
    ),
    "sv": (
        r"\bvi (?:traffades|sags|pratade|har traffats|jobbade)\b",
        r"\b(?:jobbade|arbetade|pluggade) (?:tillsammans|ihop)\b",
        r"\b(?:sokte|ansokan|intervju)\b",
        r"\b(?:tipsade|rekommenderade) (?:mig|att jag)\b",
        r"\bja,? (?:vi|jag|det)\b",
        r"\b(?:du|ni) (?:ringde|mejlade|mailade|kontaktade|skrev till|hade kontaktat|har kontaktat|har ringt|har mejlat) (?:mig|oss)\b(?! (?:aldrig|inte|ej)\b)",
    ),
    "pl": (
        r"\b(?:poznalismy sie|spotkalismy sie|rozmawialismy)\b",
        r"\b(?:pracowalismy|studiowalismy) razem\b",
        r"\b(?:aplikowalem|aplikowalam|rozmow[aey] kwalifikacyjn)|\b(?:bralem|bralam|bylem|bylam|uczestniczylem|uczestniczylam) (?:\w+ )?(?:w|na) (?:rekrutacji|procesie rekrutacyjnym|rozmowie)\b",
        r"\b(?:polecil|polecila|zasugerowal|zasugerowala) mi\b",
        r"\b(?:byly|byla|dawny|dawna) (?:kolega|kolezanka|wspolpracownik)\b",
        r"\btak,? (?:poznalismy|spotkalismy|pracowalismy|to)\b",
        r"\b(?:za)?dzwonil\w* (?:pan |pani )?do mnie\b|\b(?:na)?pisal\w* (?:pan |pani )?do mnie\b|\b(?:s)?kontaktowal\w* sie (?:pan |pani )?ze mna\b|\b(?:pan|pani) (?:do mnie )?(?:za)?dzwonil\w*\b",
    ),
}

# Positive evidence that there is no acquaintance: networking, a pitch, "saw your
# profile / post", "we haven't met", a newcomer who wants to learn. Only these make a
# note from a stranger worth the explanation of the rule.
NO_TIE: dict[str, tuple[str, ...]] = {
    "en": (
        r"\b(?:widen|widening|grow|growing|expand|expanding|build|building|extend|extending|broaden|broadening) (?:my|our) (?:professional )?(?:network|connections)\b",
        r"\b(?:add|connect with|connecting with) (?:you to )?(?:my|more) (?:network|professionals|people)\b",
        r"\b(?:came|come) across your (?:profile|post|article|page)\b",
        r"\b(?:saw|read|seen|found|noticed|liked|enjoyed|loved) your (?:profile|post|article|comment|content|talk online|newsletter)\b",
        r"\bwe (?:have not|haven't|havent|haven't yet|have never|'ve never) (?:met|spoken|talked)\b",
        r"\b(?:do not|don't|dont) know each other\b",
        r"\b(?:never|not) (?:met|spoken)\b",
        r"\b(?:i )?(?:help|helping) (?:companies|teams|businesses|leaders|people|firms)\b",
        r"\b(?:our|my) (?:platform|solution|product|service|agency|company) (?:helps|offers|provides)\b",
        r"\b(?:quick|short|15|20|30)[- ]?(?:min(?:ute)?s?)? (?:call|demo|chat)\b",
        r"\b(?:like-minded|fellow) professionals?\b",
        r"\blearn from (?:you|your experience)\b",
        r"\b(?:new|starting out) (?:in|to) (?:the|this) (?:industry|field|area)\b",
        r"\bopen to (?:new )?opportunities\b",
        r"\blooking for (?:a )?(?:job|new role|opportunities|position)\b",
        r"\bsame (?:industry|field|sector|space)\b",
        r"\bnot personally\b",
    ),
    "fr": (
        r"\b(?:elargir|agrandir|developper|etendre|etoffer) (?:mon|notre) reseau\b",
        r"\b(?:vu|decouvert|lu|trouve|croise) votre (?:profil|post|publication|article)\b",
        r"\bvotre (?:profil|parcours|publication) m'a\b",
        r"\bon ne se connait pas\b|\bnous ne nous connaissons pas\b",
        r"\b(?:pas encore|jamais) (?:rencontres?|eu l'occasion)\b",
        r"\bnous (?:aidons|accompagnons)\b|\bj'accompagne (?:les|des)\b",
        r"\b(?:echanger|apprendre) (?:avec|de) (?:vous|professionnels)\b",
        r"\bmeme secteur\b|\bprofessionnels du secteur\b",
        r"\ben recherche (?:d'emploi|d'un poste|active)\b",
    ),
    "de": (
        r"\b(?:mein|unser) (?:berufliches )?netzwerk (?:zu )?(?:erweitern|vergrossern|ausbauen)\b",
        r"\bnetzwerk (?:erweitern|vergrossern|ausbauen)\b",
        r"\b(?:ihr|dein) (?:profil|beitrag|post|artikel)\b.{0,40}\b(?:gesehen|gelesen|gestossen|aufgefallen|entdeckt)\b",
        r"\bauf (?:ihr|dein) profil gestossen\b",
        r"\bwir kennen uns (?:noch )?nicht\b|\bnoch nicht kennengelernt\b|\bnicht personlich\b",
        r"\bwir (?:helfen|unterstutzen|begleiten) (?:unternehmen|firmen|teams)\b",
        r"\b(?:austauschen|vernetzen) mit (?:gleichgesinnten|fachleuten|experten)\b",
        r"\bgleichen branche\b|\bderselben branche\b",
        r"\bauf jobsuche\b|\bsuche (?:eine neue|nach einer neuen) (?:stelle|herausforderung)\b",
    ),
    "es": (
        r"\b(?:ampliar|expandir|crecer|hacer crecer) (?:mi|nuestra) red\b",
        r"\b(?:vi|lei|encontre|descubri) (?:su|tu) (?:perfil|publicacion|post|articulo)\b",
        r"\bno nos conocemos\b|\bno nos hemos (?:conocido|visto)\b|\bnunca nos hemos\b",
        r"\b(?:ayudamos|ayudo) a (?:empresas|equipos)\b",
        r"\bmismo sector\b|\bprofesionales del sector\b",
        r"\baprender de (?:usted|ti|vos)\b",
    ),
    "it": (
        r"\b(?:ampliare|espandere|allargare) (?:la mia|la nostra) rete\b",
        r"\b(?:visto|letto|trovato) il (?:suo|tuo) (?:profilo|post|articolo)\b",
        r"\bnon ci conosciamo\b|\bnon ci siamo mai\b",
        r"\b(?:aiutiamo|aiuto) (?:le aziende|aziende|i team)\b",
        r"\bstesso settore\b|\bimparare da (?:lei|te)\b",
    ),
    "pt": (
        r"\b(?:ampliar|expandir|aumentar) (?:minha|a minha|nossa) rede\b",
        r"\b(?:vi|li|encontrei) (?:seu|o seu|teu) (?:perfil|post|artigo)\b",
        r"\bnao nos conhecemos\b|\bnunca nos (?:vimos|falamos)\b",
        r"\b(?:ajudamos|ajudo) (?:empresas|equipes)\b",
        r"\bmesma area\b|\bmesmo setor\b|\baprender com (?:voce|o senhor)\b",
    ),
    "nl": (
        r"\b(?:mijn|ons) netwerk (?:uit te breiden|uitbreiden|vergroten|te vergroten)\b",
        r"\b(?:uw|je|jouw) (?:profiel|post|artikel)\b.{0,30}\b(?:gezien|gelezen|tegengekomen)\b",
        r"\bwe kennen elkaar (?:nog )?niet\b|\bnog niet ontmoet\b",
        r"\bwij helpen (?:bedrijven|organisaties)\b|\bzelfde branche\b",
    ),
    "sv": (
        r"\b(?:utoka|bygga|vidga) (?:mitt|vart) natverk\b",
        r"\b(?:sag|last) (?:din|er) (?:profil|post|artikel)\b",
        r"\bvi kanner inte varandra\b|\bvi har inte traffats\b",
    ),
    "pl": (
        r"\b(?:poszerzyc|rozszerzyc|rozbudowac|poszerzam|rozbudowuje) (?:moja |swoja )?siec\b",
        r"\b(?:widzialem|widzialam|przeczytalem|przeczytalam|trafilem|trafilam) (?:na )?(?:pana|pani|twoj|twoj) (?:profil|post|artykul)",
        r"\bnie znamy sie\b|\bnie mielismy okazji\b",
    ),
}

# Families written once for every language (the text is folded: no accents, lower case).
CLAIMS["*"] = (
    # a shared event or place: a fair, a stand, a conference, a meetup (a hint of a tie)
    r"\b(?:conference|summit|meetup|trade fair|fair|stand|booth|salon|messe|feria|fiera|beurs|massan|targi|congres|kongress|congreso|congresso|webinar)\b.{0,40}\b(?:met|meet|spoke|talked|chatted|rencontr|echange|discute|getroffen|gesprochen|kennengelernt|conoci|hablamos|charlamos|conhec|falamos|incontr|parlato|ontmoet|gesproken|traffa|pratade|poznal|rozmawial)",
    r"\b(?:met|meet|spoke|talked|chatted|rencontr|echange|discute|getroffen|gesprochen|kennengelernt|conoci|hablamos|charlamos|conhec|falamos|incontr|parlato|ontmoet|gesproken|traffa|pratade|poznal|rozmawial)\w*\b.{0,60}\b(?:conference|summit|meetup|fair|stand|booth|salon|messe|feria|fiera|beurs|massan|targi|congres|kongress|congreso|congresso|event|evenement|veranstaltung|evento|evenement|evenemang|wydarzen)",
    r"\b(?:d'avoir|avoir) (?:pu )?(?:echange|discute|parle|rencontre|croise)\b",
    # "so many new faces at <event>": they were somewhere the owner may have been too
    r"\b(?:so many|many|all the|so viele|viele|tant de|tellement de|cuanta|cuantas|cuantos|tanta|tantas|tantos|quante|quanti|tante|tanti|zoveel|veel|sa manga|manga|tyle|wielu)\b.{0,20}\b(?:people|faces|contacts|gente|persone|gesichter|leute|menschen|personnes|visages|mensen|gezichten|ansikten|manniskor|ludzi|znajomosci|pessoas|contatos|contactos|contatti)\b",
    r"\b(?:congress|expo|festival|fest|forum|salone|week|days|tag|dag|dagen|jornada|giornata)\b.{0,40}\b(?:met|meet|spoke|talked|chatted|rencontr|getroffen|kennengelernt|conoci|encontr|incontr|ontmoet|traffa|poznal)",
    # something shared now: a group, a call, clients, a programme
    r"\b(?:we're both|we are both) (?:in the same|part of the same|at|on the (?:same )?(?:board|committee|team|panel|project|jury))\b",
    r"\bwe both (?:attended|went|studied|worked|joined|spoke|presented)\b",
    r"\b(?:ambos|entrambi|beide|allebei|bada|oboje|tous (?:les )?deux)\b.{0,25}\b(?:grupo|gruppo|gruppe|groep|grupp|grupa|groupe|call|chamada|chiamata|comite|comitato|ausschuss|commissie|kommitte|komisji|board|consiglio|consejo|conselho|jury|panel)\b",
    r"\b(?:same|mismos|mismas|mismo|misma|mesmos|mesmas|mesmo|mesma|gleichen|selben|meme|memes|stessi|stesse|stesso|stessa|dezelfde|hetzelfde|samma|tych samych|tym samym|wspolnych)\b.{0,15}\b(?:clients|customers|clientes|kunden|clienti|klanten|kunder|klientow|klientami|projects?|proyectos?|projetos?|projets?|projekte|progett[oi]|project(?:en)?|projekt\w*)\b",
    # someone pointed them to the owner: "Anna gave me your name", "m'a parlé de vous"
    # (mutual connections or friends alone are common ground, no tie: "12 contacts en commun")
    r"\b(?:through|via|after|thanks to|following) (?:\w+'s |an? |the |her |his |our |my )?(?:intro|introduction)\b|\w+'s (?:intro|introduction)\b|\b(?:par l'intermediaire de|grace a (?:\w+ )?(?:introduction|presentation)|uber (?:die )?vermittlung|durch (?:die )?vermittlung|por (?:medio|intermedio) de|gracias a la presentacion|per tramite di|tramite (?:la )?presentazione|atraves da (?:apresentacao|indicacao)|via (?:een )?introductie|genom (?:en )?introduktion|za posrednictwem)\b",
    r"\b(?:gave me your (?:name|details|contact|email|number)|mentioned (?:you|your name)|spoke (?:very )?(?:highly|well) of you|told me (?:about|of) you|pointed me (?:to|towards) you|put (?:me|us) in touch|(?:said|thought|mentioned|suggested) (?:that )?i should (?:contact|reach out|connect|get in touch|write|talk|speak)|asked me to (?:contact|reach out|connect|get in touch|write)|(?:on|at) the (?:recommendation|suggestion|advice) of|(?<!linkedin )(?:recommended|suggested) you|mutual (?:friend|contact|acquaintance|colleague)|works? with you|i remember you)\b",
    r"\b(?:m'a (?:donne|transmis|passe|communique) (?:votre|ton|vos|tes) (?:nom|contact|coordonnees|e-?mail|adresse|numero)|m'a (?:parle|dit (?:beaucoup )?de bien) de (?:vous|toi)|m'a (?:conseille|suggere|recommande) de (?:vous|te)|sur (?:les )?(?:conseils?|recommandation) de|travaille avec vous|je me souviens de (?:vous|toi))\b",
    r"\b(?:hat mir (?:ihren|deinen) (?:namen|kontakt)|(?:ihren|deinen) (?:namen|kontakt) (?:gegeben|genannt|weitergegeben)|hat mir (?:viel )?von (?:ihnen|dir) erzahlt|auf empfehlung (?:von|ihres|ihrer)|arbeitet mit (?:ihnen|dir)|ich erinnere mich an (?:sie|dich))\b",
    r"\b(?:me (?:dio|paso|facilito) (?:tu|su) (?:nombre|contacto|correo|email|numero)|me hablo (?:muy bien )?de (?:ti|usted)|por recomendacion de|trabaja (?:contigo|con usted)|me acuerdo de (?:ti|usted)|te recuerdo)\b",
    r"\b(?:mi ha (?:dato|passato|girato) il (?:suo|tuo) (?:nome|contatto|numero)|mi ha parlato (?:molto bene )?di (?:lei|te)|su (?:consiglio|suggerimento|raccomandazione) di|lavora con (?:lei|te)|mi ricordo di (?:lei|te))\b",
    r"\b(?:(?:deu|passou)(?:-me)? o (?:seu|teu) (?:nome|contato|contacto|e-?mail|numero)|falou(?:-me)? (?:muito bem )?de (?:voce|si|ti)|me falou (?:muito bem )?de (?:voce|si|ti)|por indicacao d\w+|trabalha com (?:voce|o senhor|a senhora)|lembro(?:-me)? de (?:voce|si))\b",
    r"\b(?:gaf (?:me|mij) (?:je|jouw|uw) (?:naam|contactgegevens|gegevens|nummer)|(?:je|jouw|uw) naam (?:gekregen|doorgegeven)|vertelde (?:me|mij) over (?:je|jou|u)|heeft (?:me|mij) over (?:je|jou|u) verteld|op aanraden van|werkt met (?:je|jou|u)|ik herinner me (?:je|jou|u))\b",
    r"\b(?:tipsade (?:mig )?om (?:dig|er)|gav mig (?:ditt|ert) (?:namn|nummer|kontakt)|pratade (?:\w+ )?(?:gott )?om (?:dig|er)|rekommenderade (?:dig|er)|pa inradan av|jobbar med (?:dig|er)|jag minns dig)\b",
    r"\b(?:polecil\w* mi (?:pana|pania|ciebie|kontakt)|dal\w* mi (?:pana|pani|twoj|twoje) (?:kontakt|numer|nazwisko|imie)|opowiadal\w* mi o (?:panu|pani|tobie)|z polecenia|pracuje z (?:panem|pania|toba)|pamietam (?:pana|pania|ciebie|cie))\b",
    # together somewhere, the same school or office: "estivemos juntos", "we zaten samen"
    r"\bwe (?:were|sat|studied|worked|served|played|lived|did) (?:\w+ ){0,3}together\b|\b(?:nous etions|on etait|on a ete) ensemble\b|\b(?:estuvimos|fuimos|estivemos|estavamos|fomos|eravamo|siamo stati|bylismy) (?:\w+ )?(?:juntos|juntas|insieme|razem)\b|\b(?:we|wij) (?:zaten|werkten|studeerden|waren)\b[^.!?]{0,30}\bsamen\b|\bvi (?:var|satt|gick|jobbade|pluggade) (?:\w+ ){0,3}(?:tillsammans|ihop)\b|\b(?:gick|gick pa|laste) samma\b",
    r"\b(?:same|meme|selben|gleichen|misma|mismo|stessa|stesso|mesma|mesmo|dezelfde|samma|tej samej|tym samym)\b (?:\w+ )?(?:school|university|uni|college|faculty|department|office|class|ecole|universite|fac|lycee|classe|bureau|schule|universitat|klasse|buro|abteilung|escuela|universidad|facultad|colegio|clase|oficina|scuola|universita|facolta|ufficio|escola|universidade|faculdade|turma|escritorio|universiteit|klas|afdeling|werkgroep|skola|klass|kurs|utbildning|universitet|avdelning|szkol\w*|uczelni|klasie|dziale|roku)\b",
    # the owner taught, supervised or managed them: "you were my lecturer", "your data course"
    r"\byou (?:were|was) (?:my|our) (?:\w+ )?(?:lecturer|professor|teacher|tutor|mentor|supervisor|manager|boss|coach|trainer|instructor|examiner|advisor|adviser|lead)\b|\byou (?:interviewed|hired|recruited|mentored|taught|coached|supervised|managed|placed|trained|examined|lectured|onboarded) (?:me|us|my|our)\b|\byour (?:\w+ )?(?:course|class|cohort|bootcamp|workshop|lecture|module|seminar|masterclass|training)\b",
    r"\bvous (?:etiez|etes) (?:mon|ma|notre) (?:\w+ )?(?:professeur|prof|enseignant\w*|tuteur|tutrice|directeur|directrice|manager|responsable|encadrant\w*|maitre de stage|formateur|formatrice)\b|\bvous m'avez (?:\w+ )?(?:enseigne|encadre|forme|dirige|eu en cours|eu comme)\b|\b(?:votre|ton) (?:\w+ )?(?:cours|formation|classe|seminaire|atelier)\b",
    r"\bsie waren (?:mein|meine|unser|unsere) (?:\w+ )?(?:betreuer\w*|professor\w*|dozent\w*|lehrer\w*|chef\w*|vorgesetzte\w*|mentor\w*|ausbilder\w*|trainer\w*|prufer\w*)\b|\bsie haben mich (?:\w+ )?(?:betreut|unterrichtet|ausgebildet|gefuhrt|gepruft)\b|\b(?:ihr|ihrem|ihren|ihre) (?:\w+ )?(?:kurs|seminar|vorlesung|workshop|lehrgang|modul)\b",
    r"\b(?:fuiste|fue usted|eras|era usted) (?:mi|nuestro|nuestra) (?:\w+ )?(?:profesor\w*|tutor\w*|jef\w*|director\w*|mentor\w*|supervisor\w*|formador\w*|docente)\b|\bme (?:diste|dio|dabas|daba) clases?\b|\b(?:tu|su) (?:\w+ )?(?:curso|clase|asignatura|taller|seminario|master|formacion)\b",
    r"\b(?:eri|era lei|e stato|e stata) (?:il mio|la mia|il nostro|la nostra) (?:\w+ )?(?:professor\w*|docente|tutor|relatore|relatrice|capo|responsabile|mentor\w*|formatore|formatrice)\b|\b(?:del|al|nel|il) (?:suo|tuo) (?:\w+ )?(?:corso|master|seminario|workshop|laboratorio)\b|\bmi (?:ha|hai) (?:fatto lezione|insegnato)\b",
    r"\b(?:foi|era|foste) (?:o meu|a minha|meu|minha|nosso|nossa) (?:\w+ )?(?:professor\w*|orientador\w*|chefe|gestor\w*|mentor\w*|formador\w*|tutor\w*)\b|\b(?:seu|teu|do seu|no seu) (?:\w+ )?(?:curso|workshop|treinamento|mestrado)\b|\bme (?:deu|dava) aulas?\b",
    r"\b(?:u|je|jij) (?:was|waren) (?:mijn|onze) (?:\w+ )?(?:docent\w*|leraar|lerares|begeleider|begeleidster|manager|baas|mentor|leidinggevende|professor|promotor)\b|\b(?:uw|je|jouw) (?:\w+ )?(?:cursus|college|vak|workshop|training)\b|\b(?:we|wij) (?:spraken|zagen|ontmoetten) elkaar\b",
    r"\bdu var (?:min|mitt|var) (?:\w+ )?(?:larare|handledare|chef|mentor|forelasare|professor)\b|\b(?:din|er) (?:\w+ )?(?:kurs|forelasning|utbildning|workshop)\b|\b(?:byl pan|byla pani|byles|bylas) (?:moim|moja|naszym|nasza) (?:\w+ )?(?:wykladowc\w*|nauczyciel\w*|promotor\w*|szef\w*|przelozon\w*|mentor\w*|opiekun\w*)\b|\b(?:pana|pani|twoj\w*) (?:\w+ )?(?:kurs\w*|zajec\w*|wyklad\w*|szkoleni\w*|warsztat\w*)\b|\bprowadzil\w* (?:moje|nasze) zajecia\b",
    # a colleague, a student, a member of the owner's team (now or before)
    # (Italian: "collega" itself; "collegarmi", "collegamento" are "connect")
    r"\b(?:(?:colleague|coworker|co-worker|kollege|kollegin|collegue|colega|kollega|kolega|kolezanka)\w*|collega)\b",
    r"\b(?:your|votre|ton|ihr|ihre|dein|su|tu|sua|seu|il suo|je|uw|din|twoj|pana|pani) (?:student\w*|etudiant\w*|intern|stagiaire|praktikant\w*|mentee|alumn\w*|estudiante|aluno|aluna|studente|allievo|stagiair|elev|student)\b|\b(?:i was|i worked|i used to work|we were|i joined|i was part of|works?|working) (?:\w+ ){0,3}(?:in|on|for|of|with) your team\b|\bjoined your team\b",
    r"\b(?:former|ex|old) (?:student|intern|employee|report|manager|boss|colleague)\b|\bwas your\b|\bunter ihnen\b|\bin ihrem (?:team|seminar|kurs)\b",
    # paths that crossed, people who came across each other ("nos chemins se sont croisés")
    r"\b(?:begegnet|uber den weg gelaufen)\b|\bwege\b[^.!?;]{0,20}\bgekreuzt\b|\bnos chemins se sont (?:deja )?croises\b|\bnuestros caminos se (?:cruzaron|han cruzado)\b|\ble nostre strade si sono (?:gia )?incrociate\b|\bnossos caminhos (?:ja )?se cruzaram\b|\bpaden hebben (?:elkaar )?(?:al )?gekruist\b|\b(?:elkaar|je|jou|u) (?:al eens )?tegengekomen\b|\b(?:kwam|kwamen) (?:je|jou|u|elkaar) tegen\b|\bvagar (?:har )?(?:redan )?korsats\b|\bdrogi sie (?:juz )?skrzyzowaly\b",
    # contact without meeting in person: calls, mails, "only on Zoom"
    r"\bnur (?:per|uber|via|am|im) (?:zoom|teams|telefon|mail|e-mail|video\w*)\b|\b(?:seulement|juste|uniquement) (?:par|en|au|sur|via) (?:telephone|visio|mail|e-mail|zoom|teams)\b|\bsolo (?:por|en|via|su|per|al) (?:zoom|telefono|correo|videollamada|teams|e-?mail|mail|videochiamata)\b|\bso (?:por|pelo|via) (?:zoom|telefone|e-?mail|teams|video)\b|\balleen (?:via|per|over) (?:zoom|teams|telefoon|mail|e-mail|video)\b|\bbara (?:via|pa|over) (?:zoom|teams|telefon|mejl|mail|video)\b|\btylko (?:przez (?:telefon|zoom\w*|maila?|teams)|online|mailowo|telefonicznie)\b",
    r"\b(?:telefoniert|telefonato|telefonamos|hablamos por telefono|falamos por telefone|gebeld|ringde|rozmawialismy przez telefon|on the phone|by phone|over the phone|video call|zoom call|exchanged (?:e-?mails|messages)|emailed|e-mail gewechselt|geschrieben|echange par (?:e-?)?mail|correspond\w*|escribimos|escrevemos|scritto|gemaild|mejlat)\b",
    # a candidate in one of the owner's processes
    r"\b(?:selected|shortlisted|assessment|second round|final round|seleccionad\w*|selecionad\w*|selezionat\w*|ausgewahlt|zweite runde|retenu\w*|deuxieme tour|geselecteerd|tweede ronde|uttagen|andra omgangen|wybran\w*|drugi etap|etap rekrutacji)\b",
    # not sure whether they met: the owner decides
)
NO_TIE["*"] = (
    # growing a network, in any verb form, in either order
    r"\b(?:grow|expand|build|widen|broaden|extend|develop|develo|elargi|agrandi|etoff|ausbau|ausbauen|erweiter|vergroesser|vergrosser|amplia|ampli|expandi|crece|alarga|aument|allarga|espand|uitbrei|vergrot|bygg|utok|vidga|poszerz|rozbudow|rozszerz|zbieram)\w*\b.{0,60}\b(?:network|netzwerk|reseau|red|rede|rete|netwerk|natverk|siec|kontakt\w*|contactos|contatti|contacten|connections)\b",
    r"\b(?:network|netzwerk|reseau|red|rede|rete|netwerk|natverk|siec)\b.{0,60}\b(?:ausbauen|erweitern|vergrossern|uit te breiden|uitbreiden|vergroten|utoka|bygga|poszerzyc)\b",
    # saw / read / came across their post, article, profile, column
    r"\b(?:saw|seen|read|came across|come across|found|noticed|enjoyed|loved|liked|admire|follow|following|vu|lu|decouvert|suivi|suis|gelesen|gesehen|gestolpert|gestossen|verfolge|vi|visto|leido|lei|lido|letto|seguo|sigo|acompanho|gezien|gelezen|tegengekomen|volg|sag|last|laste|foljer|verfolgen|suivre|seguir|seguire|acompanhar|volgen|folja|sledzic|obserwowac|przeczytal\w*|widzial\w*|sledze|trafil\w*|zag|zagen|sah|spotted|stumbled|notato|notado|notei|remarque|zauwazyl\w*|zobaczyl\w*|hittade|hittat|imbattut\w*|deparei|tombee?|llamo la atencion|aparecio|apareceu|comparso|apparso)\b.{0,50}\b(?:post|posts|article|articles|profile|profil|perfil|profilo|profiel|publication|publicacion|publicacao|pubblicazione|beitrag|artikel|articulo|artigo|articolo|column|wpis|inlagg|content|contenu|contenuti|contenidos|conteudos|newsletter|podcast|video|talk online|beitrage|publications|publicaciones|pubblicazioni|publicacoes|berichten|inlaggen|publikacj\w*|wpisy)\b",
    r"\byour (?:article|post|profile|newsletter|podcast|column|content|video)\b",
    r"\b(?:post|posts|article|artikel|beitrag|beitrage|column|wpis|inlagg|publicacion|publicacao|articulo|artigo|articolo|profil|profile|profiel|perfil)\b.{0,60}\b(?:gestolpert|gestossen|gelesen|gesehen|gezien|gelezen|tegengekomen|lu|vu|leido|visto|lido|letto|przeczytal\w*|aufmerksam geworden|aufgefallen|angesprochen|caught my (?:eye|attention)|resonated|llamo la atencion|chamou (?:a |minha )?atencao|sprak me aan|viel me op|colpito|interpelle|zwrocil\w*|przykul\w*|verfolgen|folgen)\b",
    r"\b(?:ik las|las ik|jag last|lasa)\b",
    r"\b(?:building|build|grow|growing|join|joining)\b.{0,10}\b(?:a|our|my)\b.{0,20}\b(?:community|network|group)\b",
    r"\b(?:we|vi|wij|wir|nous|noi|nosotros|nos)\b.{0,30}\b(?:deliver|offer|provide|levererar|erbjuder|leveren|bieden|liefern|bieten|proposons|offrons|offriamo|ofrecemos|oferecemos|dostarczamy|oferujemy)\b",
    r"\bpeople you may know\b",
    r"\b(?:profile|profil|perfil|profilo|profiel)\b.{0,30}\b(?:popped up|showed up|appeared|came up|wyskoczyl\w*|pojawil\w*|aparecio|apareceu|apparso|verschenen|dok upp|aufgetaucht|est apparu|suggest\w*|sugger\w*|podpowiedz\w*)\b",
    # a recruiter, a headhunter, a salesperson: a pitch, whatever the grammar around it
    r"\b(?:recruiter|headhunter|talent acquisition|rekryterare|rekruter\w*|reclutador\w*|recrutador\w*|selezionator\w*|personalberater\w*|chasseur de tetes|chasseuse de tetes|recruteu\w*|werver|wervings\w*|executive search)\b",
    r"\b(?:freelance\w*|zzp'?er|startat eget|indépendant|independant|selbststandig|freiberufl\w*|autonomo|autonoma|libero professionista|autonomo|jednoosobow\w*|wlasna firme)\b",
    r"\b(?:new clients|new customers|nya kunder|neue kunden|nouveaux clients|nuevos clientes|novos clientes|nuovi clienti|nieuwe klanten|nowych klientow|opdrachten)\b",
    r"\b(?:zapraszam do (?:sieci|grona)|i invite you to (?:join|my)|je vous invite a rejoindre|ich lade sie ein|le invito a|convido voce|ik nodig je uit|jag bjuder in)\b",
    r"\b(?:i run|i write|i host|prowadze|je publie|ich schreibe|escribo|escrevo|scrivo|ik schrijf|jag skriver)\b.{0,20}\b(?:newsletter|podcast|blog|community|group|grupa|grupo|gruppo|groep|grupp)\b",
    # admiring a career from afar
    r"\b(?:your|votre|ton|ihr|ihre|dein|deine|su|tu|sua|seu|tua|je|jouw|uw|din|er|pana|pani)\b.{0,20}\b(?:career|career path|path|journey|trajectory|parcours|werdegang|laufbahn|trayectoria|carrera|carreira|trajetoria|percorso|carriera|loopbaan|carriere|karriar|resa|kariera|sciezka)\b",
    # a pitch: what we do for companies like yours; an offer; an agency
    r"\b(?:we|i) (?:help|support|work with|partner with)\b.{0,30}\b(?:companies|teams|businesses|leaders|firms|organi[sz]ations|brands|smes|startups)\b",
    r"\b(?:we have|we offer|we built|we provide|i run|i own|i founded)\b.{0,40}\b(?:platform|tool|solution|service|product|software|app|agency|company|business|studio|consultancy)\b",
    r"\b(?:introduce|present|presenter|vorstellen|presentar\w*|presentarl\w*|presentare|apresentar|voorstellen|presentera|przedstawic)\b.{0,25}\b(?:our|notre|nos|unser\w*|nuestr\w*|la nostra|il nostro|i nostri|le nostre|noss\w*|onze|ons|var|vara|nasz\w*)\b.{0,20}\b(?:platform|plateforme|plattform|plataforma|piattaforma|products?|produit\w*|produkt\w*|product\w*|prodott\w*|produto\w*|solutions?|losung\w*|solucion\w*|soluzion\w*|solucao|solucoes|oplossing\w*|losning\w*|rozwiazani\w*|offer|offre|angebot\w*|oferta\w*|offert\w*|aanbod|erbjudande\w*|services|dienst\w*|tjanst\w*|uslug\w*|servicios|servizi|servicos|tool|software)\b|\bprzedstawic (?:\w+ )?ofert\w*\b|\bwe (?:helpen|ondersteunen|bieden)\b",
    r"\b(?:nous aidons|nous accompagnons|j'accompagne|wir unterstutzen|wir helfen|wir begleiten|ayudamos|ayudo|ajudamos|ajudo|aiutiamo|aiuto|la nostra (?:societa|azienda)|nuestra empresa|nossa empresa|wij helpen|wij verzorgen|wij ondersteunen|vi hjalper|vi levererar|vi erbjuder|pomagamy|oferujemy|mam (?:atrakcyjna )?oferte|ofrecemos|oferecemos|offriamo|bieten wir|wir bieten|nous proposons|proposons)\b",
    # who they are: a recruiter, a salesperson, a student or newcomer, a job seeker
    r"\b(?:i am|je suis|ich bin|soy|sou|sono|ik ben|jag ar|jestem)\b(?! (?:now )?(?:your|votre|ton|ihr|dein|su|tu|il suo|seu|teu|uw|je|jouw|din|er|pana|pani|twoj)\b).{0,25}\b(?:account ?manager|sales (?:rep\w*|consultant|executive|manager)|sdr|bdr|business developer|consulente commerciale|commerciale|commercial|im vertrieb|vertriebs\w*|comercial|vendedor\w*|verkoper|saljare|przedstawiciel\w*|handlowc\w*|corretor\w*|recruiter|headhunter|talent partner|sourcer|account executive|personalberater\w*|recruteu\w*|chasseu\w*|reclutador\w*|recrutador\w*|selezionat\w*|rekryterare|rekruter\w*|doradc\w*|aspiring|neolaureat\w*)\b",
    r"\b(?:looking for|seeking|searching for|je cherche|cherche|ich suche|suche|busco|estoy buscando|procuro|estou procurando|a procura de|em busca de|cerco|sto cercando|alla ricerca di|zoek|ik zoek|op zoek naar|soker|szukam)\b.{0,40}\b(?:job|role|position|internship|stage|stelle|praktikum|praxissemester|werkstudent\w*|trabajo|empleo|practicas|emprego|estagio|lavoro|tirocinio|werk|baan|stageplek|afstudeerplek|jobb|praktik|prace|pracy|praktyk\w*|opportunit\w*|oportunidad\w*|oportunidade\w*|opportunita|first (?:job|role)|graduate (?:role|scheme|programme|program)|traineeship|berufseinstieg|einstieg\w*|ausbildungsplatz|premier (?:emploi|poste)|alternance|primer empleo|primo (?:impiego|lavoro)|primeiro emprego|eerste baan|afstudeerstage|stageplaats|forsta jobb|pierwsz\w* prac\w*)\b",
    # a student or researcher reaching out for a thesis or survey
    r"\b(?:student\w*|etudiant\w*|estudiante\w*|studente|studentessa|estudante\w*|graduate|jeune diplome\w*|absolvent\w*|recien graduad\w*|neolaureat\w*|recem-formad\w*|afgestudeerd\w*|nyexaminerad|absolwent\w*)\b.{0,80}\b(?:advice|tips|tipps|ratschlag\w*|conseils?|consejos?|consigli\w*|dicas|raad|advies|rad|porad\w*|rady)\b",
    r"\b(?:my thesis|my dissertation|master'?s thesis|masterarbeit|bachelorarbeit|abschlussarbeit|memoire|mon memoire|tfg|tfm|mi tesis|minha tese|tcc|la mia tesi|mijn scriptie|scriptie|examensarbete|uppsats|prace magisterska|prace licencjacka|research (?:project|interview)|survey|encuesta|enquete|umfrage|sondaggio|pesquisa|ankiet\w*)\b",
    r"\b(?:new|starting out|just starting|nouveau|nouvelle|debutant\w*|neu|neuling|nuevo|nueva|novo|nova|nuovo|nuova|nieuw|ny|nowy|nowa|dopiero zaczynam|zaczynam)\b.{0,20}\b(?:industry|field|sector|secteur|branche|branchen|branschen|sector|setor|settore|vak|branzy|hr|area)\b",
    r"\b(?:transicao de carreira|career change|reconversion|quereinstieg|cambio de carrera|cambio di carriera|carriereswitch|karriarbyte|przebranzow\w*)\b",
    # they say there is no acquaintance
    r"\b(?:don't|do not|dont) know (?:anyone|anybody|you|each other)\b",
    r"\b(?:kennen uns|conhecemos|conocemos|conosciamo|kennen elkaar|kanner varandra|znamy sie)\b.{0,15}\b(?:nicht|nao|no|non|niet|inte|nie)\b",
    r"\b(?:nicht|nao|no|non|niet|inte|nie)\b.{0,15}\b(?:kennen uns|conhecemos|conocemos|conosciamo|kennen elkaar|kanner varandra|znamy sie)\b",
    r"\b(?:jamais|pas encore|nie|nooit|aldrig|nunca|mai|never|noch nie|nog nooit)\b.{0,20}\b(?:croises?|rencontres?|vus?|getroffen|begegnet|kennengelernt|visto|vimos|conocido|incontrati|ontmoet|traffats|spotkalismy|met|spoken)\b",
    r"\b(?:vi har aldrig|wir haben uns (?:noch )?nie|nous ne nous sommes jamais|we have never|we've never|no nos hemos|nunca nos|non ci siamo mai|we hebben elkaar nog nooit)\b",
    r"\bconnect(?:a|er|en)? (?:med|with|mit|avec|con|com|met|z)\b.{0,30}\b(?:folk|people|leute|personnes|gente|pessoas|persone|mensen|ludzmi|professionals|experience|erfarenhet)\b",
    # "I don't think we've met", "je ne crois pas qu'on se connaisse", "ik denk niet dat we elkaar ..."
    r"\bi (?:do not|dont) (?:really |actually )?(?:think|believe|reckon|suppose) (?:that )?(?:we|you and i)(?: have| had| did)?(?: ever| actually| really| yet| previously| already)? (?:met|spoken|talked|crossed paths|been introduced|know each other)\b|\bi (?:do not|dont) (?:think|believe) (?:that )?we (?:have|did)"
    + _END,
    r"\bje ne (?:crois|pense) pas (?:que (?:nous nous|l'on se|on se)|qu'on se|avoir (?:eu|deja))|\b(?:ich (?:glaube|denke|meine)|(?:glaube|denke|meine) ich) nicht,? dass wir uns\b|\bno (?:creo|pienso) que nos (?:conozcamos|hayamos|conocieramos)\b|\bcreo que no nos (?:conocemos|hemos)\b",
    r"\bnon (?:credo|penso) (?:che ci (?:conosciamo|siamo|conoscessimo)|di (?:averla|averti|aver) (?:mai )?(?:incontrat|conosciut|vist)\w*)|\bnao (?:creio|acho|penso) que (?:nos|a gente|ja nos) (?:conhecamos|conhecemos|tenhamos|encontramos|vimos|falamos)\b|\b(?:acho|creio) que nao nos (?:conhecemos|vimos|falamos)\b",
    r"\bik (?:denk|geloof) niet dat (?:we|wij) elkaar\b|\bvolgens mij (?:kennen|hebben) (?:we|wij) elkaar (?:niet|nog nooit|nooit)\b|\bjag tror inte (?:att )?vi (?:har|kanner|traffats)\b|\bnie (?:sadze|wydaje mi sie),? (?:zebysmy|abysmy|ze sie)\b",
    # paths that never crossed: "our paths haven't crossed", "wir sind uns nie begegnet"
    r"\b(?:not|never|nicht|nie|niemals|jamais|pas|nunca|no|non|mai|nao|niet|nooit|inte|aldrig|nigdy)\b[^.!?;,]{0,25}\b(?:crossed|gekreuzt|croises|cruzado|cruzaron|cruzamos|coincidido|incrociat\w*|cruzaram|gekruist|korsats|korsat|skrzyzowal\w*|begegnet|uber den weg gelaufen|tegengekomen)\b",
    # not in person: "not personally", "nicht persönlich", "en persona no"
    r"\b(?:not|pas|nicht|no|non|nao|niet|inte|nie)\b[^.!?;,]{0,30}\b(?:personally|in person|face to face|in real life|personnellement|en personne|en vrai|personlich|personalmente|en persona|di persona|pessoalmente|ao vivo|persoonlijk|in het echt|personligen|osobiscie|na zywo)\b",
    r"\b(?:personally|personnellement|personlich|personalmente|en persona|di persona|pessoalmente|persoonlijk|personligen|osobiscie),? (?:not|no|pas|nicht|non|nao|niet|inte|nie)"
    + _END,
    # how they found the owner: "LinkedIn suggested you", "in my suggestions", "people you may know"
    r"\blinkedin (?:has |had |kept )?(?:suggested|recommended|showed|proposed|suggests|recommends|shows)\b|\b(?:suggested|recommended) (?:to me )?by linkedin\b|\blinkedin (?:hat|hatte) (?:mir )?(?:sie|dich|ihr profil|dein profil|ihren namen)(?: \w+)? (?:vorgeschlagen|angezeigt|empfohlen)\b|\blinkedin m'a (?:suggere|propose|recommande|montre)\b|\blinkedin me (?:sugirio|recomendo|mostro|propuso)\b|\blinkedin mi ha (?:suggerito|proposto|consigliato|mostrato)\b|\blinkedin (?:me )?(?:sugeriu|recomendou|mostrou)\b|\blinkedin (?:stelde|raadde)\b[^.!?]{0,20}\b(?:voor|aan)\b|\blinkedin (?:heeft )?(?:je|jou|u) (?:voorgesteld|aanbevolen)\b|\blinkedin (?:foreslog|rekommenderade|visade)\b|\blinkedin (?:mi )?(?:\w+ )?(?:zaproponowal|polecil|podsunal|pokazal)\w*",
    r"\b(?:came up|popped up|showed up|appeared|turned up) (?:in|on|among) my (?:feed|suggestions|timeline|recommendations|search)\b|\b(?:in|among|unter|dans|parmi|como|entre|tra|nei|nas|als|bij|bland|som|w|wsrod) (?:(?:my|meinen|mes|mis|i miei|miei|minhas|as minhas|mijn|mina|moich|den|the|les|las|le|i|as|de) )?(?:suggestions|vorschlag\w*|sugerencia\w*|suggeriment\w*|sugesto\w*|sugestao|suggestie\w*|forslag\w*|propozycj\w*|empfehlung\w*|aanbeveling\w*)\b",
    r"\b(?:people you may know|personen, die sie (?:vielleicht )?kennen|personnes que vous (?:pourriez|connaissez peut-etre)|personas que (?:quizas |tal vez |quiza )?conozcas|persone che (?:potresti|forse) conosc\w*|pessoas que (?:talvez )?(?:voce )?(?:talvez )?conheca|mensen die je (?:misschien )?kent|personer du kanske kanner|osoby,? ktore (?:mozesz|moze) znac)\b",
    r"\b(?:found|came across|stumbled (?:up)?on|discovered) you (?:through|via|with|in|on) (?:a |my )?(?:search|linkedin search|google)|\bwhile (?:searching|browsing|looking) (?:for|through|on linkedin)\b|\bkwam (?:je|uw|jouw) (?:profiel|post|artikel|bericht|naam) tegen\b|\bdi con (?:tu|su) (?:perfil|publicacion|post|articulo|nombre)\b|\btombee? sur (?:votre|ton|ta|vos|tes) (?:profil|post|publication|article|nom)\b",
)

# In an answer to "have we met?": a plain no.
DENIALS: dict[str, tuple[str, ...]] = {
    "*": (
        # "no" as a whole clause, wherever it stands, with the words said around it:
        # "La verdad es que no.", "Ärligt talat nej.", "Haha nee hoor,", "ehrlich gesagt
        # nicht –", "Sadly not!", "Not really.", "Ah non, pas du tout.", "Nej då."
        # (a tag question is no answer: "puede ser, ¿no?", "right, no?", "oder nicht?")
        r"(?:^|[^\w\s'\u00bf]\s*|\b(?:"
        # said before it
        r"honestly|frankly|truthfully|sadly|unfortunately|i am afraid|afraid|actually|well|"
        r"absolutely|definitely|certainly|really|franchement|honnetement|honnete|sincerement|"
        r"malheureusement|helas|en fait|bah|ben|absolument|vraiment|alors|euh|ehrlich gesagt|"
        r"ehrlich|leider|eigentlich|eher|wohl|tja|ach|also|absolut|uberhaupt|definitiv|"
        r"wirklich|tatsachlich|noch|naja|la verdad(?: es)? que|la verdad|pues|bueno|"
        r"sinceramente|desafortunadamente|lamentablemente|realmente|en realidad|todavia|aun|"
        r"claro que|que|purtroppo|in realta|veramente|onestamente|francamente|beh|mah|"
        r"assolutamente|ancora|infelizmente|na verdade|bom|olha|ainda|eerlijk gezegd|helaas|"
        r"eigenlijk|nou|echt|absoluut|helemaal|zeker|nog|arligt talat|talat|tyvarr|faktiskt|"
        r"egentligen|nja|verkligen|szczerze mowiac|mowiac szczerze|szczerze|niestety|"
        r"wlasciwie|raczej|chyba|w sumie|no|wcale|absolutnie|zdecydowanie|jeszcze|"
        r"haha\w*|hehe\w*|ahah\w*|jaja\w*|jeje\w*|kkk+|rs+|lol|ha|ah|eh|hm+|um+|uh|mm+"
        r")\s*[:,]?\s*)(?:no|nope|nah|non|nein|nee|neen|nej|nao|nie|not|nicht|niet|inte|pas)\b"
        # said after it
        r"(?:\s*,?\s*(?:really|at all|yet|sorry|i am afraid|unfortunately|sadly|actually|tbh|"
        r"honestly|haha\w*|lol|du tout|vraiment|malheureusement|desole\w*|encore|pas|non|"
        r"hein|leider|wirklich|eigentlich|tatsachlich|nein|realmente|de verdad|para nada|"
        r"lo siento|todavia|aun|la verdad|davvero|proprio|affatto|ancora|mi dispiace|mesmo|"
        r"nada|desculp\w*|ainda|nao|hoor|joh|echt|helaas|nog niet|nee|da|tyvarr|faktiskt|direkt|"
        r"riktigt|alls|an|nej|inte|niestety|naprawde|jeszcze|przykro mi|nie|bardzo)\b){0,2}"
        r"\s*(?:[^\w\s'?]|$)",
        r"^(?:we )?(?:have not|haven't|havent)\b",
        # "not that I recall", "it doesn't ring a bell"
        r"\b(?:not (?:that|as far as) i (?:can )?(?:know|recall|remember|am aware|tell)|not that i know of|not to (?:my|the best of my) (?:knowledge|recollection)|i do not (?:recall|remember) (?:ever )?(?:meeting|having met|that we (?:have )?met|we have met)|(?:does|do) not ring (?:a|any) bells?)\b",
        r"\b(?:pas (?:que je (?:sache|me souvienne|me rappelle)|a ma connaissance|de ma connaissance|dans mes souvenirs)|je ne (?:me souviens|me rappelle) pas (?:de vous avoir|qu'on se soit|que nous nous soyons|vous avoir)|(?:ca|cela) ne me dit rien)\b",
        r"\b(?:nicht,? dass ich (?:wusste|mich erinnern (?:konnte|kann)|mich erinnere)|meines wissens (?:nicht|nein)|soweit ich weiss,? (?:nicht|nein|nie)|sagt mir nichts)\b",
        r"\b(?:no que yo (?:sepa|recuerde)|que yo (?:sepa|recuerde),? no|no me suena(?: de nada)?)\b",
        r"\b(?:non che io (?:sappia|ricordi)|che io (?:sappia|ricordi),? no|non mi risulta|per quanto ne so,? no|non mi dice (?:niente|nulla))\b",
        r"\b(?:nao que eu (?:saiba|me lembre|lembre)|que eu (?:saiba|me lembre),? nao|nao me diz nada|nao me lembro de (?:termos|ter|nos|a gente))\b",
        r"\b(?:niet dat ik (?:weet|me (?:kan )?herinner\w*)|voor zover ik weet,? niet|zegt me niets|gaat (?:bij mij )?geen belletje rinkelen)\b",
        r"\b(?:inte (?:vad|som|savitt) jag (?:vet|minns|kommer ihag)|inte mig veterligen|sager mig ingenting)\b",
        r"\b(?:nic mi o tym nie wiadomo|nie przypominam sobie|z tego co wiem,? nie|o ile (?:pamietam|wiem),? nie|nie kojarze|nic mi to nie mowi)\b",
        # "I don't think so", "creo que no", "ik denk het niet", as a whole clause
        r"\b(?:i (?:do not|dont) (?:think|believe|reckon|suppose) so|i (?:think|believe|guess|suppose) not|je ne (?:crois|pense) pas|je (?:crois|pense) (?:pas|que non)|ich (?:glaube|denke|meine) (?:eher )?nicht|(?:glaube|denke|meine) ich (?:eher )?nicht|(?:creo|pienso|diria|me parece|me temo) que no|no (?:lo )?creo|(?:credo|penso|direi|temo) di no|non (?:credo|penso|mi pare|mi sembra)|(?:acho|creio|penso|acredito|diria) que nao|nao (?:creio|acho|me parece)|ik (?:denk|geloof) (?:het )?niet|(?:denk|geloof) (?:het|ik) niet|volgens mij niet|jag tror (?:inte det|det inte|inte)|det tror jag inte|tror inte det|nie sadze|nie wydaje mi sie|(?:chyba|raczej) nie)"
        r"(?:,?\s*(?:no|non|nein|nee|nej|nao|nie))?" + _END,
    ),
    "en": (
        r"^(?:no|nope|nah|not really|honestly,? no|sadly,? no|unfortunately,? no)\b",
        r"\bno,? we\b",
    ),
    "fr": (r"^(?:non|pas vraiment|malheureusement non)\b", r"\bnon,? (?:nous|on)\b"),
    "de": (r"^(?:nein|ne|nee|leider nein|leider nicht|ehrlich gesagt nein)\b", r"\bnein,? wir\b"),
    "es": (r"^(?:no|la verdad,? no|pues no)\b",),
    "it": (r"^(?:no|purtroppo no|in realta no)\b",),
    "pt": (r"^(?:nao|na verdade,? nao|infelizmente,? nao)\b",),
    "nl": (r"^(?:nee|neen|helaas niet|eerlijk gezegd niet)\b",),
    "sv": (r"^(?:nej|tyvarr inte)\b",),
    "pl": (r"^(?:nie|niestety nie)\b",),
}

# Rude: no draft, ever ("there is no need to be rude back").
RUDE: dict[str, tuple[str, ...]] = {  # insults, and contempt by cause, in every language here
    "en": (
        # dismissal: "don't care. Delete.", "stop spamming my inbox", "recruiter rubbish"
        r"\b(?:do not|dont) care\s*[.!]\s*delete\b|\bspam(?:ming)? (?:me|my inbox)\b|\b(?:recruiter|sales|linkedin) (?:rubbish|garbage|spam|drivel)\b",
        r"\b(?:fuck\w*|shit|bullshit|crap|asshole|idiot|moron|jerk|piss off|screw you|go to hell)\b",
        r"\b(?:how|so|very|quite|rather|you(?:'re| are)) (?:arrogant|pompous|pretentious|condescending|full of yourself|ridiculous|pathetic|stupid)\b",
        r"\bwhat a (?:joke|snob|stupid|ridiculous|pompous|arrogant|pathetic)\b",
        r"\b(?:pathetic|ridiculous|stupid) (?:question|message|rule|policy)\b",
        # by cause: my time wasted; go away, never write again; this message is a joke
        r"(?<!not a )\bwaste of (?:my |our )?time\b|\b(?:stop |quit )?wasting (?:my|our) time\b|\b(?:do not|dont) waste my time\b",
        r"\b(?:leave me alone|get lost|get out of my inbox|(?:do not|dont|never) (?:contact|message|email|e-mail|write to|bother) me (?:ever )?again|stop (?:contacting|messaging|emailing|spamming|bothering|pestering) me)\b|(?:^|[.!?]\s+)(?:just |please )?(?:(?:do not|dont) bother(?: replying| answering| asking| writing)?|go away)\s*(?:[.!]|$)",
        r"\b(?:this|that|your|this whole) (?:message|mail|email|e-mail|question|request|note|invitation|rule|policy|thing) (?:is|was|sounds|seems|reads) (?:so |just |utterly |totally |absolutely |really |pure |plain |frankly )?(?:pathetic|ridiculous|spam|absurd|laughable|a joke|insulting|creepy|cringe\w*)\b|\b(?:this|that)(?:'s| is) (?:just |pure |plain )?(?:spam|pathetic|laughable)\b",
    ),
    "fr": (
        r"\b(?:connard|connasse|debile|va te faire|pour qui vous (?:vous )?prenez|pour qui tu te prends)\b",
        r"\b(?:quelle|question|regle) (?:ridicule|pathetique|pretentieuse|stupide)\b",
        r"\b(?:ridicule|pathetique|pretentieux|pretentieuse|arrogant|arrogante)\s*[!.]",
        r"\b(?:arretez|arrete|cessez|cesse) de (?:me faire )?perdre (?:mon|notre) temps\b|\b(?:vous me faites|tu me fais) perdre (?:mon )?temps\b|(?<!pas une )\bperte de temps\b",
        r"\b(?:laissez|laisse|fichez|fiche|foutez|fous)[- ]moi (?:tranquille|la paix)\b|\bne me (?:contactez|recontactez|ecrivez|derangez|sollicitez|contacte|recontacte|ecris|derange) plus\b|\b(?:degage|degagez|allez voir ailleurs|va voir ailleurs)\b",
        r"\b(?:ce|votre|ton) (?:message|mail|courriel|question|demande|regle) est (?:vraiment |tout simplement |franchement |completement )?(?:ridicule|pathetique|absurde|du spam|grotesque|insultant|risible|une blague)\b|\bc'est (?:du spam|(?:vraiment |franchement )?(?:grotesque|risible))\b|\bquelle (?:blague|farce|plaisanterie|mascarade)\b|\b(?:on s'en fiche|on s'en fout|je m'en fous|qui s'en soucie)\b|\bcomment (?:osez-vous|oses-tu|osez vous|oses tu)\b",
    ),
    "de": (
        r"\b(?:scheiss\w*|vergessen sie(?:'s| es)|vergiss es|spinnen sie|unverschamt|frechheit|sparen sie sich|lacherliche?s? (?:frage|regel)|was fur eine arroganz|idiot)\b",
        r"\b(?:wie|so|ganz schon|ziemlich) (?:arrogant|uberheblich|lacherlich|peinlich)\b",
        r"\b(?:horen sie|hor) auf\b[^.!?]{0,15}\b(?:meine|unsere) zeit zu (?:verschwenden|vergeuden|stehlen)\b|\b(?:verschwenden|vergeuden|stehlen) sie (?:mir )?(?:nicht )?(?:meine|unsere) zeit\b|(?<!keine )\bzeitverschwendung\b",
        r"\blass(?:en sie)? mich (?:bitte |einfach )?in ruhe\b|\b(?:kontaktieren|schreiben|belastigen) sie mich (?:bitte )?(?:nicht mehr|nie wieder|nie mehr)\b|\b(?:kontaktier|schreib) mich (?:bitte )?(?:nicht mehr|nie wieder|nie mehr)\b|(?:^|[.!?]\s+)(?:hau ab|verschwinde|verschwinden sie|verzieh dich|zieh leine)\b",
        r"\b(?:diese|ihre|deine) (?:nachricht|frage|mail|e-mail|anfrage|regel) ist (?:einfach |wirklich |echt |total |vollig )?(?:lacherlich|erbarmlich|armselig|peinlich|absurd|spam|eine frechheit|ein witz)\b|\b(?:das ist|ist das) (?:doch |einfach |reiner |echt )?(?:spam|ein witz|erbarmlich|armselig)\b|\bwas fur ein witz\b|\bwen interessiert(?:'s| das| es)?\b|\bwie konnen sie es wagen\b|\bwas erlauben sie sich\b",
    ),
    "es": (
        r"\b(?:idiota|estupidez|ridiculez|que te den|vete a la mierda|mierda|imbecil|que arrogante|que ridiculo|olvidalo)\b",
        r"\b(?:deja|dejad|deje|dejen) de (?:hacerme perder|quitarme|robarme) (?:el )?tiempo\b|\bno me (?:hagas|haga|hagan) perder (?:el|mi) tiempo\b|\b(?:me estas|me esta) haciendo perder (?:el|mi) tiempo\b|(?<!no es )\buna perdida de tiempo\b",
        r"\b(?:dejame|dejeme|dejenme) en paz\b|\bno me (?:vuelvas|vuelva|vuelvan) a (?:contactar|escribir|molestar|llamar)\b|\bno me (?:contactes|contacte|escribas|escriba|molestes|moleste) mas\b|\b(?:largate|pierdete|esfumate|vete de aqui)\b",
        r"\b(?:este|tu|su) (?:mensaje|correo|pregunta|regla|solicitud) es (?:muy |tan |realmente |simplemente |totalmente )?(?:patetic[oa]|ridicul[oa]|absurd[oa]|spam|una broma|un chiste|una tonteria)\b|\bque (?:patetico|patetica|chiste|broma|payasada)\b|\b(?:esto|eso) es (?:spam|patetico)\b|\ba quien le importa\b|\bcomo (?:te atreves|se atreve)\b|(?:^|[.!?]\s*)pateti(?:co|ca)\s*[.!]",
    ),
    "it": (
        r"\b(?:idiota|vaffanculo|cretino|ma chi si crede|che arroganza|che ridicolo|lascia perdere)\b",
        r"\b(?:smettila|smetta|smettetela) di farmi perdere tempo\b|\bmi (?:fa|fai|sta facendo|stai facendo) perdere tempo\b|\bnon (?:mi )?(?:faccia|fare|fate) perdere tempo\b|(?<!non e )\buna perdita di tempo\b",
        r"\b(?:mi lasci|lasciami|lasciatemi) in pace\b|\bnon mi (?:contatti|contattare|scriva|scrivere|contattate) (?:piu|mai piu)\b|\b(?:sparisci|sparisca|vattene|levati di torno)\b",
        r"\b(?:questo|il suo|il tuo) (?:messaggio|mail) e (?:davvero |proprio |semplicemente )?(?:patetico|ridicolo|assurdo|spam|una barzelletta|una presa in giro)\b|\bquesta (?:domanda|regola|richiesta) e (?:davvero |proprio )?(?:patetica|ridicola|assurda|una barzelletta)\b|\b(?:questo|questa) e (?:solo |puro |semplicemente )?spam\b|\bche (?:pagliacciata|barzelletta|buffonata|patetico|squallore)\b|\bchi se ne frega\b|\bcome (?:si permette|osa|osi|ti permetti)\b",
    ),
    "pt": (
        r"\b(?:idiota|babaca|vai se (?:ferrar|catar)|que arrogancia|que ridiculo|esquece)\b",
        r"\b(?:pare|para|parem) de me fazer perder (?:o )?tempo\b|\bnao me (?:faca|faz|facam) perder (?:o )?tempo\b|\b(?:voce|tu) (?:esta|estas) (?:me fazendo perder|a fazer-me perder|desperdicando) (?:o |meu )?tempo\b|(?<!nao e )\buma perda de tempo\b",
        r"\b(?:me deixe|me deixa|deixe-me|deixa-me) em paz\b|\bnao me (?:contate|contacte|procure|escreva|incomode) mais\b|\b(?:some daqui|suma daqui)\b|(?:^|[.!?]\s+)(?:vaza|vai embora|desaparece)\b",
        r"\b(?:essa|esta|sua|tua) (?:mensagem|pergunta|regra) e (?:muito |tao |simplesmente |realmente )?(?:patetica|ridicula|absurda|spam|uma piada)\b|\bisso e (?:spam|patetico|ridiculo|uma piada)\b|\bque (?:piada|patetico|vergonha alheia)\b|\bquem se importa\b|\bcomo (?:voce |o senhor |a senhora )?(?:ousa|se atreve)\b",
    ),
    "nl": (
        r"\b(?:idioot|rot op|belachelijke? (?:vraag|regel)|wat arrogant|laat maar zitten)\b",
        r"\b(?:stop|hou op) met (?:mijn|onze) tijd (?:te )?(?:verspillen|verdoen)\b|\bverspil (?:mijn|onze) tijd niet\b|\bzonde van (?:mijn|de) tijd\b|(?<!geen )\btijdverspilling\b",
        r"\blaat (?:me|mij) (?:toch |gewoon |alsjeblieft )?met rust\b|\bneem (?:geen|nooit meer|niet meer) contact (?:meer )?(?:met (?:me|mij) )?op\b|\b(?:donder op|sodemieter op|flikker op|opgerot)\b|(?:^|[.!?]\s+)ga weg\s*[!.]",
        r"\b(?:dit|dat|uw|je|jouw) (?:bericht|berichtje|vraag|regel|verzoek) is (?:echt |gewoon |ronduit |werkelijk )?(?:belachelijk|zielig|absurd|spam|een grap|lachwekkend)\b|\b(?:dit|dat) is (?:gewoon |echt |pure )?(?:spam|zielig|lachwekkend)\b|\bwat een (?:grap|aanfluiting|flauwekul)\b|\bwie (?:boeit|kan het wat schelen|maalt erom)\b|(?:^|[.!?]\s+)boeien\s*[!.]|\bhoe durf (?:je|jij|u)\b",
    ),
    "sv": (
        r"\b(?:idiot|lojlig fraga|vilken arrogans|dra at helvete)\b",
        r"\bsluta (?:slosa (?:bort )?|ta )(?:pa )?min tid\b|\bslosa inte (?:bort )?min tid\b|(?<!inget )\bsloseri med (?:min )?tid\b",
        r"\blamna mig (?:i fred|ifred)\b|\b(?:kontakta|skriv till|stor) mig (?:inte|aldrig) (?:igen|mer)\b|(?:^|[.!?]\s+)(?:stick|forsvinn)\s*[!.]",
        r"\b(?:ditt (?:meddelande|mejl)|din fraga|det har (?:meddelandet|mejlet)|den har fragan|detta (?:meddelande|mejl)|det har|detta) (?:ar|var) (?:helt |bara |sa |verkligen |rent )?(?:patetiskt?|lojligt?|skrattretande|absurt|spam|ett skamt)\b|\bvilket (?:skamt|patetiskt|loje)\b|\bvem bryr sig\b|\bhur vagar (?:du|ni)\b",
    ),
    "pl": (
        r"\b(?:idiota|spadaj|zalosne|co za arogancja|daj sobie spokoj)\b",
        r"\b(?:przestan|przestancie|prosze przestac) (?:marnowac|tracic) (?:moj|mojego|nasz) czas\w*|\bnie (?:marnuj|marnujcie|zabieraj) (?:mi )?(?:mojego )?czasu\b|(?<!nie )\bstrata czasu\b",
        r"\b(?:zostaw|zostawcie|prosze zostawic) mnie w spokoju\b|\b(?:prosze )?(?:sie ze mna )?(?:wiecej |juz )?nie kontaktowac\b|\bnie (?:pisz|piszcie|dzwon) (?:do mnie )?(?:wiecej|juz)\b|\b(?:odczep sie|odwal sie|zjezdzaj|wynocha)\b",
        r"\b(?:ta|pana|pani|twoja) (?:wiadomosc|prosba|regula|zasada) (?:jest )?(?:zalosn\w*|smieszn\w*|absurdaln\w*|zenujac\w*|spamem)|\bto (?:jest )?(?:spam|zenujace)\b|\bco za (?:zart|kpina|bzdura|zenada)\b|\bkogo to obchodzi\b|\bjak (?:pan|pani|ty|wy) (?:smie|smiesz|smiecie)\b",
    ),
}

RUDE["*"] = (
    # contempt for the question itself, in every language
    r"\b(?:what a|such a|vilken|vilket|co za|quelle|quel|was fur eine?|wat een|que|qué|che|what an)\b.{0,3}\b(?:strange|weird|odd|pompous|pretentious|stupid|silly|ridiculous|arrogant|pathetic|bizarre|dumb|condescending|dryg|konstig|loj|dum|napuszon\w*|glupi\w*|dziwn\w*|smieszn\w*|arrogante|dumme|seltsame|komische|lacherliche|uberhebliche|pretentieuse|stupide|etrange|ridicule|pedante|rara|estupida|ridicula|absurda|pretenciosa|strana|stupida|assurda|ridicola|presuntuosa|estranha|pretensiosa|stomme|belachelijke)\b",
    r"\b(?:question|fraga|pytanie|frage|vraag|pregunta|pergunta|domanda)\b.{0,10}\b(?:pretentieuse|stupide|ridicule|pedante|absurda|ridicula|estupida|ridicola|stupida|assurda|pretensiosa|arrogante|dryg|loj\w*|napuszon\w*|glupi\w*|belachelijk|dom|arrogant|lacherlich)\b",
    # a dismissal standing as a sentence of its own ("Forget it.", "Glöm det.")
    r"(?:^|[.!?]\s+)(?:forget it|glom det|vergiss es|vergessen sie es|laisse tomber|laissez tomber|olvidalo|olvidese|esquece(?: isso)?|lascia perdere|lasci perdere|laat maar zitten|daj spokoj|prosze sobie darowac|sparen sie sich das|spar dig)\s*[.!]*\s*$",
    r"\b(?:how dare|who cares|nobody cares|get a life|get over yourself|ok boomer|kein interesse an ihrer regel)\b",
    # contempt as a noun ("what arrogance", "quelle prétention") and "spare me the ..."
    r"\b(?:what|such|quelle|quel|was fur eine?|welch eine?|que|qué|che|wat een|vilken|co za)\b.{0,3}\b(?:arrogance|arroganz|arrogancia|arroganza|arrogantie|arrogans|arogancja|pretention|pretension|prepotenza|presuncion|presuncao|pretensao|snobisme|snobismus|snobismo|snobbery|cheek|nerve|culot|toupet|descaro|frechheit|faccia tosta|cara de pau|brutaliteit|frackhet|bezczelnosc|tupet)\b(?!-)",
    # a dismissal that opens a sentence: "Just accept or don't.", "Acceptez ou pas."
    r"(?:^|[.!?]\s+)(?:just |simply |einfach |simplemente |semplicemente |simplesmente |gewoon |bara )?(?:accept(?: it| me)? or (?:not|do not|dont|decline)|acceptez ou (?:pas|non|refusez)|accepte ou (?:pas|non)|akzeptieren sie oder (?:eben )?nicht|akzeptier oder (?:eben )?nicht|acepta(?:lo|me)? o no|accetta(?:mi)? o no|aceita ou nao|accepteer (?:het )?of niet|acceptera eller (?:inte|lat bli)|akceptuj albo nie)\b",
    r"\b(?:spare me (?:the|this|your)|epargnez-moi|epargne-moi|ersparen sie mir|erspar mir|ahorreme|ahorrate|risparmiami|mi risparmi|poupe-me|me poupe|bespaar me|bespaar mij|bespara mig|oszczedz mi|prosze mi oszczedzic)\b",
    r"\b(?:judging by|a en juger par|a juzgar por|a giudicare da|a julgar por|nach) (?:this|your|ce|votre|este|su|tu|questo|il suo|esta|sua|dieser|ihrer) (?:message|question|mail|email|mensaje|pregunta|messaggio|domanda|mensagem|pergunta|nachricht|frage)\b.{0,30}\b(?:glad|happy|relieved|content|froh|contento|contenta|feliz|blij|zadowolony)\b",
    # "who do you think you are", in every language
    r"\b(?:who do you think you are|who (?:the hell )?are you to|vous vous prenez pour qui|pour qui vous vous prenez|pour qui tu te prends|wer glauben sie(?:,)? (?:wer )?sie sind|was bilden sie sich ein|quien te crees|que creido|quien se cree|quem voce pensa que e|quem o senhor pensa|chi si crede di essere|chi ti credi di essere|wie denk je wel niet|wie denkt u wel niet|vem tror du att du ar|za kogo sie (?:pan|pani)? ?uwaza|za kogo ty sie uwazasz)\b",
    r"\b(?:szkoda (?:mojego )?czasu|zoek het (?:lekker )?zelf uit|doe eens normaal|strunt i det|deixa pra la|dann eben nicht|von oben herab|ma che domanda|no need for the interrogation|what a waste)\b",
)

# Automatic replies, by subject or by their first words.
AUTOMATIC_SUBJECTS = (
    r"^(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|out of (?:the )?office|ooo\b|away from|on vacation|on leave)",
    r"^(?:abwesenheitsnotiz|automatische antwort|abwesend|ausser haus)",
    r"^(?:reponse automatique|absence\b|absent du bureau|message d'absence)",
    r"^(?:respuesta automatica|fuera de la oficina|ausente)",
    r"^(?:risposta automatica|fuori sede|fuori ufficio|assenza)",
    r"^(?:resposta automatica|fora do escritorio|ausencia|mensagem de ausencia)",
    r"^(?:automatisch antwoord|afwezigheidsmelding|afwezig)",
    r"^(?:autosvar|frånvaro|franvaro|automatisk svar|ikke pa kontoret|fravaer)|自动回复|自動回覆|自動応答",
    r"^(?:automatyczna odpowiedz|poza biurem|nieobecnosc)",
)
AUTOMATIC_TEXTS = (
    # "this is an automatic message", in every language, either word order
    r"\bautomat\w*\b.{0,25}\b(?:response|reply|message|answer|acknowledg\w*|reponse|message|nachricht|antwort|respuesta|mensaje|acuse|resposta|mensagem|risposta|messaggio|antwoord|bericht|svar|meddelande|odpowiedz|wiadomosc)\b",
    r"\b(?:response|reply|message|acknowledg\w*|reponse|nachricht|antwort|respuesta|mensaje|acuse de recibo|resposta|mensagem|risposta|messaggio|antwoord|bericht|svar|meddelande|odpowiedz|wiadomosc)\b.{0,25}\b(?:automat\w*|generat\w* automatic\w*|wygenerowan\w* automatycznie)\b",
    r"\b(?:we have received your|nous avons bien recu|wir haben ihre .{0,20} erhalten|hemos recibido su|recebemos sua|abbiamo ricevuto la sua|wij hebben uw .{0,20} ontvangen|vi har mottagit|otrzymalismy)\b",
    # left the company, on leave
    r"\b(?:no longer (?:work|with|part of|employed)|has left|have left (?:the company|my position)|ne fais plus partie|ne travaille plus|arbeite nicht mehr|nicht mehr (?:bei|im unternehmen|tatig)|ya no trabajo|ya no formo parte|nao trabalho mais|ja nao trabalho|non lavoro piu|non faccio piu parte|werk niet meer|niet meer werkzaam|arbetar inte (?:langre|kvar)|slutat pa|nie pracuje juz|juz nie pracuje)\b",
    r"\b(?:sick leave|parental leave|maternity leave|conge maladie|conge maternite|krankgeschrieben|elternzeit|baja medica|licenca medica|licenca maternidade|malattia|maternita|ziekteverlof|zwangerschapsverlof|sjukskriven|foraldraledig|zwolnieni\w* lekarsk\w*|urlop\w* (?:macierzynsk|rodzicielsk|zdrowotn)\w*)\b",
    r"\b(?:i am|i'm|i will be) (?:currently )?(?:out of (?:the )?office|away|on (?:annual )?leave|on vacation|on holiday|travelling|traveling)\b",
    r"\b(?:limited|no) access to (?:my )?(?:e-?mail|email)\b",
    r"\bthis is an automatic\b|\bautomatically generated\b|\bauto-?generated\b|自动回复|自動回覆",
    r"\bich bin (?:bis|vom|ab|derzeit|zurzeit)\b.{0,60}\b(?:nicht im buro|abwesend|im urlaub|nicht erreichbar)\b",
    r"\b(?:absente?s?|en conges?|en vacances)\b.{0,40}\b(?:jusqu'au|du|retour)\b|\b(?:ne suis|suis) (?:actuellement |pas )?(?:pas )?au bureau\b",
    r"\b(?:fuera de la oficina|de vacaciones)\b",
    r"\b(?:fuori ufficio|in ferie)\b",
    r"\b(?:fora do escritorio|de ferias|nao estamos disponive\w*)\b",
    r"\b(?:afwezig|op vakantie)\b.{0,40}\b(?:tot|vanaf)\b",
    r"\b(?:ledig|pa semester|tjanstledig)\b",
    r"\b(?:na urlopie|poza biurem)\b",
)


_LETTERS = str.maketrans({"ß": "ss", "ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe"})


def fold(text: str) -> str:
    """Case, accents and apostrophe styles folded; whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("’", "'").replace("`", "'")
    return " ".join(_CONTRACTION.sub(lambda m: _EXPANDED[m.group(0)], plain).split())


_EXPANDED = {
    "can't": "cannot",
    "won't": "will not",
    "n't": " not",
    "'ve": " have",
    "'re": " are",
    "'m": " am",
    "'ll": " will",
}
_CONTRACTION = re.compile(r"\b(?:can't|won't)|n't\b|(?<=[a-z])(?:'ve|'re|'m|'ll)\b")


def _compile(table: dict[str, tuple[str, ...]]) -> list[tuple[str, re.Pattern[str]]]:
    return [(lang, re.compile(p)) for lang, patterns in table.items() for p in patterns]


_CLAIMS = _compile(CLAIMS)
_NO_TIE = _compile(NO_TIE)
_DENIALS = _compile(DENIALS) + _NO_TIE
_RUDE = _compile(RUDE)
_AUTO_SUBJECTS = [re.compile(p) for p in AUTOMATIC_SUBJECTS]
_AUTO_TEXTS = [re.compile(p) for p in AUTOMATIC_TEXTS]


_NEGATION = re.compile(  # right before the claim ("we have never met", "no nos conocemos");
    # not "mai" (May), "pas" (Dutch "just"), "no" as Portuguese "in the" further away
    r"\b(?:not|never|havent|ne|jamais|nicht|nie|niemals|kein\w*|nunca|nao|non|niet|nooit|"
    # ("no" before a subject is the answer word, not a negation: "No I think we met at ...")
    r"geen|inte|aldrig|nigdy|no(?! (?:i|we|you|ich|wir|je|nous|on|ik|wij|jag|vi)\b))\b[^.!?;,]{0,12}$"
    # or a denied belief, whose negation covers the clause it introduces: "I don't think
    # we've met at ...", "ich glaube nicht, dass wir uns ... kennengelernt haben"
    # (not "No I think we met", "don't you think we met ...?")
    r"|\b(?:not (?:really |actually )?(?:think|believe|reckon|suppose)|no (?:creo|pienso)|"
    r"non (?:credo|penso)|nao (?:creio|acho|penso)|nie sadze)\b[^.!?;]{0,30}$"
    r"|\b(?:glaube|denke|meine|crois|pense|denk|geloof|tror) (?:(?:het|es|das|ich|auch|ook|aussi|"
    r"det|jag|wirklich|echt|vraiment|eigentlich|eigenlijk|egentligen) )?(?:nicht|pas|niet|inte)\b"
    r"[^.!?;]{0,30}$"
)
_CLAUSE = re.compile(  # a comma before "that", "dass", "que" ... does not end the clause
    r"[.!?;]|,(?!\s*(?:that|dass|que|qu'|che|dat|att|ze|zebysmy|abysmy)\b)"
    r"|\b(?:but|mais|aber|pero|mas|ma|maar|men|ale|though|however)\b"
)


_NEGATED_SPAN = re.compile(
    r"\b(?:not|never|nie|nicht|niemals|nunca|nao|niet|nooit|inte|aldrig|nigdy|jamais)\b"
)


def _clause_before(folded: str, start: int) -> str:
    """The words before `start` in the same clause ("we haven't met, but we're both on
    the call": the negation belongs to the first clause only)."""
    window = folded[max(0, start - 40) : start]
    cuts = [m.end() for m in _CLAUSE.finditer(window)]
    return window[cuts[-1] :] if cuts else window


# A meeting that did not happen: hoped for, future, hypothetical or missed ("hope to meet
# you at ...", "if we ever meet", "sorry I missed your session", "a ver si nos vemos").
# Right before a claim, in its clause, it is no claim of a past tie.
_UNREAL = re.compile(
    r"\b(?:hop(?:e|ed|ing) to|(?:would|'d) (?:love|like) to|would be (?:great|nice|good|lovely|cool|fun|a pleasure) to|would be|it'd be|"
    r"(?:want|wanted|plan|planning|going|try|tried|chance|opportunity|able) to|looking forward to|look forward to|"
    r"let us|if (?:we|you|i)(?: ever)?|when we|next time|one day|someday|some day|"
    r"missed|sorry i missed|too late to|could not (?:make it to|attend|come to|get to)|never (?:got|managed) to|"
    r"espere|esperant|au plaisir de|si (?:on|nous|un jour|jamais)|un jour|la prochaine fois|j'aimerais|aimerais|"
    r"ce serait (?:sympa|bien|un plaisir) de|pourrions|pourrait|manque|rate|pas pu|trop tard pour|"
    r"hoffe|hoffentlich|wurde mich freuen|wurde gerne|wenn wir|falls wir|irgendwann|nachstes mal|verpasst|zu spat|"
    r"espero|ojala|me encantaria|me gustaria|si (?:nos|alguna vez|algun dia|coincidimos)|la proxima|algun dia|"
    r"a ver si|perdi|no pude|"
    r"spero di|mi piacerebbe|sarebbe bello|se (?:un giorno|ci)|la prossima|un giorno|non sono riuscit\w*|non ho potuto|"
    r"gostaria de|gostava de|seria (?:otimo|bom|um prazer)|se (?:um dia|nos)|da proxima|um dia|nao consegui|nao pude|"
    r"hoop|hopelijk|zou (?:leuk|mooi|fijn) zijn om|zou graag|als we|ooit|volgende keer|gemist|"
    r"hoppas|skulle vara kul att|om vi|nasta gang|nagon gang|missade|hann inte|"
    r"mam nadzieje|chetnie bym|byloby (?:milo|super|fajnie)|jesli|kiedys|nastepnym razem|przegapil\w*|nie udalo sie|"
    # a regret about a meeting that did not happen ("synd att din workshop var fullbokad")
    r"pity|shame|dommage|schade|peccato|(?:que )?pena|jammer|synd|szkoda)"
    # right before the claim (one word between at most: "hope to see you at")
    r"\s+(?:\w+\s+)?$"
)
# Not yet ("I have not applied yet", "je n'ai pas encore postulé", "non ho ancora inviato
# la candidatura"): right before the claim, two words between at most.
_NOT_YET = re.compile(
    r"\b(?:not yet|yet to|n'(?:ai|avons|a) pas(?: encore)?|pas encore|noch nicht|nog niet|todavia no|aun no|"
    r"non (?:ho |abbiamo )?ancora|ancora non|ainda nao|inte an|jeszcze nie|before i|avant de|bevor ich|"
    r"antes de|prima di|voordat|innan jag|zanim)\s+(?:\w+\s+){0,2}$"
)
# What a meeting that did not happen can be about: an encounter, a talk, an application.
_ENCOUNTER = re.compile(
    r"meet|met\b|meeting|see|seeing|saw|catch|talk|chat|spoke|speak|session|workshop|stand|booth|"
    r"conference|summit|meetup|fair|event|rencontr|croise|vu\b|echange|discute|treff|getroffen|kennen|gesehen|"
    r"gesprochen|conoc|ver\b|vemos|visto|hablamos|charlamos|coincid|incontr|conosc|parlat|vist|conhec|encontr|"
    r"falamos|ontmoet|gezien|gesproken|traff|ses|pratade|spotka|poznal|widziel|rozmawial|"
    r"appl|postul|candidat|beworben|bewerb|sollicit|aplik|sokt"
)
_REMEMBERED = re.compile(  # remembering is about the past, whatever comes before it
    r"remember|recall|souvien|rappel|erinner|recuerd|acuerd|ricord|lembr|herinner|minns|ihag|pamieta"
)
_APART = re.compile(  # common ground at different times: "we both worked at X, years apart"
    r"\b(?:different (?:times|years|eras|periods)|at different|not at the same time|never overlapped|"
    r"before my time|years apart|a few years (?:ahead|apart)|"
    r"(?:annees|epoques) differentes|a des (?:annees|epoques) differentes|verschiedenen jahren|"
    r"unterschiedlichen (?:jahren|zeiten)|anos (?:diferentes|distintos)|en (?:anos|epocas) distint\w*|"
    r"anni diversi|in (?:anni|periodi) divers\w*|anos diferentes|em anos diferentes|"
    r"verschillende jaren|andere jaren|olika ar|olika tider|w roznych latach|w innych latach|"
    r"never (?:managed|got) to (?:get near|meet|say hi|speak|talk|catch))\b"
)
# "nice to meet you virtually / here": a greeting, no meeting
_VIRTUALLY = re.compile(
    r"\s*(?:you\s+)?(?:virtually|online|on linkedin|digitally|via linkedin|virtuel\w*|virtual\w*)\b"
)
# a present tense that is also a past one, asked as a question: "¿Hablamos?" ("shall we talk?")
_PROPOSAL = re.compile(
    r"(?:hablamos|charlamos|falamos|conversamos|parliamo|sentiamo|spreken|pratar|rozmawiamy)\s*\?"
)


def _unreal(folded: str, match: re.Match[str]) -> bool:
    """The claim is of a meeting that never happened, or of common ground at another time."""
    if _REMEMBERED.search(match.group(0)):
        return False
    before = _clause_before(folded, match.start())
    if _NOT_YET.search(before):
        return True
    if _ENCOUNTER.search(match.group(0)) and _UNREAL.search(before):
        return True
    if _VIRTUALLY.match(folded, match.end()) or _PROPOSAL.match(folded, match.start()):
        return True
    start = folded.rfind(".", 0, match.start()) + 1
    end = next((i for i in (folded.find(c, match.end()) for c in ".!?") if i != -1), len(folded))
    return bool(_APART.search(folded[start : end + 1]))


def _find(
    text: str, rules: list[tuple[str, re.Pattern[str]]], *, negatable: bool = False
) -> str | None:
    """The sentence of the first match. `negatable`: a match right after a negation
    ("we have never worked together", "no nos conocemos"), or of a meeting that did not
    happen ("hope to meet you at ...", "sorry I missed your session"), does not count."""
    folded = fold(text)[:4000]
    for _, pattern in rules:
        for match in pattern.finditer(folded):
            if negatable and (
                _NEGATION.search(_clause_before(folded, match.start()))
                or _NEGATED_SPAN.search(match.group(0))
                or _unreal(folded, match)
            ):
                continue
            return _quote(text, match.group(0))
    return None


UNSURE = (  # not sure whether they met: a hint, whatever negation it is phrased with
    r"\b(?:not sure (?:if|whether)|no se si|je ne sais (?:pas )?si|ich weiss nicht,? ob|weiss nicht,? ob|non so se|weet niet of|vet inte om|nie wiem,? czy|nao sei se|maybe we met|vielleicht haben wir|peut-etre nous|quizas nos|forse ci|misschien hebben we|kanske har vi|moze sie|i (?:am )?not sure (?:we|you)|you (?:may|might) not remember)\b",
)
_UNSURE = [("*", re.compile(p)) for p in UNSURE]

# A tie hinted at, whatever negation it is phrased with (so never read as negated), in
# every language mailbot knows. An answer that holds one of these goes to the owner even
# when it also says no: "not that I recall - oh wait, Lisbon 2019!".
HINTS = (
    # contact that lapsed: "we haven't spoken since Durham", "long time no see", "lost touch"
    r"\b(?:not|never)\b[^.!?;]{0,20}\b(?:met|spoken|talked|seen each other|seen you|been in touch|caught up|heard from (?:you|each other)|chatted)\b[^.!?;]{0,25}\b(?:since|in (?:years|ages|a while|a long time|forever|decades)|for (?:years|ages|a while|so long|a long time|decades))\b",
    r"\b(?:not since|long time no (?:see|talk|speak|chat)|lost touch|(?:(?:it (?:has|is)|it's|its|has) )?been (?:a while|ages|years|too long|so long|forever|a long time)\b(?! (?:in|at|on|with|as|since i)\b)|since we last (?:met|spoke|talked|saw|connected))\b",
    r"\b(?:pas|plus|jamais)\b[^.!?;]{0,25}\b(?:vus|parle|croises|revus|nouvelles)\b[^.!?;]{0,20}\bdepuis\b|\b(?:depuis le temps|perdus? de vue|pas depuis)\b|\b(?:ca|cela) fait (?:longtemps|un bail|des annees|une eternite)"
    + _END,
    r"\b(?:lange|ewig|jahrelang|ewigkeiten|jahren)\b[^.!?;]{0,15}\bnichts? (?:mehr )?(?:gesehen|gesprochen|gehort|voneinander)\b|\bseit\b[^.!?;]{0,30}\bnicht(?: mehr)? (?:gesehen|gesprochen|gehort)\b|\b(?:ist|war) (?:ja |schon |echt )?(?:lange|ewig|eine weile|jahre|ewigkeiten) her\b|\b(?:aus den augen verloren|nicht seit)\b",
    r"\b(?:cuanto|tanto) tiempo"
    + _END
    + r"|\bhace (?:mucho|anos|tiempo|siglos|una eternidad)(?: tiempo)? (?:que no|sin)\b|\bno (?:nos )?(?:vemos|hablamos|sabemos nada)\b[^.!?;]{0,15}\bdesde\b|\bperdimos (?:el )?contacto\b",
    r"\bquanto tempo"
    + _END
    + r"|\bda (?:tanto|anni|secoli|molto)(?: tempo)?(?: che)? non\b|\bnon ci (?:sentiamo|vediamo|parliamo)\b[^.!?;]{0,10}\bda\b|\bpers\w* di vista\b",
    r"\b(?:ha|faz) (?:muito tempo|anos|tempos|seculos|uma eternidade) (?:que nao|sem)\b|\bnao (?:nos )?(?:vemos|falamos)\b[^.!?;]{0,10}\b(?:ha|desde)\b|\bperdemos (?:o )?contato\b",
    r"\b(?:is|alweer) (?:al )?(?:lang|jaren|een tijd|tijden) geleden\b|\b(?:jaren|lang|tijden|eeuwen) niet (?:meer )?(?:gesproken|gezien)\b|\buit het oog verloren\b",
    r"\b(?:lange sedan|lange sen)\b|\b(?:inte|aldrig) (?:setts|pratats|horts|pratat|traffats)\b[^.!?;]{0,10}\b(?:sedan|pa (?:lange|manga ar|ar))\b|\btappat kontakten\b",
    r"\b(?:kope lat|stracilismy (?:sie z oczu|kontakt))\b|\bdawno (?:sie )?nie (?:widzielismy|slyszelismy|rozmawialismy)\b|\bnie (?:widzielismy|rozmawialismy|slyszelismy) sie\b[^.!?;]{0,10}\bod\b",
    # "not any more" as a whole answer: there was something once
    r"(?:^|[^\w\s']\s*|\b(?:well|honestly|sadly|ehrlich gesagt|leider|franchement|sinceramente|eerlijk gezegd|arligt talat|szczerze)\s*,?\s*)(?:not any ?more|no longer|plus maintenant|nicht mehr|ya no|non piu|nao mais|niet meer|inte langre|juz nie)"
    + _END,
    # a self-correction or surprise: "oh wait", "hang on", "ah si !", "ach doch", "no way!"
    r"(?:^|[^\w\s']\s*)(?:(?:oh|ah|o|hm+|um+|eh),? )?(?:wait|hang on|hold on|scratch that|attendez|attends|moment mal|warte mal|warten sie|espera|espere|aspetta|aspetti|un attimo|pera(?: ai)?|wacht (?:even|eens|maar)|vanta (?:lite|nu)|chwila|chwileczke|zaraz,? zaraz)\b",
    r"\b(?:oh,? wait|on second thought|come to think of it|now that i think (?:about|of) it|actually,? (?:yes|yeah|we did|we have)|a bien y reflechir|maintenant que j'y pense|en fait,? (?:si|oui)|jetzt,? wo ich (?:daruber )?nachdenke|wenn ich es mir recht uberlege|ahora que lo pienso|pensandolo bien|ora che ci penso|ripensandoci|anzi,? si|agora que (?:penso|lembro|me lembro)|pensando bem|nu ik erover nadenk|als ik erover nadenk|toch wel|nu nar jag tanker (?:pa det|efter)|jo forresten|teraz jak o tym mysle|w sumie tak|a jednak)\b",
    r"\b(?:ah|oh|o|ach|bueno|anda|a),? (?:si|oui|mais si|doch|sim|ja|jo|tak|yes)\s*[!,.]|(?:^|[^\w\s']\s*)(?:ach |ja )?doch\s*[!,.]|(?:^|[^\w\s']\s*)no way\s*[!,?]",
    # a question that hints at a tie: "haven't we met?", "weren't you at Deloitte?"
    r"\b(?:have|had|did|were|was|are|is) not (?:we|you|it you|that you)\b[^.!?]{0,60}\?|\b(?:were you|was it you|did we (?:meet|work|study|speak|talk)|did you (?:work|study|speak|attend|present|teach|interview))\b[^.!?]{0,60}\?",
    r"\b(?:on ne s'est|ne nous sommes-nous|ne s'est-on|n'etiez-vous|n'etais-tu|vous n'etiez|tu n'etais|etiez-vous|etais-tu|vous etiez|tu etais)\b[^.!?]{0,50}\?",
    r"\b(?:haben wir uns (?:nicht|schon|etwa|mal)|waren sie|warst du|sind sie nicht|bist du nicht)\b[^.!?]{0,50}\?",
    r"\b(?:no nos (?:conocimos|vimos|cruzamos)|no (?:estuviste|estabas|estuvo|eras|fuiste|trabajaste|trabajabas|coincidimos)|estuviste|estabas|eras tu|fuiste tu|era usted|fue usted)\b[^.!?]{0,50}\?",
    r"\b(?:non ci siamo (?:gia )?(?:visti|conosciuti|incontrati|sentiti)|non eri|non era lei|eri tu|era lei|eravate)\b[^.!?]{0,50}\?",
    r"\b(?:nao nos (?:conhecemos|vimos|encontramos|falamos)|nao (?:estava|estavas|era voce|foi voce|trabalhou|trabalhava)|voce (?:estava|trabalhava|trabalhou)|foi voce|era voce)\b[^.!?]{0,50}\?",
    r"\b(?:hebben (?:we|wij) elkaar (?:niet|al|eens)|was (?:jij|je|u)|waren (?:jij|je|u)|ben (?:jij|u) niet)\b[^.!?]{0,50}\?",
    r"\b(?:har vi inte|traffades vi inte|var (?:det )?inte du|var du|var ni)\b[^.!?]{0,50}\?",
    r"\bczy (?:to )?nie\b[^.!?]{0,60}\?|\bczy (?:pan|pani) (?:byl|byla|pracowal|pracowala)\b[^.!?]{0,50}\?|\bczy (?:sie )?(?:poznalismy|spotkalismy)\b[^.!?]{0,50}\?",
    # a doubt about the past: "maybe at the Berlin summit?", "we might have met"
    r"\b(?:(?:maybe|perhaps|possibly) (?:at|in|during|through|from|back)(?! (?:the )?future)|(?:vielleicht|eventuell) (?:auf|bei|in|im|am|beim|wahrend|uber)|peut-etre (?:a|au|aux|lors|en|chez|pendant|via)|(?:quizas?|tal vez|a lo mejor) (?:en|durante|por|a traves)|(?:forse|magari) (?:a|al|alla|allo|in|nel|nella|durante|da|tramite)|(?:talvez|quem sabe) (?:em|no|na|durante|por|atraves)|(?:misschien|wellicht) (?:op|bij|in|tijdens|via)|kanske (?:pa|vid|i|under|via)|(?:moze|byc moze) (?:na|w|we|podczas|przy|przez))\b[^.!?]{0,50}\?",
    r"\b(?:(?:might|may|could|must) have (?:met|crossed paths|seen each other|spoken|talked|been at|been in|worked)|on s'est peut-etre|nous nous sommes peut-etre|on a pu se (?:croiser|rencontrer)|konnten uns\b[^.!?]{0,25}\b(?:begegnet|getroffen|gesehen|kennengelernt)|(?:haben|sind) (?:wir )?uns vielleicht|(?:puede|es posible) que nos|igual nos (?:conocimos|vimos|cruzamos)|(?:potremmo|possiamo) esserci (?:visti|incontrati|conosciuti|incrociati)|puo darsi che ci|pode ser que (?:a gente|nos|ja)|podemos ter nos (?:visto|cruzado|conhecido)|(?:kan|kunnen) (?:zijn dat )?(?:we|wij) elkaar (?:ooit |eens )?(?:gezien|ontmoet|gesproken)|vi kan ha (?:setts|traffats|pratats)|(?:moglismy|mozliwe ze) sie (?:spotkac|poznac|minac|spotkalismy|poznalismy))\b",
    r"(?<!not )\b(?:rings? a bell|sounds? familiar|looks? familiar|seems? familiar)\b|(?<!ne )\b(?:ca|cela) me dit quelque chose\b|(?<!nicht )\bbekannt vor\b|(?<!no )\bme (?:suena|resulta familiar)\b|(?<!non )\bmi (?:dice qualcosa|sembra familiare|e familiare)\b|(?<!nao )\bme parece familiar\b|(?<!niet )\bbekend voor\b|\b(?:later|verkar) bekant\b|\b(?:brzmi|wyglada) znajomo\b|(?<!nie )\bkojarze\b",
    # asked, not told: "I saw your talk, maybe we know each other?"
    r"\b(?:maybe|perhaps|vielleicht|peut-etre|quizas?|tal vez|forse|talvez|misschien|kanske|moze)\b[^.!?]{0,40}\b(?:know each other|we (?:have )?met|kennen wir uns|(?:wir )?uns kennen|on se connait|nous nous connaissons|nos conocemos|ci conosciamo|nos conhecemos|kennen (?:we|wij) elkaar|kanner vi varandra|(?:sie )?znamy(?: sie)?)\b[^.!?]{0,20}\?",
    # they think the owner won't remember them: "you probably don't remember me"
    r"\bnot (?:\w+ )?remember (?:me|our|that we)\b|\byou\b[^.!?;]{0,20}\bnot (?:\w+ )?(?:remember|recall)\b|\b(?:souvenez|souviens|souviendrez|souviendras|rappelez|rappelles)\b[^.!?]{0,25}\bde moi\b|\berinner\w* (?:sich|dich)\b[^.!?]{0,30}\ban mich\b",
    r"\b(?:acuerdas|acuerda|acordas|acordaras|acordara|recuerdas|recuerda|recordaras|recordara)\b[^.!?]{0,20}\bde mi\b|\b(?:ricordi|ricorda|ricorderai|ricordera)\b[^.!?]{0,20}\bdi me\b|\b(?:lembra|lembre|lembrara|lembrar)\b[^.!?]{0,20}\bde mim\b",
    r"\b(?:herinnert u zich mij|herinner je je mij|weet je (?:vast |waarschijnlijk |misschien )?(?:niet )?(?:meer )?wie ik ben|ken je me (?:nog|misschien))\b|\b(?:minns|ihag)\b[^.!?]{0,15}\bmig\b|\b(?:pamieta|pamietasz)\b[^.!?]{0,15}\bmnie\b|\bmnie\b[^.!?]{0,15}\b(?:pamieta|pamietasz)\b",
    # doubt: "maybe.", "kann sein", "puede ser", "no idea", "I can't remember where"
    r"\b(?:maybe|perhaps|possibly|could be|might be|peut-etre|c'est possible|vielleicht|kann sein|"
    r"quizas?|tal vez|puede ser|a lo mejor|forse|puo darsi|magari|talvez|pode ser|misschien|"
    r"kan zijn|wellicht|kanske|kan vara|byc moze|moze)" + _END,
    r"\b(?:no idea|no clue|hard to say|difficult to say|cannot say|cannot tell|could not say)\b|\bi do not know(?:"
    + _END
    + r"| (?:if|whether|where|when|exactly|for sure))|\b(?:do|can|could) not (?:remember|recall) (?:where|when|if|whether|exactly|which)\b",
    r"\b(?:aucune idee|difficile a dire)\b|\bje ne sais (?:pas|plus)(?:"
    + _END
    + r"| (?:si|ou|quand|exactement))|\bje ne (?:me souviens|me rappelle) (?:pas|plus) (?:ou|quand|si|exactement|bien)\b",
    r"\b(?:keine ahnung|schwer zu sagen|kann ich nicht (?:mehr )?sagen)\b|\bweiss (?:ich )?(?:es )?nicht(?: mehr)?(?:"
    + _END
    + r"| (?:genau|wo|wann|ob))|\berinnere mich nicht (?:mehr )?(?:genau|wo|wann|ob)\b",
    r"\b(?:ni idea|no sabria|dificil de decir)\b|\bno (?:lo )?se(?:"
    + _END
    + r"| (?:si|donde|cuando|bien)\b)|\bno (?:recuerdo|me acuerdo)(?: de)? (?:donde|cuando|si|bien)\b",
    r"\b(?:non saprei|boh|chissa|difficile dirlo)\b|\bnon (?:lo )?so(?:"
    + _END
    + r"| (?:se|dove|quando|bene)\b)|\bnon (?:ricordo|mi ricordo) (?:dove|quando|se|bene)\b",
    r"\b(?:sei la|dificil dizer)\b|\bnao sei(?:"
    + _END
    + r"| (?:se|onde|quando|bem|dizer)\b)|\bnao (?:me )?lembro (?:onde|quando|se|bem)\b",
    r"\b(?:geen idee|moeilijk te zeggen)\b|\bweet (?:het|ik) niet(?: meer)?(?:"
    + _END
    + r"| (?:precies|waar|wanneer|of)\b)|\bweet niet (?:meer )?(?:waar|wanneer|precies)\b",
    r"\b(?:ingen aning|svart att saga)\b|\bvet inte(?:"
    + _END
    + r"| (?:var|nar|riktigt|om)\b)|\bminns inte (?:var|nar|om|riktigt)\b",
    r"\b(?:nie mam pojecia|trudno powiedziec)\b|\bnie wiem(?:"
    + _END
    + r"| (?:czy|gdzie|kiedy|dokladnie)\b)|\bnie pamietam,? (?:gdzie|kiedy|czy|dokladnie)\b",
)
_HINTS = [("*", re.compile(p)) for p in HINTS]


def claim(text: str) -> str | None:
    """The phrase by which the text claims or hints at a tie, if any."""
    return _find(text, _CLAIMS, negatable=True) or _find(text, _UNSURE) or _find(text, _HINTS)


def denial(text: str) -> str | None:
    """In an answer to "have we met?": the phrase by which it says no, if any."""
    return _find(text, _DENIALS)


APPLIED = (  # a note saying they were a candidate: the mailbox is searched for them
    r"\b(?:i (?:have |'ve |recently |just )?(?:applied|interviewed)|my application|you interviewed me|interviewed (?:with|for)|shortlisted|assessment|selected for|"
    r"j'ai postule|ma candidature|entretien|candidat\w*|beworben|bewerbung|vorstellungsgesprach|postule|me postule|mi candidatura|entrevista|me candidatei|"
    r"colloquio|mi sono candidat\w*|gesolliciteerd|sollicitatie\w*|sokte|ansokan|intervju|aplikowal\w*|rekrutacj\w*|rozmow\w* kwalifikacyjn\w*)\b",
)
_APPLIED = [("*", re.compile(p)) for p in APPLIED]


def applied(text: str) -> str | None:
    """The phrase by which a note says they applied or were interviewed, if any."""
    return _find(text, _APPLIED, negatable=True)


def no_tie(text: str) -> str | None:
    """In a note: positive evidence that there is no acquaintance (networking, a pitch,
    "saw your profile", "we haven't met"), if any."""
    return _find(text, _NO_TIE)


def rude(text: str) -> str | None:
    """An insult or contempt, in any language mailbot knows: such an answer gets no draft.
    Not when it is the writer's own apology ("désolé pour la perte de temps", "sorry to
    have wasted your time", "entschuldigen Sie die Zeitverschwendung")."""
    folded = fold(text)[:4000]
    for _, pattern in _RUDE:
        for match in pattern.finditer(folded):
            if not APOLOGY.search(folded[max(0, match.start() - 40) : match.start()]):
                return _quote(text, match.group(0))
    return None


# The writer's own apology or regret, in every language mailbot knows.
APOLOGY = re.compile(
    r"\b(?:sorry|apologi\w*|excuse|pardon|desole\w*|excus\w*|entschuldig\w*|verzeih\w*|tut mir leid|"
    r"lo siento|perdon\w*|disculp\w*|scus\w*|mi dispiace|desculp\w*|lamento|sorry|excuses|"
    r"forlat|ursakta|beklagar|przepraszam|wybacz\w*)\b"
)


def automatic(subject: str, text: str) -> str | None:
    """An automatic reply (out of office, left the company), told by its subject or its
    first words; None for a person's answer."""
    folded_subject = fold(subject)
    for prefix in ("re: ", "aw: ", "fw: ", "fwd: ", "wg: ", "tr: ", "sv: "):
        folded_subject = folded_subject.removeprefix(prefix)
    for pattern in _AUTO_SUBJECTS:
        if pattern.search(folded_subject):
            return subject.strip()
    return _automatic_text(text)


def _automatic_text(text: str) -> str | None:
    """An automatic reply told by its words: an auto-reply phrase in its first sentences
    that no answer (a claim or a denial of a tie) comes before. "Yes, we met on holiday"
    answers; "I am out of the office until Monday. Please contact my colleague Jane" does
    not: the colleague comes after the out-of-office."""
    head = fold(text)[:600]
    found = [m for pattern in _AUTO_TEXTS if (m := pattern.search(head))]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    lead = head[: first.start()]
    if lead.strip() and (claim(lead) or denial(lead)):
        return None
    return _quote(text, first.group(0))


def _quote(text: str, folded_match: str) -> str:
    """The sentence of the original text that holds the match, for the owner to read."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    for sentence in sentences:
        if folded_match in fold(sentence):
            return sentence if len(sentence) <= 160 else sentence[:157] + "..."
    return folded_match
