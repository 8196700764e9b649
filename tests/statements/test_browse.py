"""Browsing the published statements: the list's filters (organization, region, day or
month) in the HTML list and the API, their pages, the excerpts and the weight of a page.
(Their query plans: tests/statements/test_public_queries.py.)"""

import gzip
import html
import random
import re
from datetime import date, timedelta
from itertools import product
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils.translation import override

from statements.models import Status
from statements.querysets import LIST_EXCERPT_CHARS
from tests import factories
from tuidang.lib.days import tally_today

DAYS = [date(2025, 2, 27), date(2025, 3, 1), date(2025, 3, 7), date(2025, 3, 31), date(2025, 4, 1)]
REGIONS = ["CN-GD", "CN-BJ", "overseas"]
# Every set of organizations a statement can name.
ORGANIZATION_SETS = [
    tuple(
        org
        for org, chosen in zip(("party", "youth_league", "young_pioneers"), bits, strict=True)
        if chosen
    )
    for bits in product((True, False), repeat=3)
    if any(bits)
]
FILTERS = [
    {},
    {"organization": "party"},
    {"organization": "youth_league"},
    {"organization": "young_pioneers"},
    {"region": "CN-GD"},
    {"region": "overseas"},
    {"day": "2025-03-07"},
    {"month": "2025-03"},
    {"organization": "party", "region": "CN-GD"},
    {"organization": "party", "day": "2025-03-07"},
    {"organization": "young_pioneers", "month": "2025-03"},
    {"region": "CN-BJ", "month": "2025-03"},
    {"region": "overseas", "day": "2025-03-01"},
    {"organization": "youth_league", "region": "CN-BJ", "month": "2025-03"},
    {"organization": "party", "region": "overseas", "day": "2025-04-01"},
]


def url(name, *args, lang="zh-hans"):
    with override(lang):
        return reverse(name, args=args)


def _numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h2><a href="/[a-z-]+/statements/(\d{16})/"', page)]


def _matches(statement, filters: dict) -> bool:
    day = statement.published_day
    return (
        filters.get("organization", statement.organizations[0]) in statement.organizations
        and filters.get("region", statement.region) == statement.region
        and filters.get("day", f"{day:%Y-%m-%d}") == f"{day:%Y-%m-%d}"
        and filters.get("month", f"{day:%Y-%m}") == f"{day:%Y-%m}"
    )


def _newest_first(statements) -> list[int]:
    ordered = sorted(statements, key=lambda s: (s.published_day, s.registration_number))
    return [s.registration_number for s in reversed(ordered)]


