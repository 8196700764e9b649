"""The submitter in control, in a real browser: headless Chromium (tests/browser.py) with
JavaScript off, in each language. A statement is sent with the form, looked up with its
receipt code, published (by the review service), hidden, shown again, and its
certificate printed to PDF at A4 by Chromium's own print engine and read back with
poppler; another is retracted through its confirmation. No page sets a cookie, and the
code is in no address the browser visits.

CERTIFICATE_PDF_DIR=/some/dir keeps the PDFs and PNGs there, to look at when the CSS
changes.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from statements import receipts, services
from statements.models import Statement, Status
from tests import factories
from tests.browser import chromium, console_errors, page_text, press, submit_form
from tests.test_browser_entry import A4, pdf_pages, pdf_text, poppler, print_pdf

pytestmark = pytest.mark.process

NAME = "林静"


def say(message: str, lang: str) -> str:
    with translation.override(lang):
        return gettext(message)


def press_action(driver, lang: str, action: str) -> None:
    """Press the button of the receipt page's form that posts to `action`."""
    form = driver.find_element(By.CSS_SELECTOR, f'form[action="/{lang}/{action}"]')
    press(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def look_up(driver, base: str, lang: str, code: str) -> str:
    driver.get(f"{base}/{lang}/receipt/")
    driver.find_element(By.NAME, "receipt").send_keys(code)
    submit_form(driver)
    return driver.find_element(By.CSS_SELECTOR, "section.result").text


def assert_private(driver, code: str) -> None:
    """Nothing a submitter does here leaves a cookie or puts the code in an address."""
    assert driver.get_cookies() == []
    url = driver.current_url.upper()
    assert receipts.normalize(code) not in url.replace("-", "")
    assert code not in url


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_a_submitter_checks_hides_shows_prints_and_retracts_without_javascript(
    request, tmp_path, live_server, reviewer, lang
):
    for tool in ("pdfinfo", "pdftotext", "pdftoppm"):
        poppler(tool)
    driver = chromium(request, tmp_path, javascript=False, language=lang)
    base = live_server.url

    # The statement, sent with the form.
    driver.get(f"{base}/{lang}/submit/")
    driver.find_element(By.NAME, "name").send_keys(NAME)
    driver.find_element(By.NAME, "is_alias").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=organizations][value=party]").click()
    Select(driver.find_element(By.NAME, "region")).select_by_value("CN-SC")
    submit_form(driver)
    assert driver.current_url == f"{base}/{lang}/submit/done/", page_text(driver)
    code = driver.find_element(By.CSS_SELECTOR, "p.receipt code").text.strip()
    statement = Statement.objects.by_receipt(code).get()

    # Looked up while it waits.
    assert look_up(driver, base, lang, code) == say(
        "Your statement has been received and is waiting for review.", lang
    )
    assert driver.current_url == f"{base}/{lang}/receipt/"
    assert_private(driver, code)

    # Published by a reviewer; the lookup gives its number and its page.
    services.screen_received()
    factories.approve(statement, reviewer=reviewer)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    number = statement.registration_display
    assert number in look_up(driver, base, lang, code)
    permalink = f"/{lang}/statements/{statement.registration_number}/"
    assert driver.find_elements(By.CSS_SELECTOR, f'section.result a[href="{permalink}"]')

    # Hidden: off its page, still published.
    press_action(driver, lang, "receipt/hide/")
    assert say(
        "Your statement is now hidden from the public list. It still counts in the tallies.", lang
    ) in page_text(driver)
    assert_private(driver, code)
    statement.refresh_from_db()
    assert (statement.status, statement.hidden) == (Status.PUBLISHED, True)
    driver.get(f"{base}{permalink}")
    driver.refresh()  # past any copy the browser kept
    assert say("Page not found", lang) in page_text(driver)

    # Shown again.
    look_up(driver, base, lang, code)
    press_action(driver, lang, "receipt/unhide/")
    assert say("Your statement is on the public list again.", lang) in page_text(driver)
    assert not Statement.objects.get(pk=statement.pk).hidden
    driver.get(f"{base}{permalink}")
    driver.refresh()
    assert NAME in page_text(driver)

    # The certificate, printed at A4 by Chromium: one page, the number and the name.
    look_up(driver, base, lang, code)
    press_action(driver, lang, "receipt/certificate/")
    assert_private(driver, code)
    certificate = driver.find_element(By.CSS_SELECTOR, "article.certificate").text
    assert NAME in certificate and number in certificate
    assert "Certificate of withdrawal" in certificate
    out = Path(os.environ.get("CERTIFICATE_PDF_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    pdf = print_pdf(driver, A4, out / f"certificate-{lang}.pdf")
    assert pdf_pages(pdf) == 1
    # Read back as text: the number and the English; CI's Chromium may have no Chinese
    # font, so the Chinese is checked on the page above, not in the PDF.
    text = pdf_text(pdf)
    assert statement.registration_display.replace(" ", "") in "".join(text.split()), text
    assert "Certificate of withdrawal" in text
    assert "Ctrl+P" not in text  # only the certificate prints, not the hint
    subprocess.run(
        [poppler("pdftoppm"), "-png", "-r", "100", "-singlefile", pdf, out / f"certificate-{lang}"],
        check=True,
    )

    # Another statement, retracted through its confirmation.
    other = factories.submission(language=lang)
    look_up(driver, base, lang, other.receipt)
    press_action(driver, lang, "receipt/retract/")
    assert say("This is final.", lang) in page_text(driver)
    assert Statement.objects.get(pk=other.statement.pk).status == Status.RECEIVED
    press(driver, driver.find_element(By.CSS_SELECTOR, "button[name=retract]"))
    assert say("Your statement has been retracted.", lang) in page_text(driver)
    assert_private(driver, other.receipt)
    assert Statement.objects.get(pk=other.statement.pk).status == Status.RETRACTED

    # Only the hidden statement's page answered 404; nothing else went wrong.
    errors = [e for e in console_errors(driver) if not re.search(r"\b404\b", e)]
    assert errors == []
