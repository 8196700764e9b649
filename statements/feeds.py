"""The Atom feed of new statements, one per language (/<lang>/statements/feed/)."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from statements import registration
from statements.models import Statement
from tuidang.lib.days import tally_zone

FEED_SIZE = 50
# The year the feed's entry ids were first minted (a tag URI names one): never change it,
# or every reader sees every statement again as new.
TAG_YEAR = 2026


def _tag_host() -> str:
    """The authority of the feed's tag URIs: the public site's host name, which does not
    change with the host a reader used or the language asked for."""
    return urlsplit(settings.PUBLIC_SITE_URL).hostname or "localhost"


class StatementAtomFeed(Atom1Feed):
    """Atom with each statement's text as its entry's content (Django writes a summary,
    and only as HTML)."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "text"})


class LatestStatements(Feed):
    """The newest FEED_SIZE listed statements, newest first.

    Each entry is known by a tag URI of its registration number on PUBLIC_SITE_URL's
    host: the same entry in every language's feed and through every mirror, so a reader
    that switches never sees a statement twice. Its time is its day of publication
    (midnight in TALLY_TIME_ZONE), never the moment: that stays internal. Links are
    absolute, as Atom needs, on the host the reader used (a mirror's own).
    """

    feed_type = StatementAtomFeed

    def title(self) -> str:
        return f"{_('Published statements')} · {_('Tuidang')}"

    def subtitle(self) -> str:
        return _(
            "Statements of withdrawal from the Chinese Communist Party, the Communist Youth "
            "League and the Young Pioneers, newest first, each published after a volunteer "
            "read it."
        )

    def link(self) -> str:
        return reverse("statements:list")

    def feed_url(self) -> str:
        return reverse("statements:feed")

    def feed_guid(self) -> str:
        return f"tag:{_tag_host()},{TAG_YEAR}:statements:{get_language()}"

    def items(self) -> list[Statement]:
        return Statement.objects.listed().page(size=FEED_SIZE).rows

    def item_title(self, statement: Statement) -> str:
        if statement.is_alias:
            return f"{statement.display_name} {_('(alias)')}"
        return statement.display_name

    def item_description(self, statement: Statement) -> None:
        # Django's default is str(item), which holds the internal id; the text goes in
        # <content> instead.
        return None

    def item_link(self, statement: Statement) -> str:
        return reverse("statements:detail", args=[statement.registration_number])

    def item_guid(self, statement: Statement) -> str:
        number = f"{statement.registration_number:0{registration.DIGITS}d}"
        return f"tag:{_tag_host()},{TAG_YEAR}:statement:{number}"

    def item_author_name(self, statement: Statement) -> str:
        return statement.display_name

    def item_pubdate(self, statement: Statement) -> datetime:
        return datetime.combine(statement.published_day, time.min, tzinfo=tally_zone())

    def item_updateddate(self, statement: Statement) -> datetime:
        return self.item_pubdate(statement)

    def item_extra_kwargs(self, statement: Statement) -> dict:
        return {"content": statement.text}
