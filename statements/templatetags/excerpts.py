"""The start of a statement's text on the list pages (tuidang.lib.excerpt)."""

from django import template

from statements.querysets import LIST_EXCERPT_CHARS
from tuidang.lib.excerpt import Excerpt, excerpt

register = template.Library()


@register.filter(name="excerpt")
def excerpt_filter(text: str | None) -> Excerpt:
    """`{% with start=statement.text_start|excerpt %}`: its `text` (plain, for the
    template to escape) and whether it was `cut`, to link to the whole statement."""
    return excerpt(text or "", LIST_EXCERPT_CHARS)
