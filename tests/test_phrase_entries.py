"""Every rude, claim and automatic-reply phrase entry earns its place (issue 22).

For each entry of the families CLAIMS (per language), UNSURE, HINTS, RUDE (per language),
AUTOMATIC_SUBJECTS and AUTOMATIC_TEXTS, EXAMPLES holds natural texts, what a person or an
auto-responder writes in that entry's language, that the family's public function finds
(phrases.claim, phrases.rude, phrases.automatic) and no longer finds once that single
entry is removed from the compiled list. Deleting an entry, or narrowing it until it
misses its examples, fails a test; so does a new entry without an example.

An entry is named by a fragment of its pattern: any substring found in that entry only,
within its family and language. AUTOMATIC_SUBJECTS examples are subjects (the body is
empty); the others are bodies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from mailbot import phrases

EXAMPLES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "CLAIMS": {
        "en": {
            "first )?(?:met": ("We spoke briefly after your keynote in Leeds.",),
            "yesterday": (
                "Saw you at the Leeds data breakfast on Tuesday, sorry I didn't say hi!",
            ),
            r"\bmet (?:at": ("You and I met at Dana's book launch in Bristol.",),
            "volunteered": ("I worked under you at Barclays in 2015.",),
            "used to work": ("We used to work in the same building at Canary Wharf.",),
            "with you|for": (
                "Interviewed with you for the analyst role at Aviva in May, great to connect here.",
            ),
            "was shortlisted": ("I applied for the data engineer opening at Ocado in March.",),
            "(?:application|interview|conversation": (
                "Further to our call on Monday, here is the deck.",
            ),
            "thank you|thx": (
                "Cheers for the interview Friday, fingers crossed!",
                "I'm the candidate from the video interview yesterday.",
            ),
            "forwarded|submitted": ("Hi Robin, I sent my CV to your team for the QA Lead role.",),
            "suggested": ("Priya Nair suggested I reach out to you about the platform team.",),
            "referred": ("Tom Becker referred me to you for the analytics role.",),
            "classmate": ("Hi, your old classmate from Durham here!",),
            "cohort": ("I was in the same cohort as you at Le Wagon.",),
            "lovely": ("Great chatting yesterday, let's keep in touch.",),
            "remember me": ("Hope you remember me from the Durham rowing club!",),
            "as promised": ("As promised, here is the link to the repo.",),
            "thanks? (?:again": ("Thanks again for the coffee on Friday!",),
            "indeed": ("Haha yes we did, at Anna's wedding in Porto.",),
            r"^yes\b": ("Yes! Lisbon, 2019.",),
            "crossed paths": ("We crossed paths at Monzo a few years ago.",),
            "several |our": ("We had a quick call in March about the Hamburg office.",),
            "been in touch": ("We swapped a few DMs about Rust last year.",),
            "virtually": ("Only on Zoom, during the 2021 hackathon.",),
            "phoned": (
                "You called me about the Product Manager role in March.",
                "You rang me last spring about a contract in Leeds.",
            ),
        },
        "fr": {
            r"\bnous nous sommes (?:rencontres?": (
                "Nous nous sommes connus en 2012, à Sciences Po.",
            ),
            "deja vus": ("On s'est connus à l'école d'ingé.",),
            "pendant": ("Je vous ai vu au Web Summit de Lisbonne, sur scène.",),
            "ravie": ("Contente de t'avoir vu hier soir !",),
            "bosse": ("On a bossé ensemble chez Ubisoft en 2016.",),
            "accompagne": ("Vous m'avez recruté chez Decathlon en 2018.",),
            "j'ai (?:postule": (
                "J'ai candidaté la semaine dernière au poste de contrôleur de gestion.",
            ),
            "candidature|conversation": ("Merci encore pour notre échange de mardi.",),
            r"\bentretien\b": ("Je vous remercie pour l'entretien de jeudi dernier.",),
            "m'a (?:conseille": ("Julie Martin m'a dit de vous contacter au sujet du stage.",),
            "camarade": ("Ton ancienne camarade de prépa, Léa !",),
            "nous etions (?:col": ("Nous étions dans la même boîte, chez Capgemini.",),
            "promo": ("On était dans la même promo à l'ESSEC.",),
            "suite a notre": ("Suite à notre rendez-vous de lundi, voici mon CV.",),
            "tout a fait": ("Ah, oui c'est bien moi, du salon de Lyon !",),
            r"^oui\b": ("Oui ! Lyon, 2019.",),
            "tu m'as": (
                "Vous m'avez appelé l'an dernier au sujet du poste de chef de produit.",
                "On s'est écrit plusieurs fois au sujet du projet Ariane.",
            ),
        },
        "de": {
            "unterhalten": ("Wir haben uns letzten Herbst in Köln lange unterhalten.",),
            r"\bkennengelernt\b": ("Kennengelernt haben wir uns bei Zalando.",),
            "zusammengearbeitet": ("Wir haben bei Siemens zusammengearbeitet.",),
            "sie haben mich (?:interviewt": (
                "Sie haben mich eingestellt, damals bei Bosch in Stuttgart.",
            ),
            "vorstellungsgesprach": ("Danke nochmals für das Vorstellungsgespräch am Montag.",),
            "beworben": ("Ich habe mich im März auf die Stelle als Data Engineer beworben.",),
            "telefonat": ("Vielen Dank für unser Telefonat von gestern.",),
            "meinte": ("Anna Müller meinte, ich solle mich bei Ihnen melden.",),
            "kommiliton": ("Hallo, ein ehemaliger Kommilitone aus Mannheim hier!",),
            "im selben": ("Wir waren im selben Ruderverein in Heidelberg.",),
            "jahrgang": ("Wir sind aus dem gleichen Jahrgang an der WHU.",),
            "wie besprochen": ("Wie besprochen schicke ich Ihnen hier meine Unterlagen.",),
            "naturlich": ("Haha ja genau, Lenas Laufgruppe!",),
            r"^ja\b": ("Ja! Berlin, 2019.",),
            "angerufen": (
                "Sie haben mich letztes Jahr wegen der Stelle als Produktmanager angerufen.",
            ),
        },
        "es": {
            "nos (?:conocimos": ("Nos conocimos en la boda de Lucía.",),
            "coincidimos|hablamos": ("Coincidimos en el programa de liderazgo del IE.",),
            "trabajamos": ("Trabajamos juntos en Telefónica hace años.",),
            "entrevistaste": ("Me entrevistaste en febrero para la vacante de analista.",),
            "aplique": ("Me postulé a la vacante de analista de datos el mes pasado.",),
            "me sugirio": ("Marta me sugirió que le escribiera.",),
            "companer": ("Soy tu excompañera de Deloitte, ¡qué alegría verte por aquí!",),
            "promocion": ("Estábamos en el mismo máster en Barcelona.",),
            "estuve": ("Sí, claro, en la feria de Valencia.",),
            "llamaste": ("Me llamaste el año pasado por el puesto de product manager.",),
        },
        "it": {
            "eravamo": ("Ci siamo conosciuti a Milano, da Giulia.",),
            "studiato": ("Abbiamo lavorato insieme in Enel.",),
            "fatto il colloquio": ("Mi ha intervistato per la posizione di buyer l'anno scorso.",),
            "mi sono candidat": ("Mi sono candidata per la posizione di HR business partner.",),
            "contattarla": ("Paolo mi ha consigliato di contattarla.",),
            "ex compagn": ("Ciao, sono un tuo ex compagno di università!",),
            "stesso": ("Abbiamo fatto lo stesso master alla Bocconi.",),
            "esatto": ("Sì, certo, al convegno di Bologna.",),
            "chiamat": ("Mi ha chiamato l'anno scorso per la posizione di product manager.",),
        },
        "pt": {
            "nos (?:conhecemos": ("Nos conhecemos na conferência de Lisboa.",),
            "trabalhamos": ("Trabalhamos juntos na Ambev em 2016.",),
            "o senhor": ("Você me entrevistou para a vaga de analista em 2021.",),
            "me candidatei": ("Me candidatei à vaga de gerente de produto.",),
            "me sugeriu": ("A Ana me sugeriu entrar em contato com você.",),
            "turma": ("Éramos do mesmo time de vendas na Ambev.",),
            "a gente": ("Sim, a gente se viu no evento da XP.",),
            "ligou": ("Você me ligou no ano passado sobre a vaga de gerente de produto.",),
        },
        "nl": {
            "we hebben elkaar": ("We hebben elkaar vorig jaar in Utrecht ontmoet.",),
            "samengewerkt": ("Wij hebben bij Philips samengewerkt.",),
            "geinterviewd": ("U heeft me aangenomen bij Rabobank, in 2019.",),
            "gesolliciteerd": ("Ik heb gesolliciteerd op de vacature van teamleider.",),
            "raadde me aan": ("Pieter raadde me aan contact met u op te nemen.",),
            "dezelfde (?:cursus": ("We deden dezelfde opleiding in Delft.",),
            "weet je nog": ("Weet je nog, het zomerfeest bij Bol?",),
            "inderdaad": ("Haha ja, klopt: de borrel van Sanne!",),
            "benaderd": (
                "U heeft me vorig jaar benaderd voor de functie van productmanager.",
                "Je belde me vorig jaar over de vacature.",
            ),
        },
        "sv": {
            "traffades": ("Vi sågs på Almedalen förra året.",),
            "arbetade": ("Vi arbetade tillsammans på Spotify.",),
            "sokte": ("Jag sökte tjänsten som ekonomichef i våras.",),
            "tipsade": ("Karin tipsade mig om att höra av mig till dig.",),
            r"\bja,? (?:vi": ("Haha ja det var jag, på mässan i Göteborg.",),
            "kontaktade": ("Du kontaktade mig förra året om rollen som produktchef.",),
        },
        "pl": {
            "spotkalismy sie": ("Poznaliśmy się na konferencji w Krakowie.",),
            "studiowalismy": ("Pracowaliśmy razem w Allegro.",),
            "aplikowalem": ("Aplikowałem na stanowisko analityka w zeszłym roku.",),
            "zasugerowal": ("Ania zasugerowała mi, żebym się odezwał.",),
            "wspolpracownik": ("Tu Marek, Pana dawny współpracownik z Allegro.",),
            r"\btak,? (?:p": ("Tak, to ja, z konferencji w Gdańsku!",),
            "dzwonil": ("Dzwonił Pan do mnie w zeszłym roku w sprawie roli product managera.",),
        },
        "*": {
            "trade fair": ("Auf der Messe in Hannover haben wir kurz gesprochen.",),
            "evenement": ("Spoke to you briefly after the panel at the summit in Lisbon.",),
            "d'avoir": ("Merci d'avoir échangé avec moi mardi.",),
            "so many": ("So many new faces at the DMEXCO this year!",),
            "festival": ("Am Tag der offenen Tür bei SAP haben wir uns getroffen.",),
            "we're both": ("We're both in the same Kubernetes working group.",),
            "we both (?:attended": ("We both spoke on the fintech panel in Riga.",),
            "ambos": ("Siamo entrambi nel comitato scientifico del convegno.",),
            "klientami": ("Wir betreuen die gleichen Kunden in Bayern.",),
            "introduction": ("Following Maria's introduction, I'd love to connect.",),
            "gave me your": ("Anna Schmidt gave me your name.",),
            "coordonnees": ("Claire m'a donné vos coordonnées.",),
            "auf empfehlung": ("Ich melde mich auf Empfehlung von Jonas Weber.",),
            "te recuerdo": ("Carlos me pasó tu contacto.",),
            "girato": ("Mi ha passato il suo contatto Giulia Ferri.",),
            "por indicacao": ("Estou entrando em contato por indicação da Marta.",),
            "op aanraden van": ("Op aanraden van Joris neem ik contact met u op.",),
            "pa inradan av": ("Jag hör av mig på inrådan av Karin.",),
            "z polecenia": ("Piszę z polecenia Ani Nowak.",),
            "served|played|lived": ("Estuvimos juntos en el máster del IE.",),
            "tej samej": ("Chodziliśmy do tej samej szkoły w Gdyni.",),
            "lecturer": (
                "You were my lecturer on the Data Science MSc at Leeds.",
                "You interviewed me for the platform role last year.",
            ),
            "etiez": ("Vous étiez ma directrice de mémoire à Dauphine.",),
            "sie waren": ("Sie waren mein Betreuer bei der Masterarbeit.",),
            "fuiste": ("Fuiste mi profesor de finanzas en ESADE.",),
            "era lei": ("È stata la mia relatrice di tesi al Politecnico.",),
            "foste": ("Você foi meu orientador no mestrado.",),
            "leraar": ("U was mijn docent bij de minor Data Science.",),
            "du var": ("Du var min handledare på KTH.",),
            "coworker": ("Your colleague Tom sends his regards.",),
            "il suo": ("Your intern from summer 2018 here!",),
            "unter ihnen": ("Former intern here, from the 2017 Deloitte summer programme.",),
            "begegnet": ("Wir sind uns in Wien schon einmal begegnet.",),
            "nur (?:per": ("Nur per Zoom, während der Pandemie.",),
            "telefoniert": ("Wir haben letzte Woche telefoniert.",),
            "second round": ("I made it to the second round of your graduate scheme.",),
        },
    },
    "UNSURE": {
        "*": {
            "not sure": ("Not sure if we met at PyCon or at EuroPython.",),
        },
    },
    "HINTS": {
        "*": {
            "know each other|we (?:have )?met": (
                "I saw your talk, maybe we know each other?",
                "Ich habe Ihren Vortrag gesehen, vielleicht kennen wir uns?",
            ),
            "caught up": ("We haven't spoken since Durham!",),
            "long time no": ("Long time no see!",),
            "depuis le temps": ("Ça fait un bail !",),
            "jahrelang": ("Ist schon ewig her!",),
            "perdimos": ("¡Cuánto tiempo!",),
            "quanto tempo": ("Quanto tempo! Come stai?",),
            "perdemos": ("Faz anos que não nos vemos!",),
            "alweer": ("Dat is alweer jaren geleden!",),
            "lange sedan": ("Det var länge sedan!",),
            "kope lat": ("Kopę lat!",),
            "not any ?more": ("Not any more, sadly.",),
            "hang on": ("Hang on, I think it was Lisbon 2019.",),
            "on second thought": ("Come to think of it, that was you at the dinner in Porto.",),
            "bueno": ("Ah, sí! ¡En Valencia!",),
            "it you": ("Weren't you at Deloitte in 2015?",),
            "n'etiez-vous": ("N'étiez-vous pas chez Capgemini avant ?",),
            "warst du": ("Warst du nicht auch bei der re:publica?",),
            "trabajabas": ("¿No estuviste en la feria de Sevilla?",),
            "eravate": ("Non eri anche tu al Salone del Mobile?",),
            "nao nos": ("Você não trabalhou na Natura?",),
            "ben (?:jij": ("Was jij niet ook bij de Dutch Design Week?",),
            "har vi inte": ("Var du inte på Almedalen i fjol?",),
            "czy (?:to )?nie": ("Czy to nie Pan prowadził warsztaty w Poznaniu?",),
            "quem sabe": ("Maybe at the Web Summit?",),
            "might|may|could|must": ("I think we might have worked in the same building.",),
            "rings": ("Your name rings a bell.",),
            "that we": ("You probably don't remember me, but...",),
            "acuerdas": ("¿Te acuerdas de mí? Del máster en Madrid.", "¿Te acordás de mí?"),
            "herinnert u zich mij": ("Herinnert u zich mij nog?",),
            "could be": ("Could be!",),
            "no clue": ("No idea, to be honest.",),
            "aucune idee": ("Aucune idée, franchement.",),
            "keine ahnung": ("Keine Ahnung, ehrlich gesagt.",),
            "ni idea": ("Ni idea, la verdad.",),
            "non saprei": ("Boh, non saprei.",),
            "sei la": ("Sei lá, não lembro.",),
            "geen idee": ("Geen idee, eerlijk gezegd.",),
            "ingen aning": ("Ingen aning, faktiskt.",),
            "nie mam pojecia": ("Nie mam pojęcia, szczerze mówiąc.",),
        },
    },
    "RUDE": {
        "en": {
            "delete": (
                "Not met, don't care. Delete.",
                "no. stop spamming my inbox with your recruiter rubbish",
            ),
            "bullshit": ("What a load of bullshit.",),
            "full of yourself": ("You're so full of yourself.",),
            "snob": ("What a joke.",),
            "(?:question|message|rule|policy)": ("Stupid rule.",),
            "wasting": ("Stop wasting my time.", "This is a waste of my time."),
            "leave me alone": (
                "Leave me alone.",
                "Please don't contact me again.",
                "Get lost.",
                "Don't bother.",
                "Don't bother replying.",
            ),
            "this whole": (
                "This message is pathetic.",
                "This is spam.",
                "Your request is ridiculous.",
            ),
        },
        "fr": {
            "connard": ("Quel connard.",),
            "regle) (?:ridicule": ("Une règle ridicule, franchement.",),
            "pretentieux": ("C'est ridicule !",),
            "perdre": ("Arrêtez de me faire perdre mon temps.",),
            "tranquille": ("Laissez-moi tranquille.", "Ne me contactez plus."),
            "quelle (?:blague": (
                "Votre message est tout simplement grotesque.",
                "C'est du spam.",
                "Quelle blague.",
                "Comment osez-vous ?",
            ),
        },
        "de": {
            "scheiss": ("So ein Scheiß.",),
            "ganz schon": ("Ganz schön überheblich.",),
            "zeitverschwendung": ("Hören Sie auf, meine Zeit zu verschwenden.",),
            "in ruhe": ("Lassen Sie mich in Ruhe.", "Kontaktieren Sie mich bitte nicht mehr."),
            "wen interessiert": (
                "Diese Nachricht ist lächerlich.",
                "Was für ein Witz.",
                "Wen interessiert's?",
                "Wie können Sie es wagen?",
            ),
        },
        "es": {
            "estupidez": ("Qué estupidez.",),
            "hacerme perder": (
                "Deja de hacerme perder el tiempo.",
                "No me hagas perder el tiempo.",
            ),
            "en paz": ("Déjame en paz.", "No me vuelvas a escribir."),
            "a quien le importa": (
                "Patético.",
                "Este mensaje es ridículo.",
                "¿A quién le importa?",
                "¿Cómo te atreves?",
                "Qué chiste.",
            ),
        },
        "it": {
            "vaffanculo": ("Ma vaffanculo.",),
            "smettila": ("Smettila di farmi perdere tempo.",),
            "in pace": ("Lasciami in pace.", "Non mi contatti più."),
            "chi se ne frega": (
                "Chi se ne frega.",
                "Questo messaggio è ridicolo.",
                "Che pagliacciata.",
                "Come si permette?",
            ),
        },
        "pt": {
            "babaca": ("Que babaca.",),
            "fazer perder": ("Pare de me fazer perder tempo.",),
            "em paz": ("Me deixe em paz.", "Não me procure mais."),
            "quem se importa": (
                "Quem se importa?",
                "Essa mensagem é ridícula.",
                "Que piada.",
                "Como ousa?",
            ),
        },
        "nl": {
            "idioot": ("Rot op.",),
            "tijdverspilling": ("Stop met mijn tijd te verspillen.", "Wat een tijdverspilling."),
            "met rust": ("Laat me met rust.", "Neem geen contact meer met me op."),
            "hoe durf": (
                "Wat een grap.",
                "Dit bericht is belachelijk.",
                "Wie boeit het?",
                "Hoe durf je?",
            ),
        },
        "sv": {
            "dra at helvete": ("Dra åt helvete.",),
            "sluta": ("Sluta slösa min tid.",),
            "lamna mig": ("Lämna mig ifred.", "Kontakta mig inte igen."),
            "vem bryr sig": (
                "Vem bryr sig?",
                "Det här meddelandet är patetiskt.",
                "Vilket skämt.",
                "Hur vågar du?",
            ),
        },
        "pl": {
            "spadaj": ("Spadaj.",),
            "marnowac": ("Przestań marnować mój czas.",),
            "w spokoju": ("Zostaw mnie w spokoju.", "Proszę się ze mną więcej nie kontaktować."),
            "kogo to obchodzi": (
                "Kogo to obchodzi?",
                "Co za żart.",
                "To jest spam.",
                "Jak Pan śmie?",
            ),
        },
        "*": {
            "such a": ("Such a weird question.",),
            "pytanie": ("Pergunta ridícula.",),
            "forget it": ("Forget it.",),
            "nobody cares": ("How dare you.", "Get over yourself."),
            "arroganz": ("Such arrogance.",),
            "akzeptier": ("Just accept or don't.",),
            "spare me": ("Spare me the lecture.",),
            "judging by": ("Judging by this message, I'm glad we haven't met.",),
            "who do you think you are": ("Who do you think you are?",),
            "szkoda": ("Szkoda czasu.",),
        },
    },
    "AUTOMATIC_SUBJECTS": {
        "*": {
            "automatic reply": ("Automatic reply: Have we met?",),
            "abwesenheitsnotiz": ("Abwesenheitsnotiz: Kennen wir uns?",),
            "reponse automatique": ("Réponse automatique : Nous connaissons-nous ?",),
            "respuesta automatica": ("Respuesta automática: ¿Nos conocemos?",),
            "risposta automatica": ("Risposta automatica: Ci conosciamo?",),
            "resposta automatica": ("Resposta automática: Já nos conhecemos?",),
            "automatisch antwoord": ("Automatisch antwoord: Kennen wij elkaar?",),
            "autosvar": ("Autosvar: Känner vi varandra?",),
            "automatyczna odpowiedz": ("Automatyczna odpowiedź: Czy się znamy?",),
        },
    },
    "AUTOMATIC_TEXTS": {
        "*": {
            r"\bautomat\w*\b.{0,25}": ("This is an automated response to confirm receipt.",),
            "acuse de recibo": ("Diese Nachricht wurde automatisch erstellt.",),
            "we have received your": ("Thank you, we have received your enquiry.",),
            "no longer (?:work": ("I no longer work at Ferrow Partners.",),
            "sick leave": ("I am on parental leave until March.",),
            "i will be": ("I am out of the office until Monday.",),
            "limited": ("Limited access to e-mail until 3 June.",),
            "auto-?generated": ("This is an auto-generated email, please do not reply.",),
            "ich bin": ("Ich bin bis zum 5. August nicht im Büro.",),
            "absent": ("Je suis absente jusqu'au 26 août.",),
            "fuera de la oficina": ("Estoy de vacaciones hasta el 2 de septiembre.",),
            "fuori ufficio": ("Sono in ferie fino al 20 agosto.",),
            "fora do escritorio": ("Estou de férias até 5 de setembro.",),
            "afwezig": ("Ik ben op vakantie tot 23 augustus.",),
            "pa semester": ("Jag är på semester till och med 12 augusti.",),
            "na urlopie": ("Jestem na urlopie do 20 sierpnia.",),
        },
    },
}

# The module's compiled list for each family, which _find and automatic() read.
COMPILED = {
    "CLAIMS": "_CLAIMS",
    "UNSURE": "_UNSURE",
    "HINTS": "_HINTS",
    "RUDE": "_RUDE",
    "AUTOMATIC_SUBJECTS": "_AUTO_SUBJECTS",
    "AUTOMATIC_TEXTS": "_AUTO_TEXTS",
}


def _family(name: str) -> dict[str, tuple[str, ...]]:
    """The family's entries, per language ("*" for the families without languages)."""
    family: Any = getattr(phrases, name)
    return dict(family) if isinstance(family, dict) else {"*": tuple(family)}


