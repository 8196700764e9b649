import html

from django.conf import settings
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pages.validators import validate_page_html

BODY_HELP = _(
    "HTML: paragraphs (p), headings (h2, h3), lists (ul, ol, li), links (a href), strong "
    "and em; nothing else is accepted. Readers see a change within two minutes (public "
    "pages are cached briefly)."
)


class InfoPage(models.Model):
    """One of the site's information pages, in each language the site speaks, side by
    side (like the rejection reasons), so no language can be missing. The set is fixed,
    each page with its own URL (pages/urls.py): coordinators edit the pages, nobody adds
    or deletes one. The migration that creates the table fills in the first text."""

    class Slug(models.TextChoices):
        SAFETY = "safety", _("How to stay safe")
        COUNTING = "counting", _("What the counts mean")
        ABOUT = "about", _("About this site")

    slug = models.SlugField(_("page"), max_length=20, unique=True, choices=Slug.choices)
    title_zh_hans = models.CharField(_("title (Simplified Chinese)"), max_length=200)
    body_zh_hans = models.TextField(
        _("text (Simplified Chinese)"), help_text=BODY_HELP, validators=[validate_page_html]
    )
    title_zh_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200)
    body_zh_hant = models.TextField(
        _("text (Traditional Chinese)"), help_text=BODY_HELP, validators=[validate_page_html]
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_en = models.TextField(
        _("text (English)"), help_text=BODY_HELP, validators=[validate_page_html]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")

    def __str__(self) -> str:
        return str(self.get_slug_display())

    def _suffix(self) -> str:
        language = (get_language() or settings.LANGUAGE_CODE).lower()
        if language.startswith("en"):
            return "en"
        if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
            return "zh_hant"
        return "zh_hans"

    @property
    def title(self) -> str:
        """The title in the active language."""
        return getattr(self, f"title_{self._suffix()}")

    @property
    def body(self) -> str:
        """The text (HTML) in the active language."""
        return getattr(self, f"body_{self._suffix()}")

    @property
    def description(self) -> str:
        """The start of the text, without markup: the page's meta description."""
        words = " ".join(html.unescape(strip_tags(self.body)).split())
        return words if len(words) <= 160 else words[:159] + "…"
