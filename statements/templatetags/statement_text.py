"""How a statement's name and text are shown on the public pages: in the page's script
(`{{ statement.text|script }}`, see tuidang.lib.script) and, on the list, cut short.

Apply these before filters that add HTML (linebreaksbr): they take and return plain text,
which the template then escapes as usual.
"""

from itertools import chain

from django import template
from django.utils.translation import get_language

from tuidang.lib import script as conversion

register = template.Library()

# The list shows this much of each statement, so a page of 50 of the greatest length
# stays small (tests/statements/test_script.py); its own page shows all of it.
LIST_EXCERPT_CHARS = 200


@register.filter
def script(value):
    """The text in the script of the page's language; as written on English pages."""
    if not isinstance(value, str):
        return value
    return conversion.to_script(value, get_language())


@register.filter
def excerpt(value, length: int = LIST_EXCERPT_CHARS):
    """The first `length` characters, the last of them "…" when the text is longer.

    Django's truncatechars does the same but normalizes the whole text (up to 5,000
    characters, already NFC when stored) first: a good part of the list page's time.
    """
    if not isinstance(value, str) or len(value) <= length:
        return value
    return value[: length - 1] + "…"


@register.simple_tag
def script_ahead(statements) -> str:
    """Convert a list page's names and excerpts together before it renders them (see
    tuidang.lib.script.convert_ahead); the partial's filters then find them done."""
    texts = chain.from_iterable((s.display_name, excerpt(s.text)) for s in statements)
    conversion.convert_ahead(texts, get_language())
    return ""


@register.simple_tag
def original_language() -> str:
    """The `lang` of the text as written, where the page shows it converted."""
    return conversion.original_language(get_language())
