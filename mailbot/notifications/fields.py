"""Field extraction shared by the networks: greeting, note, card, signature, language.

Each function takes the body's lines and returns a field or None; none of them raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mailbot.notifications.defaults import default_language
from mailbot.notifications.message import Content, address, domain_of, one_line

MAX_NOTE = 2000  # characters; networks cap notes far below this

_GREETINGS: dict[str, str] = {
    "hi": "en",
    "hello": "en",
    "hey": "en",
    "dear": "en",
    "hola": "es",
    "hai": "id",
    "halo": "id",
    "bonjour": "fr",
    "salut": "fr",
    "hallo": "de",
    "guten tag": "de",
    "liebe": "de",
    "lieber": "de",
    "moin": "de",
    "ciao": "it",
    "olá": "pt",
    "oi": "pt",
    "hoi": "nl",
    "beste": "nl",
}
_GREETING = re.compile(
    r"^(?P<word>" + "|".join(sorted(_GREETINGS, key=len, reverse=True)) + r")\b"
    # then a name at most ("Hi Robin,", "Dear Dr. Owner,", "Hi Robin (Rob) 👋,", "Hi,"):
    # capitalised words, particles, titles, quotes and symbols. A greeting without a comma
    # ("Hi – we were both at X, ...", "Ciao! ...", "Hi Robin we met at PyCon, ...") is part
    # of the note, never cut.
    r"(?-i:(?:[ \t]+(?:[^\W\d_a-z][^\s,;:!?]*|[(\"'“‘«„][^\s,;:!?]*|[^\w\s,;:!?–—-][^\s,;:!?]*"
    r"|van|von|de|der|den|da|di|du|dos|del|la|le|ter|ten|zu|el|al|bin|ibn)){0,7})[ \t]*,\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BARE_GREETING = re.compile(r"^[^\s,:]{1,40}(?: [^\s,:]{1,40})?,$")  # "Mohan," (2011 template)
_URL = re.compile(r"https?://", re.IGNORECASE)
_SEPARATOR = re.compile(r"^[-_.=~*·•]{4,}$")
_SIGNATURE = re.compile(r"^[-–—]\s*(?P<n>\S.{0,60})$")
_LABEL = re.compile(r"^[^:：]{1,60}[:：]\s*$")
_PROFILE_LABEL = re.compile(
    r"(?:view|voir|ver|lihat|visualizza)\b.{0,80}\b(?:profile|profil|perfil|profilo)\b"
    r"|profil ansehen|.{1,80}さんのプロフィールを表示する",
    re.IGNORECASE,
)
_CHROME_LABEL = re.compile(
    r"(?:accept|accepter|annehmen|aceptar|aceitar|accetta|terima|承認する|confirm that you know"
    r"|harap konfirmasi|confirma que conoces|confirmez que vous connaissez|bestätigen)"
    r"|" + _PROFILE_LABEL.pattern,
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(?:accept|view|confirm|profile?|accepter|annehmen|aceptar|terima|konfirmasi|voir"
    r"|ansehen)\b|承認|プロフィール",
    re.IGNORECASE,
)
_MACHINE_LOCALPART = re.compile(
    r"(?:^|[._+-])(?:no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?"
    r"|notifications?|mailrobot|invitations|messages|member)(?:$|[._+-])|-request$|^owner-",
    re.IGNORECASE,
)
# Who the network's sentence is about: a name (capitalised words, particles, a title or a
# post-nominal), never a person's own words ("I attended your workshop and would like to
# connect with you on LinkedIn" is a note that ends with the default sentence).
_WHO = (
    r"(?-i:(?!(?:I|Ich|Je|Yo|Io|Eu|Ik|Jag|Ja|We|Wir|Nous|My|Our|Mein|Meine)\s)"
    r"[^\W\d_a-z][^\s,;:!?]*(?:[ \t]+(?:[^\W\d_a-z][^\s,;:!?]*|van|von|de|da|di|del|der|den"
    r"|du|le|la|y|zu|dos|das|bin|al|ten|ter|e)){0,5}(?:,[ \t]*[^\s,;:!?]{1,12})?)"
)
_CHROME_SENTENCE = re.compile(  # the networks' own sentences around the note, whole lines
    r"^(?:.{1,160}\s(?:is waiting for your response|is awaiting your response)"
    r"|" + _WHO + r"\swould like to connect(?: with you)? on (?:linkedin|xing)"
    r"(?:\.? how would you like to respond\?)?"
    r"|how would you like to respond\?"
    r"|" + _WHO + r"\srequested to add you as a connection on linkedin:?"
    r"|this is a reminder that\b.{0,200}\bsent you an invitation\b.*"
    r"|" + _WHO + r"\s(?:wants to connect with you|invited you to connect) on (?:linkedin|xing)"
    r"|.{1,80}さんからlinkedinのつながりリクエストが届いています"
    r"|" + _WHO + r"\smöchte sich mit (?:ihnen|dir) vernetzen"
    r"|.{1,160}\s(?:wartet auf ihre antwort|wartet auf deine antwort)"
    r"|" + _WHO + r"\s(?:souhaite se connecter avec vous|souhaite rejoindre votre réseau)"
    r"(?: sur linkedin)?|.{1,160}\sattend votre réponse"
    r"|.{1,160}\s(?:está esperando (?:tu|su) respuesta)|" + _WHO + r"\squiere conectar contigo"
    r"|.{1,160}\s(?:está aguardando (?:sua|a sua) resposta|aguarda (?:sua|a sua) resposta)"
    r"|.{1,160}\sè in attesa della tua risposta"
    r"|.{1,160}\swacht op je (?:reactie|antwoord)"
    r")[.!。:]?$",
    re.IGNORECASE,
)
_KANA = re.compile(r"[\u3040-\u30ff]")
_QUOTED = re.compile(r"^[“\"«„‚'](?P<q>[^“”\"«»„]{3,})[”\"»“‘']$")
_REPLY_LABEL = re.compile(
    r"^(?:reply|antworten|répondre|responder|rispondi|beantwoorden|svara|odpowiedz|返信)$",
    re.IGNORECASE,
)
_CHROME: dict[str, tuple[str, ...]] = {  # phrases of the networks' own text, by language
    "fr": ("voir le profil", "accepter:", "vous recevez"),
    "de": ("profil ansehen", "annehmen:", "diese e-mail wurde"),
    "es": ("ver perfil", "aceptar:", "has recibido"),
    "en": (
        "view profile",
        "accept:",
        "would like to connect",
        "waiting for your response",
        "you are receiving",
        "this email was intended for",
    ),
}


def lines(body: str) -> list[str]:
    return [" ".join(line.split()) for line in body.splitlines()]


def note(body_lines: list[str], name: str | None) -> tuple[str | None, str | None]:
    """(greeting language, the note), wherever the template puts it: the text after a
    greeting up to the card, signature or a blank line; with no greeting, the paragraph
    right above the requester's card, or a quoted paragraph under it. The network's own
    sentences ("... is waiting for your response", per era and language) are chrome,
    never part of a note, wherever they stand."""
    for index, line in enumerate(body_lines):
        if is_chrome_line(line):
            continue
        match = _GREETING.match(line)
        if match:
            language = _GREETINGS.get(match.group("word").lower())
            return language, _unless_chrome(
                _collect(match.group("rest"), body_lines[index + 1 :], name)
            )
        if _BARE_GREETING.match(line) and index + 1 < len(body_lines):
            return None, _unless_chrome(_collect("", body_lines[index + 1 :], name))
    above = _unless_chrome(_paragraph_above_card(body_lines, name))
    return None, above or _quoted_under_card(body_lines, name)


def is_chrome_line(line: str) -> bool:
    """One of the network's own sentences around the note (a whole line; a person who
    writes "I sent you an invitation because ..." wrote a note)."""
    return len(line) <= 400 and bool(_CHROME_SENTENCE.match(line.strip()))


def _quoted_under_card(body_lines: list[str], name: str | None) -> str | None:
    """A note shown in quotes a few lines under the requester's name (name, headline,
    location, then “the note”)."""
    card = _card(body_lines, name)
    if card is None:
        return None
    for line in body_lines[card + 1 : card + 6]:
        if _URL.search(line) or _LABEL.match(line):
            return None
        if match := _QUOTED.match(line):
            return one_line(match.group("q"), MAX_NOTE) or None
    return None


def _card(body_lines: list[str], name: str | None) -> int | None:
    """The line of the requester's name card (their name alone on a line)."""
    if not name:
        return None
    folded = name.casefold()
    return next((i for i, line in enumerate(body_lines) if line.casefold() == folded), None)