@pytest.fixture
def mix(db):
    """Listed statements in every combination of organizations, region and day, and, in
    the same combinations, statements the list must never show: hidden, removed, in
    review."""
    listed = []
    for orgs, region, day in product(ORGANIZATION_SETS, REGIONS, DAYS):
        listed.append(
            factories.published_statement(organizations=orgs, region=region, published_day=day)
        )
    for status, hidden in ((Status.PUBLISHED, True), (Status.REMOVED, False)):
        for orgs, region in product(ORGANIZATION_SETS, REGIONS):
            factories.published_statement(
                organizations=orgs, region=region, published_day=DAYS[2], status=status,
                hidden=hidden,
            )  # fmt: skip
    factories.in_review_statement()
    return listed


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(f.values()) or "none")
def test_each_filter_and_combination_lists_exactly_the_matching_statements(
    client, api, mix, filters
):
    expected = _newest_first(s for s in mix if _matches(s, filters))
    assert expected or filters == {}

    response = client.get(url("statements:list"), filters)
    assert response.status_code == 200
    assert _numbers(response.content.decode()) == expected[:50]
    assert ('rel="next"' in response.content.decode()) == (len(expected) > 50)

    body = api.get(reverse("api:statements"), filters).json()
    assert [int(item["registration_number"]) for item in body["results"]] == expected[:50]
    assert (body["next"] is not None) == (len(expected) > 50)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [{"organization": "party"}, {"region": "CN-GD", "month": "2025-03"}, {"day": "2025-03-05"}],
    ids=lambda f: "-".join(f.values()),
)
def test_a_filtered_list_walks_every_matching_statement_once_forwards_and_back(client, filters):
    rng = random.Random(3)
    rows = [
        factories.published_statement(
            organizations=rng.choice(ORGANIZATION_SETS),
            region=rng.choice(REGIONS),
            # Many statements a day: the registration number orders them within it.
            published_day=date(2025, 3, 1) + timedelta(days=rng.randrange(0, 12, 4)),
        )
        for _ in range(400)
    ]
    expected = _newest_first(s for s in rows if _matches(s, filters))
    assert len(expected) > 100  # three pages at least

    seen, link = [], url("statements:list") + "?" + urlencode(filters)
    while link:
        page = client.get(link).content.decode()
        seen += _numbers(page)
        older = re.search(r'href="\?([^"]+)" rel="next"', page)
        link = url("statements:list") + "?" + html.unescape(older.group(1)) if older else None
        if older:  # the pager keeps the filters
            kept = parse_qs(html.unescape(older.group(1)))
            assert {key: values[0] for key, values in kept.items() if key != "before"} == filters
    assert seen == expected

    back = _numbers(page)
    while newer := re.search(r'href="\?([^"]+)" rel="prev"', page):
        page = client.get(
            url("statements:list") + "?" + html.unescape(newer.group(1))
        ).content.decode()
        back = _numbers(page) + back
    assert back == expected


@pytest.mark.django_db
def test_the_api_walks_a_filtered_list_by_next_and_previous_keeping_the_filters(api):
    rng = random.Random(5)
    rows = [
        factories.published_statement(
            organizations=rng.choice(ORGANIZATION_SETS),
            region=rng.choice(REGIONS),
            published_day=date(2025, 3, 1) + timedelta(days=rng.randrange(0, 60, 5)),
        )
        for _ in range(300)
    ]
    filters = {"organization": "youth_league", "month": "2025-03"}
    expected = [str(n) for n in _newest_first(s for s in rows if _matches(s, filters))]
    assert len(expected) > 50

    seen, body = [], api.get(reverse("api:statements"), filters).json()
    while True:
        seen += [item["registration_number"] for item in body["results"]]
        if not body["next"]:
            break
        query = parse_qs(urlsplit(body["next"]).query)
        assert query["organization"] == ["youth_league"] and query["month"] == ["2025-03"]
        body = api.get(body["next"]).json()
    assert seen == expected

    back = [item["registration_number"] for item in body["results"]]
    while body["previous"]:
        body = api.get(body["previous"]).json()
        back = [item["registration_number"] for item in body["results"]] + back
    assert back == expected


INVALID = [
    ({"organization": "communist"}, "organization"),
    ({"region": "CN-XX"}, "region"),
    ({"day": "2025-02-30"}, "day"),
    ({"day": "yesterday"}, "day"),
    ({"month": "2025-13"}, "month"),
    ({"month": "2025-03-07"}, "month"),
    ({"day": "2025-03-07", "month": "2025-03"}, "month"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("filters", "field"), INVALID, ids=lambda v: str(v))
def test_an_invalid_filter_is_a_400_page_that_says_which(client, filters, field):
    response = client.get(url("statements:list", lang="en"), filters)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert page.count('class="errorlist"') == 1
    assert "These filters cannot be used" in page
    assert '<a href="/en/statements/" class="clear">Clear filters</a>' in page
    assert "Cache-Control" not in response or "public" not in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize(("filters", "field"), INVALID, ids=lambda v: str(v))
def test_an_invalid_filter_is_a_400_in_the_api_keyed_by_field(api, filters, field):
    response = api.get(reverse("api:statements"), filters)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert body[field] and all(isinstance(message, str) for message in body[field])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2025-03-07", date(2025, 3, 7)),
        ("2025/3/7", date(2025, 3, 7)),
        ("2025.03.07", date(2025, 3, 7)),
        ("2025年3月7日", date(2025, 3, 7)),
        ("２０２５－０３－０７", date(2025, 3, 7)),
        (" 2025-3-7 ", date(2025, 3, 7)),
    ],
)
def test_a_day_is_accepted_as_people_type_it_where_there_is_no_date_picker(client, typed, day):
    shown = factories.published_statement(published_day=day)
    factories.published_statement(published_day=day + timedelta(days=1))
    page = client.get(url("statements:list"), {"day": typed}).content.decode()
    assert _numbers(page) == [shown.registration_number]
    assert 'value="2025-03-07"' in page  # shown back as the date input wants it


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["2025-03", "2025/3", "2025年3月", "２０２５－０３"])
def test_a_month_is_accepted_as_people_type_it(client, typed):
    shown = factories.published_statement(published_day=date(2025, 3, 31))
    factories.published_statement(published_day=date(2025, 4, 1))
    factories.published_statement(published_day=date(2025, 2, 28))
    page = client.get(url("statements:list"), {"month": typed}).content.decode()
    assert _numbers(page) == [shown.registration_number]
    assert 'value="2025-03"' in page


