"""Statements shown in the reader's script: Simplified Chinese pages show Simplified,
Traditional Chinese pages Traditional, whatever script the person wrote in (OpenCC).

Only what is shown is converted. What is stored, returned by the API and counted is what
the person wrote, and every converted page offers it ("as written").

The conversions, and why these:
- zh-hant: `s2tw`, Simplified to Traditional in the forms used in Taiwan and in this
  site's own Traditional interface (為, 裡, 群). Plain `s2t` writes OpenCC's own
  standard forms (爲, 裏, 羣), which look out of place beside the interface, and it
  would change Traditional text written in the common forms (a name with 群 would
  become 羣); `s2tw` leaves such text as written. `s2twp` also swaps vocabulary
  (软件 → 軟體, and 声明 → 宣告, "statement" itself): it would put words in the
  person's mouth, so it is not used.
- zh-hans: `t2s`, which leaves Simplified text as written.
Both leave text already in the target script unchanged (tests/statements/test_script.py),
so the stored script need not be detected. English pages show the text as written.

One converter per direction per process, built at import (about 4 ms each). OpenCC's
conversion is thread-safe (its C API says only opencc_error is not, and that is called
only while a converter is built), so gunicorn's threads share them.
"""

from collections.abc import Iterable
from functools import lru_cache

import opencc

_CONFIGS = {"zh-hant": "s2tw", "zh-hans": "t2s"}
_CONVERTERS = {language: opencc.OpenCC(config) for language, config in _CONFIGS.items()}
# The script the original is probably in when its conversion for `language` differs: the
# `lang` of the "as written" text, so browsers pick fitting glyphs.
_OTHER_SCRIPT = {"zh-hant": "zh-hans", "zh-hans": "zh-hant"}

# Names and list excerpts are short and the same ones are shown again and again (the
# newest pages of the list): those conversions are remembered. Longer texts (a whole
# statement, only on its own page) are converted each time, so the cache stays small:
# at most CACHE_SIZE strings of CACHED_MAX_CHARS, a few megabytes per process.
CACHED_MAX_CHARS = 400
CACHE_SIZE = 4096


def to_script(text: str, language: str | None) -> str:
    """`text` in the script of `language` (a language code such as "zh-hant"); as written
    for any language without a script conversion (English)."""
    converter = _CONVERTERS.get((language or "").lower())
    if converter is None or not text or text.isascii():
        return text
    if len(text) <= CACHED_MAX_CHARS:
        return _to_script_cached(text, language.lower())
    return converter.convert(text)


def convert_ahead(texts: Iterable[str], language: str | None) -> None:
    """Convert the short ones among `texts` for `language` into the cache, one after
    another, before a page shows them. Done together they cost about a fifth of the
    same conversions spread through the page's rendering, where the template's work
    pushes OpenCC's dictionaries out of the CPU's caches (bench/script.py)."""
    if (language or "").lower() not in _CONVERTERS:
        return
    for text in texts:
        if len(text) <= CACHED_MAX_CHARS:
            to_script(text, language)


@lru_cache(maxsize=CACHE_SIZE)
def _to_script_cached(text: str, language: str) -> str:
    return _CONVERTERS[language].convert(text)


def original_language(language: str | None) -> str:
    """The `lang` of a text whose conversion for `language` changed it: the other
    Chinese script. Empty for a language without conversion."""
    return _OTHER_SCRIPT.get((language or "").lower(), "")