def _paragraph_above_card(body_lines: list[str], name: str | None) -> str | None:
    card = _card(body_lines, name)
    if card is None:
        return None
    above: list[str] = []
    for line in reversed(body_lines[:card]):
        if not line:
            if above:
                break
            continue
        if _stops_note(line, name) or is_chrome_line(line):
            break
        above.insert(0, line)
    text = " ".join(" ".join(above).split())[:MAX_NOTE]
    return text or None


def _unless_chrome(text: str | None) -> str | None:
    return None if text is None or is_chrome_line(text) else text


def _collect(first: str, following: list[str], name: str | None) -> str | None:
    parts = [first] if first else []
    for line in following:
        if _stops_note(line, name):
            break
        if not line:
            if parts:
                break
            continue
        parts.append(line)
    text = " ".join(" ".join(parts).split())[:MAX_NOTE]
    return text or None


def _stops_note(line: str, name: str | None) -> bool:
    return bool(
        (name and line.casefold() == name.casefold())
        or is_chrome_line(line)
        or _URL.search(line)
        or _SEPARATOR.match(line)
        or _SIGNATURE.match(line)
        or _LABEL.match(line)
    )


def without_default(text: str | None) -> tuple[str | None, str | None]:
    """(the note, or None when it is a network default text, with or without a greeting
    before it, "hi robin, I'd like to join your professional network"; its language)."""
    if not text:
        return None, None
    language = default_language(text) or default_language(_LEADING_GREETING.sub("", text))
    return (None, language) if language else (text, None)


