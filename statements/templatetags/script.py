"""Statements in the page's script: `{{ statement.text|script }}` (see tuidang.lib.script).

Apply `script` before filters that add HTML (linebreaksbr): it takes and returns plain
text, which the template then escapes as usual.
"""

from django import template
from django.utils.translation import get_language

from tuidang.lib import script as conversion

register = template.Library()


@register.filter(name="script")
def script(value):
    """The text in the script of the page's language; as written on English pages."""
    if not isinstance(value, str):
        return value
    return conversion.to_script(value, get_language())


@register.simple_tag
def original_language() -> str:
    """The `lang` of the text as written, where the page shows it converted."""
    return conversion.original_language(get_language())