def _compiled(name: str, table: dict[str, tuple[str, ...]]) -> list[Any]:
    """The compiled list phrases.py builds from `table`, in the shape it uses."""
    if name in ("CLAIMS", "RUDE"):
        return phrases._compile(table)
    if name in ("UNSURE", "HINTS"):
        return [("*", re.compile(p)) for p in table["*"]]
    return [re.compile(p) for p in table["*"]]


def _found(name: str, example: str) -> str | None:
    """What the family's public function finds in `example`."""
    if name == "AUTOMATIC_SUBJECTS":
        return phrases.automatic(example, "")
    if name == "AUTOMATIC_TEXTS":
        return phrases.automatic("", example)
    if name == "RUDE":
        return phrases.rude(example)
    return phrases.claim(example)


def _entries_named(name: str, lang: str, fragment: str) -> list[int]:
    return [i for i, p in enumerate(_family(name).get(lang, ())) if fragment in p]


def _cases() -> Iterator[Any]:
    for name, languages in EXAMPLES.items():
        for lang, table in languages.items():
            for fragment, examples in table.items():
                for example in examples:
                    yield pytest.param(name, lang, fragment, example, id=f"{name}-{lang}-{example}")


def test_the_compiled_lists_are_the_families() -> None:
    """Removing an entry below rebuilds a compiled list: it must be the family, in order."""
    for name, attribute in COMPILED.items():
        compiled = getattr(phrases, attribute)
        expected = _compiled(name, _family(name))
        assert [(getattr(c, "pattern", None) or c[1].pattern) for c in compiled] == [
            (getattr(e, "pattern", None) or e[1].pattern) for e in expected
        ], name