# A greeting word and a few words of a name, up to a comma, whatever their case or symbols.
_LEADING_GREETING = re.compile(
    r"^(?:" + "|".join(sorted(_GREETINGS, key=len, reverse=True)) + r")\b[^,\n]{0,60},\s*",
    re.IGNORECASE,
)


def headline(body_lines: list[str], name: str | None) -> str | None:
    """The line under the requester's name in the card, when it is text and not a link."""
    if not name:
        return None
    folded = name.casefold()
    for index, line in enumerate(body_lines[:-1]):
        if line.casefold() != folded:
            continue
        candidate = body_lines[index + 1]
        if candidate and not (
            _URL.search(candidate)
            or _LABEL.match(candidate)
            or _SEPARATOR.match(candidate)
            or is_action_label(candidate)
        ):
            return one_line(candidate, 200)
    return None


_COMMON = re.compile(
    r"^\s*(?:\d[\d.,]*\+?)\s+(?:shared connections?|connections? in common|mutual connections?"
    r"|gemeinsame[n]? Kontakte?|relations? en commun|contactos? en com[uú]n"
    r"|collegamenti in comune|conex(?:ões|ão) em comum|gedeelde connecties?"
    r"|gemeenschappelijke connecties?|gemensamma kontakter|wspólnych? kontakt(?:y|ów))\s*$"
    r"|^\s*\S.{0,80}\band \d+ others? (?:are|is a) mutual connections?\s*$",
    re.IGNORECASE,
)


def common_connections(body_lines: list[str]) -> str | None:
    """ "12 connections in common" as the card shows it (in any language the network
    uses), for the owner; None when the notification does not say."""
    for line in body_lines[:60]:
        if _COMMON.match(line):
            return one_line(line, 120)
    return None


def signature_name(body_lines: list[str]) -> str | None:
    """The "- ryan" signature of guest invitations."""
    for line in body_lines:
        if match := _SIGNATURE.match(line):
            return one_line(match.group("n"), 120)
    return None


def message_text(body_lines: list[str], name: str | None) -> str | None:
    """The message in a network message notification: the card is name, headline, text;
    or (InMail) name, a "Reply" line and its link, then the text."""
    folded = name.casefold() if name else None
    for index, line in enumerate(body_lines):
        if folded and line.casefold() == folded:
            rest = body_lines[index + 1 :]
            if rest and _REPLY_LABEL.match(rest[0]):
                rest = rest[1:]
                while rest and _URL.match(rest[0]):
                    rest = rest[1:]
                return _collect("", rest, name)
            paragraph = _paragraph(rest, name)
            if len(paragraph) > 1:  # the first line under the name is the headline
                rest = rest[rest.index(paragraph[0]) + 1 :]
            return _collect("", rest, name)
    return None


def labelled_text(body_lines: list[str], labels: tuple[str, ...]) -> str | None:
    """The paragraph under a label line such as "Personal message:"."""
    for index, line in enumerate(body_lines):
        if _LABEL.match(line) and line.rstrip(":： ").casefold() in labels:
            return _collect("", body_lines[index + 1 :], None)
    return None


def _paragraph(following: list[str], name: str | None) -> list[str]:
    lines: list[str] = []
    for line in following:
        if _stops_note(line, name) or (not line and lines):
            break
        if line:
            lines.append(line)
    return lines


def body_language(text: str) -> str | None:
    """The language of the notification's own words, when no greeting or default says."""
    if _KANA.search(text):
        return "ja"
    folded = text.casefold()
    for language, markers in _CHROME.items():
        if any(marker in folded for marker in markers):
            return language
    return None


def is_action_label(label: str) -> bool:
    """Words of the network's buttons (whole words: "interview" is not "view")."""
    return len(label) <= 80 and bool(_ACTION.search(label))


def is_chrome_label(label: str) -> bool:
    """A label the network itself writes before an accept or profile link."""
    return len(label) <= 120 and bool(_CHROME_LABEL.match(label.strip()))


def is_profile_label(label: str) -> bool:
    return len(label) <= 120 and bool(_PROFILE_LABEL.match(label.strip()))


_ADDRESS_IN_NAME = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def spoofing_display(display: str, addr: str) -> str | None:
    """A display name that shows another address than the real one ("LinkedIn
    <invitations@linkedin.com>" <attacker@evil.example>): the classic spoof."""
    for shown in _ADDRESS_IN_NAME.findall(display):
        if shown.lower() != addr.lower():
            return f"its sender's name shows {shown} while the address is {addr or 'missing'}"
    return None


def is_machine_address(addr: str) -> bool:
    """No-reply, bounce, list and notification mailboxes: never a person to write to."""
    local = addr.partition("@")[0]
    return not local or bool(_MACHINE_LOCALPART.search(local))


def personal_reply_to(content: Content, is_network: Callable[[str], bool]) -> str | None:
    """A Reply-To that is a real person's address (not the network's, not a robot)."""
    display, addr = address(content, "reply-to")
    if not addr or "@" not in addr or spoofing_display(display, addr):
        return None
    if is_network(domain_of(addr)) or is_machine_address(addr):
        return None
    return addr
