"""The Atom feed of new statements (/<lang>/statements/feed/)."""

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from statements.feeds import FEED_SIZE
from statements.models import Status
from tests import factories
from tuidang.lib.days import tally_zone

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGUAGES = ("zh-hans", "zh-hant", "en")


def feed_url(lang: str) -> str:
    with translation.override(lang):
        return reverse("statements:feed")


def parse(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - our own feed


def fetch(client, lang: str = "en", **extra) -> ET.Element:
    return parse(client.get(feed_url(lang), **extra))


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def text(element: ET.Element, tag: str) -> str:
    return element.find(f"{ATOM}{tag}").text


def on(day: date, hour: int):
    return datetime.combine(day, time(hour, 17, 23), tzinfo=tally_zone())


@pytest.mark.django_db
def test_the_feed_holds_the_newest_listed_statements_newest_first(client):
    oldest = factories.published_statement(published_at=on(date(2026, 1, 1), 9))
    made = [
        factories.published_statement(published_at=on(date(2026, 2, 1 + n % 28), 9))
        for n in range(FEED_SIZE)
    ]
    hidden = factories.published_statement(published_at=on(date(2026, 3, 1), 9), hidden=True)
    removed = factories.published_statement(
        published_at=on(date(2026, 3, 1), 9), status=Status.REMOVED
    )

    feed = fetch(client)

    numbers = [text(entry, "id").rsplit(":", 1)[1] for entry in entries(feed)]
    expected = sorted(made, key=lambda s: (s.published_day, s.registration_number), reverse=True)
    assert numbers == [f"{s.registration_number:016d}" for s in expected]
    for absent in (oldest, hidden, removed):
        assert f"{absent.registration_number:016d}" not in numbers


@pytest.mark.django_db
def test_an_entry_is_the_statement_by_its_number_and_day_and_nothing_else(client, settings):
    settings.PUBLIC_SITE_URL = "https://tuidang.example"
    statement = factories.published_statement(
        published_at=on(date(2026, 11, 23), 22),
        text="我声明退出共产党。\n第二行 <b>",
        is_alias=True,
    )
    number = f"{statement.registration_number:016d}"

    response = client.get(feed_url("en"))
    feed = parse(response)
    (entry,) = entries(feed)

    assert text(feed, "id") == "tag:tuidang.example,2026:statements:en"
    assert text(entry, "id") == f"tag:tuidang.example,2026:statement:{number}"
    assert text(entry, "title") == f"{statement.display_name} (alias)"
    link = entry.find(f"{ATOM}link")
    assert link.get("href") == f"http://testserver/en/statements/{number}/"
    # The day of publication, at midnight where the tallies count it: never the moment.
    assert text(entry, "updated") == "2026-11-23T00:00:00+08:00"
    assert text(entry, "published") == "2026-11-23T00:00:00+08:00"
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "text"
    assert content.text == "我声明退出共产党。\n第二行 <b>"
    assert entry.find(f"{ATOM}summary") is None
    assert text(entry.find(f"{ATOM}author"), "name") == statement.display_name
    # The internal id and the moment of publication appear nowhere.
    body = response.content.decode()
    assert f"#{statement.pk} " not in body
    assert "22:17" not in body and "14:17" not in body
    assert re.findall(r"T(\d\d:\d\d:\d\d)", body) == ["00:00:00"] * len(
        re.findall(r"T\d\d:\d\d:\d\d", body)
    )


@pytest.mark.django_db
def test_each_language_has_its_feed_with_the_same_entry_ids(client):
    factories.published_statement(is_alias=True)
    ids = set()
    for lang in LANGUAGES:
        feed = fetch(client, lang)
        with translation.override(lang):
            title = f"{gettext('Published statements')} · {gettext('Tuidang')}"
            alias = gettext("(alias)")
        assert feed.get(XML_LANG) == lang
        assert text(feed, "title") == title
        assert text(feed, "subtitle")
        (entry,) = entries(feed)
        assert text(entry, "title").endswith(alias)
        assert entry.find(f"{ATOM}link").get("href").startswith(f"http://testserver/{lang}/")
        ids.add(text(entry, "id"))
        links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        assert links["self"] == f"http://testserver{feed_url(lang)}"
    # A reader who switches language does not see the statement again as new.
    assert len(ids) == 1
    titles = set()
    for lang in LANGUAGES:
        titles.add(text(fetch(client, lang), "subtitle"))
    assert len(titles) == 3


@pytest.mark.django_db
def test_feed_links_use_the_host_the_reader_used(client, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    statement = factories.published_statement()
    feed = fetch(client, "zh-hant", HTTP_HOST="mirror.example")
    (entry,) = entries(feed)
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://mirror.example/zh-hant/statements/{statement.registration_number:016d}/"
    )


@pytest.mark.django_db
def test_an_empty_feed_is_still_a_feed(client):
    feed = fetch(client, "zh-hans")
    assert entries(feed) == []
    assert text(feed, "title")


@pytest.mark.django_db
def test_the_feed_is_a_public_read(client):
    factories.published_statement()
    response = client.get(feed_url("en"))
    assert "public" in response["Cache-Control"] and "max-age=15" in response["Cache-Control"]
    again = client.get(feed_url("en"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert not response.cookies
    assert client.post(feed_url("en")).status_code == 405


@pytest.mark.django_db
def test_the_list_page_announces_its_feed(client):
    for lang in LANGUAGES:
        with translation.override(lang):
            html = client.get(reverse("statements:list")).content.decode()
        head = html.split("</head>")[0]
        assert f'<link rel="alternate" type="application/atom+xml" href="{feed_url(lang)}"' in head
        # And a link a reader can see, for browsers that no longer show feeds.
        body = html.split("<body>")[1]
        assert f'href="{feed_url(lang)}"' in body