def test_every_entry_has_an_example() -> None:
    missing = []
    for name in COMPILED:
        for lang, patterns in _family(name).items():
            named = EXAMPLES.get(name, {}).get(lang, {})
            for pattern in patterns:
                if not any(fragment in pattern and named[fragment] for fragment in named):
                    missing.append(f"{name}[{lang!r}]: {pattern[:100]}")
    assert not missing, "entries without an example in EXAMPLES:\n" + "\n".join(missing)


def test_every_fragment_names_one_entry() -> None:
    wrong = [
        f"{name}[{lang!r}] {fragment!r}: {len(_entries_named(name, lang, fragment))} entries"
        for name, languages in EXAMPLES.items()
        for lang, table in languages.items()
        for fragment in table
        if len(_entries_named(name, lang, fragment)) != 1
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("name", "lang", "fragment", "example"), list(_cases()))
def test_the_example_needs_its_entry(
    name: str, lang: str, fragment: str, example: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found with every entry; no longer found with its entry (and only it) removed."""
    assert _found(name, example), f"{name}: nothing found in {example!r}"
    named = _entries_named(name, lang, fragment)
    assert len(named) == 1, f"{fragment!r} names {len(named)} entries of {name}[{lang!r}]"
    (index,) = named
    family = _family(name)
    family[lang] = tuple(p for i, p in enumerate(family[lang]) if i != index)
    monkeypatch.setattr(phrases, COMPILED[name], _compiled(name, family))
    still = _found(name, example)
    assert not still, f"another entry of {name} finds {example!r} as well: {still!r}"


@pytest.mark.parametrize(
    "text",
    [
        "You never called me.",
        "You have never called me, I'm afraid.",
        "I don't think you called me.",
        "Vous ne m'avez jamais appelé.",
        "Tu m'as jamais appelé.",
        "Sie haben mich nie angerufen.",
        "Sie haben mich nicht angerufen.",
        "Nunca me llamaste.",
        "Me llamo Ana y trabajo en Madrid.",
        "Non mi ha mai chiamato.",
        "Você nunca me ligou.",
        "U heeft me nooit gebeld.",
        "Du kontaktade mig aldrig.",
        "Nie dzwonił Pan do mnie.",
        "Wir haben uns nicht kennengelernt.",
    ],
)
def test_contact_denied_is_no_claim(text: str) -> None:
    assert phrases.claim(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Sorry for wasting your time, we have not met.",
        "No, we haven't met, but it's not a waste of time to ask.",
        "Sorry if my request felt like spam. We have not met.",
        "No, sorry, I don't think we have met. Please don't hesitate to accept anyway.",
        "Nein, wir kennen uns nicht. Das ist keine Zeitverschwendung.",
        "No nos conocemos, vete a saber por qué te salí como sugerencia.",
        "Non ci conosciamo, ma non è una perdita di tempo chiedere.",
        "No, we have not met. I go away on holiday on Monday, so no rush.",
        "Nein, wir kennen uns nicht. Ich verschwinde morgen in den Urlaub.",
        "C'est une blague ? Bien sûr qu'on se connaît !",
        "Não nos conhecemos, e ela vai embora amanhã.",
        "Nee, we kennen elkaar niet; ik ga weg bij dit bedrijf.",
        "Nee, maar uw posts blijven me boeien.",
        "Haha, to śmieszne, ale nie, nie znamy się.",
        "Nej, vi har inte träffats, men det är inget slöseri med tid att fråga.",
    ],
)
def test_polite_answers_are_not_rude(text: str) -> None:
    assert phrases.rude(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "You emailed me last year about the Product Manager role.",
        "You called me about the Product Manager role.",
        "Vous m'avez appelé en mars.",
        "Tu m'as envoyé un mail l'an dernier.",
        "Sie haben mich angerufen, wegen der Stelle in Hamburg.",
        "Du hast mir letztes Jahr eine Mail geschickt.",
        "Me llamaste por lo del puesto de analista.",
        "Usted me escribió el año pasado.",
        "Mi hai chiamato a marzo per il colloquio.",
        "Você me mandou um e-mail no ano passado.",
        "Je belde me over de vacature.",
        "Du mejlade mig i våras.",
        "Pisała Pani do mnie w zeszłym roku.",
    ],
)
def test_contact_by_phone_or_mail_is_a_claim(text: str) -> None:
    assert phrases.claim(text)
