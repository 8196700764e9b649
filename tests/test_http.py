"""What shared caches, crawlers, Tor Browser and mirrors see of the public side: cache
headers and 304s on public reads, robots.txt and favicon.ico, a description per page,
Onion-Location, and links that keep working behind another host."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation

from counts.tasks import rollup_tallies
from tests import factories
from tuidang.lib.env import env_onion_origin
from tuidang.lib.script import to_script

LANGUAGES = ("zh-hans", "zh-hant", "en")
ONION = "http://tuidangexampleexampleexampleexampleexampleexampleexamp.onion"


def url_in(lang: str, name: str, *args) -> str:
    with translation.override(lang):
        return reverse(name, args=args)


def public_reads(statement) -> list[str]:
    """Every public read: the pages that show published rows and tallies, and the API."""
    pages = [
        url
        for lang in LANGUAGES
        for url in (
            url_in(lang, "counts:home"),
            url_in(lang, "statements:list"),
            url_in(lang, "statements:detail", statement.registration_number),
            url_in(lang, "pages:safety"),
            url_in(lang, "pages:counting"),
            url_in(lang, "pages:about"),
        )
    ]
    return [
        *pages,
        reverse("api:statements"),
        reverse("api:statement_detail", args=[statement.registration_number]),
        reverse("api:tallies"),
        reverse("api:tallies_daily"),
    ]


def public_pages(statement) -> list[str]:
    """Every public HTML page, the uncached forms and receipt pages included."""
    return [
        url
        for lang in LANGUAGES
        for url in (
            url_in(lang, "counts:home"),
            url_in(lang, "statements:list"),
            url_in(lang, "statements:detail", statement.registration_number),
            url_in(lang, "statements:submit"),
            url_in(lang, "statements:submit_done"),
            url_in(lang, "statements:receipt"),
            url_in(lang, "pages:safety"),
            url_in(lang, "pages:counting"),
            url_in(lang, "pages:about"),
        )
    ]


def cache_directives(response) -> dict[str, str | None]:
    directives = {}
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value or None
    return directives


def vary(response) -> set[str]:
    return {field.strip().lower() for field in response.get("Vary", "").split(",") if field.strip()}


@pytest.fixture
def statement(reviewer):
    published = factories.approved_statement(reviewer=reviewer)
    rollup_tallies.apply()
    return published


# --- Caching -----------------------------------------------------------------------------


def test_public_reads_live_as_long_as_the_rollup_interval():
    interval = settings.CELERY_BEAT_SCHEDULE["rollup-tallies"]["schedule"].total_seconds()
    assert settings.PUBLIC_CACHE_MAX_AGE == int(interval) == 15


@pytest.mark.django_db
def test_public_reads_may_be_kept_by_shared_caches_for_one_rollup_interval(client, statement):
    for url in public_reads(statement):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = cache_directives(response)
        assert "public" in directives, url
        assert directives["max-age"] == str(settings.PUBLIC_CACHE_MAX_AGE), url
        assert int(directives["stale-while-revalidate"]) > 0, url
        assert int(directives["stale-if-error"]) >= 3600, url
        assert not {"private", "no-store", "no-cache"} & directives.keys(), url
        assert response["ETag"], url


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["statements:list", "api:statements", "api:tallies"])
def test_a_reader_who_holds_the_current_copy_gets_304_with_the_cache_headers(
    client, statement, name
):
    url = url_in("en", name)
    first = client.get(url)
    for etag in (first["ETag"], f"W/{first['ETag']}"):  # a gzipping proxy weakens ETags
        for method in (client.get, client.head):
            again = method(url, HTTP_IF_NONE_MATCH=etag)
            assert again.status_code == 304, (url, etag, method)
            assert again.content == b""
            assert again["ETag"] == first["ETag"]
            assert again["Cache-Control"] == first["Cache-Control"]
            assert again.get("Vary") == first.get("Vary")
            assert not again.cookies


@pytest.mark.django_db
def test_a_new_publication_changes_the_etag_so_readers_get_the_new_page(
    client, reviewer, statement
):
    urls = [url_in("en", "counts:home"), url_in("en", "statements:list"), reverse("api:tallies")]
    before = {url: client.get(url)["ETag"] for url in urls}

    factories.approved_statement(reviewer=reviewer)
    rollup_tallies.apply()

    for url in urls:
        response = client.get(url, HTTP_IF_NONE_MATCH=before[url])
        assert response.status_code == 200, url
        assert response["ETag"] != before[url], url


@pytest.mark.django_db
def test_public_reads_never_vary_on_cookies(client, statement):
    client.cookies["unrelated"] = "a cookie some other site on this host set"
    for url in [*public_reads(statement), *public_pages(statement)]:
        assert "cookie" not in vary(client.get(url)), url


@pytest.mark.django_db
def test_only_answers_whose_words_depend_on_the_language_vary_on_it(client, statement):
    # The /<lang>/ pages carry their language in the path.
    for url in public_pages(statement):
        assert "accept-language" not in vary(client.get(url)), url

    # Each statement's "url" is its page in the requested language.
    english = client.get(reverse("api:statements"), HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(reverse("api:statements"), HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert vary(english) == vary(chinese) == {"accept-language"}
    assert english.json()["results"][0]["url"].startswith("/en/")
    assert chinese.json()["results"][0]["url"].startswith("/zh-hant/")
    assert vary(
        client.get(reverse("api:statement_detail", args=[statement.registration_number]))
    ) == {"accept-language"}

    # Tallies are numbers and days: one body for every language, so one cached copy.
    for name in ("api:tallies", "api:tallies_daily"):
        english = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en")
        chinese = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-CN")
        assert english.content == chinese.content
        assert english["ETag"] == chinese["ETag"]
        assert "Vary" not in english, name
        assert "Content-Language" not in english, name


@pytest.mark.django_db
def test_the_root_redirect_still_follows_accept_language_and_is_not_shared(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-TW")
    assert response.status_code == 302
    assert response["Location"] == "/zh-hant/"
    assert "accept-language" in vary(response)
    assert "public" not in cache_directives(response)
    assert "ETag" not in response


@pytest.mark.django_db
def test_forms_receipts_and_errors_stay_out_of_caches(client, api, statement):
    for lang in LANGUAGES:
        for name in ("statements:submit", "statements:submit_done", "statements:receipt"):
            response = client.get(url_in(lang, name))
            assert "no-store" in cache_directives(response), name
            assert "public" not in cache_directives(response), name
            assert "ETag" not in response, name
    for response in (
        client.get(url_in("en", "statements:detail", 4000000000000002)),  # 404
        client.get(url_in("en", "statements:list"), {"before": "junk"}),  # 400
        client.get(reverse("api:tallies_daily"), {"days": "0"}),  # 400
    ):
        assert response.status_code in (400, 404)
        assert "public" not in cache_directives(response)
        assert "ETag" not in response


@pytest.mark.django_db
def test_answers_to_posts_are_never_cached(client, api):
    form = {"name": "王五", "organizations": ["party"], "region": "CN-GD"}
    answers = [
        client.post(url_in("en", "statements:submit"), form),
        api.post(reverse("api:statements"), form, format="json"),
        api.post(reverse("api:receipt_lookup"), {"receipt": "X" * 20}, format="json"),
        client.post(url_in("en", "statements:receipt"), {"receipt": "X" * 20}),
    ]
    for response in answers:
        assert "public" not in cache_directives(response), response.status_code
        assert "ETag" not in response
        assert "Onion-Location" not in response


VOLUNTEER_PAGES = [
    "volunteers:review_queue",
    "volunteers:review",
    "volunteers:dashboard",
    "volunteers:account",
    "volunteers:callbacks",
    "volunteers:enter",
    "volunteers:paper_upload",
    "volunteers:team",
]


@pytest.mark.django_db
def test_volunteer_pages_carry_no_cache_headers_of_the_public_side(client, coordinator):
    login = client.get(reverse("volunteers:login"))
    factories.sign_in(client, coordinator)
    responses = [login] + [client.get(reverse(name)) for name in VOLUNTEER_PAGES]
    for name, response in zip(["volunteers:login", *VOLUNTEER_PAGES], responses, strict=True):
        assert response.status_code == 200, name
        directives = cache_directives(response)
        assert "public" not in directives, name
        assert not {"stale-while-revalidate", "stale-if-error"} & directives.keys(), name
        assert "ETag" not in response, name
        assert "Last-Modified" not in response, name
    again = client.get(reverse("volunteers:dashboard"), HTTP_IF_NONE_MATCH="*")
    assert again.status_code == 200


# --- Reach -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_robots_txt_opens_the_public_side_and_closes_the_volunteer_area_and_the_api(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    rules = [
        line.split("#")[0].strip()
        for line in b"".join(response.streaming_content).decode().splitlines()
    ]
    disallowed = [rule.split(":", 1)[1].strip() for rule in rules if rule.startswith("Disallow:")]
    assert "User-agent: *" in rules
    assert sorted(disallowed) == ["/api/", "/volunteer/"]
    # The rules name the prefixes the URLs really have.
    assert reverse("volunteers:login").startswith("/volunteer/")
    assert reverse("api:tallies").startswith("/api/")
    for lang in LANGUAGES:
        assert not any(url_in(lang, "counts:home").startswith(rule) for rule in disallowed)
    assert int(cache_directives(response)["max-age"]) >= 3600
    assert not response.cookies


@pytest.mark.django_db
def test_favicon_is_a_small_icon_of_our_own_kept_for_long(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO directory
    assert len(body) < 2048
    directives = cache_directives(response)
    assert "public" in directives
    assert int(directives["max-age"]) >= 24 * 60 * 60
    assert not response.cookies
    assert client.get("/favicon.ico", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def description(html: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1
    return found[0]


@pytest.mark.django_db
def test_each_public_page_describes_itself_in_its_own_language(client, statement):
    descriptions = {}
    for lang in LANGUAGES:
        for name, args in [
            ("counts:home", ()),
            ("statements:list", ()),
            ("statements:detail", (statement.registration_number,)),
            ("statements:submit", ()),
            ("statements:submit_done", ()),
            ("statements:receipt", ()),
        ]:
            text = description(client.get(url_in(lang, name, *args)).content.decode())
            assert len(text) > 10, (lang, name)
            has_han = re.search(r"[\u4e00-\u9fff]", text) is not None
            assert has_han == (lang != "en") or name == "statements:detail", (lang, name)
            descriptions[lang, name] = text
    for lang in LANGUAGES:
        per_page = [text for (page_lang, _), text in descriptions.items() if page_lang == lang]
        assert len(set(per_page)) == len(per_page), lang  # each page its own
        # The name in the page's script (tuidang.lib.script), as the page shows it.
        assert to_script(statement.display_name, lang) in descriptions[lang, "statements:detail"]
    assert "中國共產黨" in descriptions["zh-hant", "counts:home"]
    assert "中国共产党" in descriptions["zh-hans", "counts:home"]
    assert "Communist Party" in descriptions["en", "counts:home"]


@pytest.mark.django_db
def test_onion_location_names_the_same_page_on_the_onion_service(client, settings, statement):
    settings.ONION_ORIGIN = ONION
    for url in public_pages(statement):
        assert client.get(url)["Onion-Location"] == ONION + url
    listing = url_in("en", "statements:list") + "?before=abc"
    assert client.get(listing)["Onion-Location"] == ONION + listing
    for url in (reverse("api:tallies"), reverse("volunteers:login"), "/robots.txt"):
        assert "Onion-Location" not in client.get(url), url


@pytest.mark.django_db
def test_no_onion_location_without_an_onion_service(client, settings, statement):
    settings.ONION_ORIGIN = ""
    for url in public_pages(statement):
        assert "Onion-Location" not in client.get(url), url


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("", ""),
        (f"{ONION}/", ONION),
        ("https://abc.onion", "https://abc.onion"),
    ],
)
def test_an_onion_origin_is_read_from_the_environment(monkeypatch, value, origin):
    monkeypatch.setenv("ONION_ORIGIN", value)
    assert env_onion_origin("ONION_ORIGIN") == origin


@pytest.mark.parametrize(
    "value",
    ["tuidang.example", "https://tuidang.example", f"{ONION}/en/", "ftp://abc.onion", "abc.onion"],
)
def test_anything_but_an_onion_origin_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("ONION_ORIGIN", value)
    with pytest.raises(ImproperlyConfigured, match="ONION_ORIGIN"):
        env_onion_origin("ONION_ORIGIN")


@pytest.mark.django_db
def test_public_pages_link_to_each_other_without_naming_a_host(client, statement):
    # A mirror serves these pages under its own host: every link must stay on it.
    missing = url_in("en", "statements:detail", 4000000000000002)
    for url in [*public_pages(statement), missing]:
        html = client.get(url, HTTP_HOST="testserver").content.decode()
        refs = re.findall(r"""\b(?:href|action|src)\s*=\s*["']?([^"'\s>]*)""", html)
        assert refs, url
        absolute = [ref for ref in refs if ref.lower().startswith(("http:", "https:", "//"))]
        assert absolute == [], url
        assert "testserver" not in html, url
