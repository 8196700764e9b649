"""The acceptance path in a real browser: headless Chromium (tests/browser.py), JavaScript off.

Django's test client sends no Origin and no Sec-Fetch-* headers, so it cannot show what a
browser's security headers do to our form posts: under `Referrer-Policy: no-referrer`
Chromium sends `Origin: null` with its form posts, and Django's CSRF check refuses them
(the volunteer sign-in fails first). This test drives the pages the way a reader and a
volunteer do, with forms and links only.
"""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from counts.tasks import rollup_tallies
from statements.models import Statement, Status
from statements.tasks import screen_statements
from tests import factories
from tests.browser import chromium, console_errors, page_text, press, submit_form

# Starts processes of its own: `make test-fast` leaves it out.
pytestmark = pytest.mark.process

PASSWORD = factories.PASSWORD  # the `reviewer` fixture's
NAME = "刘德明"
TEXT = "我自愿声明退出中共和少先队。"


def zh(message: str) -> str:
    """What the public pages (under /zh-hans/) say for `message`."""
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture
def browser(request, tmp_path):
    """One headless Chromium with JavaScript off, for one test; quit when it ends."""
    return chromium(request, tmp_path, javascript=False)


def reload(driver, url: str) -> None:
    """Public pages may be cached for 15-30 s; a reader reloads to see what is new."""
    driver.get(url)
    driver.refresh()


def look_up_receipt(driver, base: str, receipt: str) -> str:
    driver.get(f"{base}/zh-hans/receipt/")
    driver.find_element(By.NAME, "receipt").send_keys(receipt)
    submit_form(driver)
    assert driver.current_url == f"{base}/zh-hans/receipt/"
    return driver.find_element(By.CSS_SELECTOR, "section.result").text


@pytest.mark.django_db(transaction=True)
def test_statement_from_form_to_published_in_a_browser_without_javascript(
    browser, live_server, reviewer
):
    base = live_server.url
    refused = "the browser's form post was refused:\n{}"

    # A reader looks around: no page sets a cookie.
    browser.get(f"{base}/zh-hans/")
    assert browser.find_element(By.CSS_SELECTOR, "p.total").text == "0"
    browser.get(f"{base}/zh-hans/statements/")
    assert zh("No statements have been published yet.") in page_text(browser)

    # An empty form comes back with its errors, and nothing is stored.
    browser.get(f"{base}/zh-hans/submit/")
    submit_form(browser)
    assert browser.current_url == f"{base}/zh-hans/submit/"
    assert browser.find_elements(By.CSS_SELECTOR, ".errorsummary"), refused.format(
        page_text(browser)
    )
    assert browser.find_elements(By.NAME, "name"), "the form is gone after the error"
    assert not Statement.objects.exists()
    # The form with errors is answered 400, which the console reports; nothing else is.
    assert ["(Bad Request)" in error for error in console_errors(browser)] == [True]

    # The filled form is accepted; the done page shows the receipt once.
    browser.find_element(By.NAME, "name").send_keys(NAME)
    browser.find_element(By.NAME, "is_alias").click()
    for organization in ("party", "young_pioneers"):
        browser.find_element(
            By.CSS_SELECTOR, f"input[name=organizations][value={organization}]"
        ).click()
    Select(browser.find_element(By.NAME, "region")).select_by_value("CN-HB")
    browser.find_element(By.NAME, "text").send_keys(TEXT)
    submit_form(browser)
    assert browser.current_url == f"{base}/zh-hans/submit/done/", refused.format(page_text(browser))
    try:
        receipt = browser.find_element(By.CSS_SELECTOR, "p.receipt code").text.strip()
    except NoSuchElementException:
        pytest.fail(f"no receipt on the done page:\n{page_text(browser)}")
    assert re.fullmatch(r"\S{8,}", receipt), receipt
    statement = Statement.objects.by_receipt(receipt).get()
    assert (statement.display_name, statement.is_alias, statement.region) == (NAME, True, "CN-HB")

    browser.refresh()
    assert browser.find_elements(By.TAG_NAME, "code") == []
    assert receipt not in browser.page_source
    assert zh("No receipt to show") in page_text(browser)
    # Asked on the done page, whose path the one-time receipt cookie was scoped to: the
    # page deleted it, and no other page has set one.
    assert browser.get_cookies() == []

    assert look_up_receipt(browser, base, receipt) == zh(
        "Your statement has been received and is waiting for review."
    )

    # Still none after the receipt page.
    assert browser.get_cookies() == []

    screen_statements.apply()
    statement.refresh_from_db()
    assert statement.status == Status.IN_REVIEW

    # A volunteer signs in through the form (Django's CSRF check reads Origin here).
    browser.get(f"{base}/volunteer/login/")
    browser.find_element(By.NAME, "username").send_keys(reviewer.username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit_form(browser)
    # The second step: a code from the reviewer's authenticator.
    browser.find_element(By.NAME, "code").send_keys(factories.totp_code(reviewer))
    submit_form(browser)
    assert browser.current_url == f"{base}/volunteer/", refused.format(page_text(browser))

    # The reviewer claims a batch and decides it with the one form.
    press(browser, browser.find_element(By.CSS_SELECTOR, "form.claim button"))
    assert browser.current_url == f"{base}/volunteer/review/", refused.format(page_text(browser))
    article = browser.find_element(By.XPATH, f"//article[.//bdi[normalize-space()='{NAME}']]")
    article.find_element(By.CSS_SELECTOR, "input[type=radio][value=approve]").click()
    press(browser, browser.find_element(By.CSS_SELECTOR, "form#batch .actions button"))
    assert browser.current_url == f"{base}/volunteer/review/", refused.format(page_text(browser))
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED, refused.format(page_text(browser))
    assert not browser.find_elements(By.CSS_SELECTOR, f'article[data-id="{statement.pk}"]')

    rollup_tallies.apply()

    # Listed, counted, and the receipt says so.
    reload(browser, f"{base}/zh-hans/statements/")
    listed = browser.find_element(
        By.CSS_SELECTOR,
        f'article.statement a[href="/zh-hans/statements/{statement.registration_number}/"]',
    )
    assert listed.text == NAME
    assert TEXT in page_text(browser)
    reload(browser, f"{base}/zh-hans/")
    assert browser.find_element(By.CSS_SELECTOR, "p.total").text == "1"
    with translation.override("zh-hans"):
        published = gettext(
            "Your statement has been published with the registration number %(number)s."
        ) % {"number": statement.registration_display}
    assert look_up_receipt(browser, base, receipt).startswith(published)
    # Every page's stylesheet loaded, and the Content-Security-Policy blocked nothing.
    assert console_errors(browser) == []
