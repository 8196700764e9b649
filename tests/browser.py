"""Headless Chromium for the browser tests (tests/test_browser*.py), and the few moves
they share: press a button and wait for the next page, read the page's text.

Debian's `chromium` and `chromium-driver` only (.ci/run installs them), never a browser
or driver that a tool downloads. Without them a test is skipped with a reason, or fails
when CI is set: a browser test must never pass by not running.
"""

from __future__ import annotations

import os

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# What a browser set to each of the site's languages sends as Accept-Language: the
# region tags people's browsers really use, which Django maps to zh-hans and zh-hant.
ACCEPT_LANGUAGE = {
    "zh-hans": "zh-CN,zh",
    "zh-hant": "zh-TW,zh",
    "en": "en-US,en",
}
WAIT = 15  # seconds: generous for a loaded 2-core machine; waits end at the first tick


def chromium(request, tmp_path, *, javascript: bool, language: str | None = None):
    """One headless Chromium for one test, quit when the test ends: JavaScript on or off
    (and checked to be so), Accept-Language for `language` (a code of settings.LANGUAGES)
    when given, and the console kept so a test can see CSP reports and script errors."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        reason = (
            f"{' and '.join(missing)} not found: install the browser with "
            "`apt-get install chromium chromium-driver` (Debian) to run the browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(reason)

    options = Options()
    options.binary_location = CHROMIUM  # never a browser that a tool downloads
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    prefs: dict = {}
    if not javascript:
        options.add_argument("--blink-settings=scriptEnabled=false")
        prefs["profile.managed_default_content_settings.javascript"] = 2
    if language is not None:
        accept = ACCEPT_LANGUAGE[language]
        options.add_argument(f"--lang={accept.split(',')[0]}")
        prefs["intl.accept_languages"] = accept
    if prefs:
        options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which downloads drivers) is not used.
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    request.addfinalizer(driver.quit)
    driver.set_page_load_timeout(30)

    # JavaScript is really on or off: only with it off does the browser show <noscript>.
    driver.get("data:text/html;charset=utf-8,<noscript><p id=n>off</p></noscript>")
    off = [p for p in driver.find_elements(By.ID, "n") if p.is_displayed()]
    if javascript:
        assert not off, "JavaScript is off in the browser: the test must run with it on"
    else:
        assert off, "JavaScript is on in the browser: the test must run with it off"
    return driver


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def gone(element):
    """A wait condition: `element`'s page has been replaced. Like Selenium's
    staleness_of, but also when chromedriver answers, mid-navigation, that the node
    "does not belong to the document" (the old one) rather than that it is stale."""

    def predicate(_driver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in (error.msg or ""):
                return True
            raise
        return False

    return predicate


def press(driver, button) -> None:
    """Click a form's button and wait for the page it leads to (often at the same URL)."""
    button.click()
    WebDriverWait(driver, WAIT).until(gone(button))


def submit_form(driver) -> None:
    """Press the page's one form button in <main>, as a reader does."""
    press(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def console_errors(driver) -> list[str]:
    """What the page logged as errors since the last call: a script that threw, a
    resource or script the Content-Security-Policy blocked, a failed request. The
    favicon's 404 (there is none, on purpose) is not one."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]
