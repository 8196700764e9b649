"""What an information page's HTML may hold.

Coordinators write these pages and are trusted; the defence against a script on a
public page is the Content-Security-Policy (no inline script, nothing from another
origin: see CONTENT_SECURITY_POLICY in the settings), which holds whatever is stored.
This check only keeps the pages to plain text markup, so a slip (a pasted widget, an
embedded image from another site, a form) is refused when saved rather than silently
broken by the policy, and so a stolen coordinator account cannot add a redirect
(<meta http-equiv="refresh">), which the policy does not stop. It refuses; it never
rewrites: what is stored is what was checked.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_BLOCKS = {"p", "br", "hr", "h2", "h3", "h4", "blockquote"}
_LISTS = {"ul", "ol", "li", "dl", "dt", "dd"}
_INLINE = {"a", "abbr", "b", "code", "em", "i", "kbd", "small", "strong"}
ALLOWED_TAGS = frozenset(_BLOCKS | _LISTS | _INLINE)
# On every allowed tag (`id` lets a page link to its own sections), and per tag.
GLOBAL_ATTRIBUTES = frozenset({"id", "lang", "dir"})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href", "hreflang"}), "abbr": frozenset({"title"})}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refused: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag not in ALLOWED_TAGS:
            self.refused.append(f"<{tag}>")
            return
        allowed = GLOBAL_ATTRIBUTES | ALLOWED_ATTRIBUTES.get(tag, frozenset())
        for name, value in attrs:
            if name not in allowed:
                self.refused.append(f"<{tag} {name}>")
            elif name == "href" and not _safe_link(value or ""):
                self.refused.append(f'<a href="{value}">')

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_decl(self, decl) -> None:
        self.refused.append(f"<!{decl}>")

    def unknown_decl(self, data) -> None:
        self.refused.append(f"<![{data}]>")

    def handle_pi(self, data) -> None:
        self.refused.append(f"<?{data}>")


def _safe_link(href: str) -> bool:
    """A link within the site (a path or a #section) or to a web or mail address."""
    href = href.strip()
    if href.startswith("#") or (href.startswith("/") and not href.startswith("//")):
        return True
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return parts.scheme.lower() in LINK_SCHEMES and (parts.scheme == "mailto" or parts.netloc)


def validate_page_html(value: str) -> None:
    checker = _Checker()
    checker.feed(value)
    checker.close()
    if checker.refused:
        raise ValidationError(
            _("Not allowed on an information page: %(parts)s. Use text, headings, lists and links.")
            % {"parts": ", ".join(dict.fromkeys(checker.refused))},
            code="markup",
        )
