"""A reader browsing the published statements in a real browser: headless Chromium
(tests/browser.py) with JavaScript off, in each language. From the home page to the
list, through its pages, narrowed with the filter form (the filters kept from page to
page and back), the filters cleared, and a registration number typed as it is printed
(with its spaces) into the search box, which leads to that statement's page. No page
holds a script, and the browser is left with no cookie.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from statements.models import Statement
from statements.querysets import PUBLISHED_PAGE_SIZE
from tests import factories
from tests.browser import chromium, console_errors, page_text, press
from tuidang.lib.days import tally_today, tally_zone

pytestmark = pytest.mark.process

STATEMENTS = 120  # three pages of PUBLISHED_PAGE_SIZE (50)
DAYS = 6
# The filters a reader chooses, and the statements seeded around them: half match (some
# left two organizations), the rest miss by the organization or by the region only.
ORGANIZATION, ORGANIZATION_LABEL = "youth_league", "the Communist Youth League"
REGION, REGION_LABEL = "CN-SC", "Sichuan"
KINDS = [
    (("youth_league",), REGION),
    (("party",), REGION),
    (("party", "youth_league"), REGION),
    (("youth_league", "young_pioneers"), "CN-BJ"),
]


def say(message: str, lang: str) -> str:
    with translation.override(lang):
        return gettext(message)


def seed() -> tuple[list[int], list[int]]:
    """The statements, spread over DAYS days; their numbers in the list's order (newest
    first), all of them and those the filters match."""
    # Noon of yesterday in the tally time zone: in the past, and two hours either side of
    # it stay on their day whenever the test runs.
    noon = datetime.combine(tally_today() - timedelta(days=1), time(12), tzinfo=tally_zone())
    for i in range(STATEMENTS):
        organizations, region = KINDS[i % len(KINDS)]
        factories.published_statement(
            published_at=noon - timedelta(days=i % DAYS, minutes=i),
            organizations=organizations,
            region=region,
        )
    newest_first = Statement.objects.listed().order_by("-published_day", "-registration_number")
    every = list(newest_first.values_list("registration_number", flat=True))
    matching = list(
        newest_first.filter(region=REGION, left_youth_league=True).values_list(
            "registration_number", flat=True
        )
    )
    assert len(every) == STATEMENTS
    assert PUBLISHED_PAGE_SIZE < len(matching) < 2 * PUBLISHED_PAGE_SIZE
    assert len({d for d in newest_first.values_list("published_day", flat=True)}) == DAYS
    return every, matching


def shown(driver, lang: str) -> list[int]:
    """The registration numbers of the statements on the page, in its order; and the page,
    like every public page, works with no script at all."""
    assert driver.find_elements(By.TAG_NAME, "script") == []
    prefix = f"/{lang}/statements/"
    numbers = []
    for link in driver.find_elements(By.CSS_SELECTOR, "article.statement h2 a"):
        path = link.get_attribute("pathname")
        assert path.startswith(prefix) and path.endswith("/"), path
        numbers.append(int(path.removeprefix(prefix).strip("/")))
    return numbers


def follow(driver, text: str, rel: str | None = None) -> None:
    """Follow the link that says `text` (and is marked `rel`, when given)."""
    links = driver.find_elements(By.LINK_TEXT, text)
    assert len(links) == 1, (text, page_text(driver))
    if rel is not None:
        assert links[0].get_attribute("rel") == rel
    press(driver, links[0])


def filters_chosen(driver) -> tuple[str, str]:
    form = driver.find_element(By.CSS_SELECTOR, "form.filters")
    return tuple(  # type: ignore[return-value]
        Select(form.find_element(By.NAME, name)).first_selected_option.get_attribute("value")
        for name in ("organization", "region")
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_a_reader_pages_filters_and_finds_a_number_without_javascript(
    request, tmp_path, live_server, lang
):
    every, matching = seed()
    driver = chromium(request, tmp_path, javascript=False, language=lang)
    base = live_server.url
    older, newer = say("Older statements", lang), say("Newer statements", lang)

    # From the home page to the list: the newest fifty, then the next, then the last.
    driver.get(f"{base}/{lang}/")
    assert driver.find_elements(By.TAG_NAME, "script") == []
    follow(driver, say("All statements", lang))
    assert driver.current_url == f"{base}/{lang}/statements/"
    assert shown(driver, lang) == every[:PUBLISHED_PAGE_SIZE]
    assert not driver.find_elements(By.CSS_SELECTOR, ".pager a[rel=prev]")
    follow(driver, older, rel="next")
    assert shown(driver, lang) == every[PUBLISHED_PAGE_SIZE : 2 * PUBLISHED_PAGE_SIZE]
    follow(driver, older, rel="next")
    assert shown(driver, lang) == every[2 * PUBLISHED_PAGE_SIZE :]
    assert not driver.find_elements(By.CSS_SELECTOR, ".pager a[rel=next]")

    # Narrowed with the filter form, by the labels a reader sees.
    form = driver.find_element(By.CSS_SELECTOR, "form.filters")
    Select(form.find_element(By.NAME, "organization")).select_by_visible_text(
        say(ORGANIZATION_LABEL, lang)
    )
    Select(form.find_element(By.NAME, "region")).select_by_visible_text(say(REGION_LABEL, lang))
    press(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert driver.current_url.startswith(f"{base}/{lang}/statements/?")
    assert shown(driver, lang) == matching[:PUBLISHED_PAGE_SIZE]
    heading = driver.find_element(By.TAG_NAME, "h1").text
    assert say(REGION_LABEL, lang) in heading and say(ORGANIZATION_LABEL, lang) in heading
    assert filters_chosen(driver) == (ORGANIZATION, REGION)

    # Older and back to newer, with the filters kept.
    follow(driver, older, rel="next")
    assert shown(driver, lang) == matching[PUBLISHED_PAGE_SIZE:]
    assert filters_chosen(driver) == (ORGANIZATION, REGION)
    assert not driver.find_elements(By.CSS_SELECTOR, ".pager a[rel=next]")
    follow(driver, newer, rel="prev")
    assert shown(driver, lang) == matching[:PUBLISHED_PAGE_SIZE]
    assert filters_chosen(driver) == (ORGANIZATION, REGION)
    assert not driver.find_elements(By.CSS_SELECTOR, ".pager a[rel=prev]")

    # Cleared: the whole list again.
    follow(driver, say("Clear filters", lang))
    assert driver.current_url == f"{base}/{lang}/statements/"
    assert shown(driver, lang) == every[:PUBLISHED_PAGE_SIZE]
    assert filters_chosen(driver) == ("", "")

    # A number typed as printed, spaces and all (an old one, on no page seen just now).
    statement = Statement.objects.get(registration_number=every[-1])
    number = statement.registration_display
    assert " " in number
    search = driver.find_element(By.CSS_SELECTOR, "form.search")
    search.find_element(By.NAME, "number").send_keys(number)
    press(driver, search.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert driver.current_url == f"{base}/{lang}/statements/{statement.registration_number}/"
    assert driver.find_elements(By.TAG_NAME, "script") == []
    assert number in driver.find_element(By.CSS_SELECTOR, "article.statement .number").text

    assert driver.get_cookies() == []
    assert console_errors(driver) == []
