"""The start of a text, cut where a reader sees a character end.

A Python string is a sequence of code points, so slicing never splits a surrogate pair or
a UTF-8 sequence; what it can split is a character a reader sees as one but that is
written as several code points: a letter and its combining accents (text is stored in
NFC, but many accents have no precomposed form), an emoji with a skin tone or a
variation selector, emoji joined by ZERO WIDTH JOINER (a family), a flag (two regional
indicators), CR LF. The cut moves back to the start of such a sequence. This follows the
rules of Unicode's extended grapheme clusters (UAX #29) that matter for a cut, without
the full property tables: Hangul syllables are whole in NFC, and Indic conjuncts that
break differently are a cosmetic difference in a list's excerpt.
"""

import unicodedata
from dataclasses import dataclass

ELLIPSIS = "…"
_ZWJ = "\u200d"


@dataclass(frozen=True)
class Excerpt:
    text: str
    cut: bool  # True when `text` is the start of a longer one, ending in ELLIPSIS


def excerpt(text: str, limit: int) -> Excerpt:
    """`text` whole if it has at most `limit` characters; otherwise as much of its start
    as fits in `limit` characters with ELLIPSIS, cut between two characters a reader sees
    (never inside one), trailing spaces dropped."""
    if len(text) <= limit:
        return Excerpt(text=text, cut=False)
    end = limit - len(ELLIPSIS)
    while end > 0 and not is_boundary(text, end):
        end -= 1
    if end == 0:  # one "character" of hundreds of marks: cut it anyway
        end = limit - len(ELLIPSIS)
    return Excerpt(text=text[:end].rstrip() + ELLIPSIS, cut=True)


def is_boundary(text: str, index: int) -> bool:
    """Whether a reader sees a character end between text[index - 1] and text[index]."""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    if before == "\r" and after == "\n":
        return False
    if after == _ZWJ or before == _ZWJ or _extends(after):
        return False
    if _regional_indicator(before) and _regional_indicator(after):
        # Flags are pairs: a boundary only after an even run of indicators.
        run = 0
        while index - 1 - run >= 0 and _regional_indicator(text[index - 1 - run]):
            run += 1
        return run % 2 == 0
    return True


def _extends(char: str) -> bool:
    """A code point that belongs to the character before it: combining marks (including
    spacing ones), variation selectors, emoji skin tones, emoji tag sequences."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF
