"""How a statement's name and text are shown on the public pages: in the page's script
(`{{ statement.text|script }}`, see tuidang.lib.script) and, on the list, cut short
(`{% with start=statement|excerpt %}`).

Apply these before filters that add HTML (linebreaksbr): they give plain text, which the
template then escapes as usual.
"""

from itertools import chain

from django import template
from django.utils.translation import get_language

from statements.querysets import LIST_EXCERPT_CHARS
from tuidang.lib import script as conversion
from tuidang.lib.excerpt import Excerpt
from tuidang.lib.excerpt import excerpt as cut

register = template.Library()


@register.filter
def script(value):
    """The text in the script of the page's language; as written on English pages."""
    if not isinstance(value, str):
        return value
    return conversion.to_script(value, get_language())


@register.filter
def excerpt(statement) -> Excerpt:
    """The start of a statement's text as a list shows it (LIST_EXCERPT_CHARS, cut between
    characters a reader sees: tuidang.lib.excerpt): its `text`, plain, and whether it was
    `cut`. From `text_start` where the rows came through StatementQuerySet.for_list (the
    list page reads no more of a text than that), else from the whole text.

    Django's truncatechars would normalize the whole text (up to 5,000 characters,
    already NFC when stored) first: a good part of the list page's time.
    """
    start = statement.__dict__.get("text_start")
    return cut(statement.text if start is None else start, LIST_EXCERPT_CHARS)


@register.simple_tag
def script_ahead(statements) -> str:
    """Convert a list page's names and excerpts together before it renders them (see
    tuidang.lib.script.convert_ahead); the partial's filters then find them done."""
    texts = chain.from_iterable((s.display_name, excerpt(s).text) for s in statements)
    conversion.convert_ahead(texts, get_language())
    return ""


@register.simple_tag
def original_language() -> str:
    """The `lang` of the text as written, where the page shows it converted."""
    return conversion.original_language(get_language())