@pytest.mark.django_db
def test_the_filter_form_works_without_javascript(client):
    """A plain GET form: selects and text-compatible inputs, the values chosen shown
    again, empty fields (as a browser sends them) meaning no filter."""
    party = factories.published_statement(organizations=("party",), region="CN-GD")
    factories.published_statement(organizations=("young_pioneers",), region="CN-GD")
    factories.published_statement(organizations=("party",), region="CN-BJ")

    blank = client.get(url("statements:list", lang="en")).content.decode()
    form = re.search(
        r'<form method="get" action="/en/statements/" class="filters">.*?</form>', blank, re.S
    ).group(0)
    assert '<select name="organization" id="id_organization">' in form
    assert '<select name="region" id="id_region">' in form
    assert '<option value="CN-GD">Guangdong</option>' in form
    assert 'type="date" name="day"' in form and 'type="month" name="month"' in form
    assert "<script" not in blank
    assert "Clear filters" not in blank

    # What a browser sends when only the organization and region were chosen.
    response = client.get(
        url("statements:list", lang="en"),
        {"organization": "party", "region": "CN-GD", "day": "", "month": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert _numbers(page) == [party.registration_number]
    assert '<option value="party" selected>the Communist Party</option>' in page
    assert '<option value="CN-GD" selected>Guangdong</option>' in page
    assert '<a href="/en/statements/" class="clear">Clear filters</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "heading", "title"),
    [
        (
            "en",
            "Published statements: "
            + (words := "withdrawals from the Communist Party, Guangdong, published in 2025-03"),
            "Statements: " + words,
        ),
        (
            "zh-hans",
            "已发布的声明：退出中国共产党、广东、2025-03 发布",
            "声明：退出中国共产党、广东、2025-03 发布",
        ),
        (
            "zh-hant",
            "已發布的聲明：退出中國共產黨、廣東、2025-03 發布",
            "聲明：退出中國共產黨、廣東、2025-03 發布",
        ),
    ],
)
def test_the_heading_and_title_say_what_the_filters_show(client, lang, heading, title):
    filters = {"organization": "party", "region": "CN-GD", "month": "2025-03"}
    page = client.get(url("statements:list", lang=lang), filters).content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert f"<title>{title} · " in page
    description = re.search(r'<meta name="description" content="([^"]*)">', page).group(1)
    assert "2025-03" in description


@pytest.mark.django_db
def test_a_filter_that_matches_nothing_says_so(client):
    factories.published_statement(organizations=("party",), region="CN-GD")
    page = client.get(url("statements:list", lang="en"), {"region": "CN-BJ"}).content.decode()
    assert _numbers(page) == []
    assert "No published statement matches these filters." in page
    assert "No statements have been published yet." not in page


@pytest.mark.django_db
def test_a_filtered_page_is_one_query(client, api, django_assert_max_num_queries):
    for orgs, region in product(ORGANIZATION_SETS, REGIONS):
        for _ in range(4):
            factories.published_statement(organizations=orgs, region=region, text="退" * 300)
    for filters in (
        {"organization": "party"},
        {"region": "CN-GD"},
        {"organization": "youth_league", "region": "CN-BJ", "month": f"{tally_today():%Y-%m}"},
    ):
        with django_assert_max_num_queries(1):
            response = client.get(url("statements:list"), filters)
        assert response.status_code == 200 and _numbers(response.content.decode())
        with django_assert_max_num_queries(1):
            assert api.get(reverse("api:statements"), filters).status_code == 200


# Excerpts


@pytest.mark.django_db
def test_the_list_shows_the_start_of_a_long_statement_and_its_page_all_of_it(client):
    text = "我声明退出中国共产党及其相关组织。" * 300  # 5,100 characters: cut to the limit
    text = text[:5000]
    long = factories.published_statement(text=text)
    short = factories.published_statement(text="短" * LIST_EXCERPT_CHARS)

    page = client.get(url("statements:list")).content.decode()
    shown = dict(
        re.findall(r'statements/(\d{16})/"><bdi>.*?<p class="text">([^<]*)</p>', page, re.S)
    )
    excerpt = shown[str(long.registration_number)]
    assert excerpt.endswith("…") and len(excerpt) <= LIST_EXCERPT_CHARS
    assert text.startswith(excerpt[:-1])
    assert shown[str(short.registration_number)] == "短" * LIST_EXCERPT_CHARS  # whole: no link
    permalink = url("statements:detail", long.registration_number)
    assert page.count(f'<a href="{permalink}">') == 2  # the name and "read the whole statement"
    assert page.count(url("statements:detail", short.registration_number)) == 1

    detail = client.get(permalink).content.decode()
    assert f'<p class="text">{text}</p>' in detail
    assert "…" not in detail


@pytest.mark.django_db
def test_an_excerpt_keeps_line_breaks_and_is_escaped(client):
    factories.published_statement(text="<b>第一行</b>\n第二行" + "字" * 400)
    page = client.get(url("statements:list")).content.decode()
    assert "&lt;b&gt;第一行&lt;/b&gt;<br>第二行" in page
    assert "<b>第一行" not in page


@pytest.mark.django_db
def test_an_excerpt_is_not_cut_inside_a_character_made_of_several_code_points(client):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji, five code points
    text = "退" * (LIST_EXCERPT_CHARS - 3) + family + "党" * 100
    factories.published_statement(text=text)
    page = client.get(url("statements:list")).content.decode()
    excerpt = re.search(r'<p class="text">([^<]*)</p>', page).group(1)
    assert excerpt == "退" * (LIST_EXCERPT_CHARS - 3) + "…"


def _ideographs(rng: random.Random, n: int) -> str:
    """The worst case for compression: ideographs drawn at random."""
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
@pytest.mark.parametrize(
    "filters", [{}, {"organization": "party", "region": "CN-GD"}], ids=["all", "filtered"]
)
def test_fifty_statements_of_the_greatest_length_weigh_under_60_kb(client, lang, filters):
    """Issue 7: a list page of 50 statements of the greatest length (names of 100
    characters, texts of 5,000, random ideographs, every organization, a number each)
    is under 60 KB transferred, as gzip sends it. Its size before compression is
    reported in the README."""
    rng = random.Random(11)
    for _ in range(51):
        factories.published_statement(
            organizations=("party", "youth_league", "young_pioneers"),
            region="CN-GD",
            display_name=_ideographs(rng, 100),
            text=_ideographs(rng, 5000),
            is_alias=True,
        )
    response = client.get(url("statements:list", lang=lang), filters)
    body = response.content
    assert response.status_code == 200
    assert body.decode().count('<article class="statement">') == 50
    assert 'rel="next"' in body.decode()
    assert len(gzip.compress(body, compresslevel=6)) < 60_000, (len(body), lang)
