"""Outside text on a terminal: names, notes, addresses and folder names come from mail,
exports and calendars, and may hold escape sequences (ESC, OSC, BEL, the C1 controls
U+009B CSI and U+009D OSC) or line breaks that would forge a line of our own ("why: you
said you know ..."). `shown` makes every such character visible, as Python writes it
(``\\x1b``, ``\\n``, ``\\x9b``, ``\\u202e``), and keeps the text on one line. Every
string from outside that reaches a terminal or a log line goes through it; text mailbot
writes itself (labels, layout) does not need to.
"""

from __future__ import annotations

import unicodedata

# Bidirectional overrides and isolates: they reorder what follows on the line
# ("Trojan Source"), so a name could make the rest of a line read backwards.
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _table() -> dict[int, str]:
    codes = [
        code
        for code in range(0x3000)
        if unicodedata.category(chr(code)) in ("Cc", "Zl", "Zp") or code in _BIDI
    ]
    return {code: _escaped(code) for code in codes}


_VISIBLE = _table()  # C0, DEL, C1, U+2028/U+2029, the bidi controls
# The same characters as JSON escapes, for JSON printed with ensure_ascii=False: json
# escapes C0 itself, not DEL, C1 or the rest (still the same JSON document, escaped).
JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _VISIBLE if code >= 0x7F}


def shown(text: object) -> str:
    """`text` fit for one line of a terminal or a log: control characters (C0, DEL, C1,
    line and paragraph separators, bidi overrides) written out as escapes; everything
    else (accents, scripts, emoji) as it is. None is shown as the empty string."""
    if text is None:
        return ""
    return str(text).translate(_VISIBLE)
