"""A paper batch in a real browser, without JavaScript: a file chosen in the form, the
preview that refuses a bad batch, the fixed one confirmed, and its sheet of slips printed
to an A4 PDF (tests/browser.py has the headless Chromium)."""

from __future__ import annotations

import base64
import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions

from statements.models import Channel, Statement, Status
from tests import factories
from tests.browser import chromium, console_errors, page_text, press
from tests.volunteers.test_paper import BAD, FIXED
from volunteers.models import PaperBatch
from volunteers.roles import Role

# Starts processes of its own: `make test-fast` leaves it out.
pytestmark = pytest.mark.process


def sign_in(driver, base: str, user) -> None:
    driver.get(f"{base}/volunteer/login/")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    press(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert urlsplit(driver.current_url).path != "/volunteer/login/", page_text(driver)


def upload(driver, base: str, path) -> None:
    driver.get(f"{base}/volunteer/paper/")
    driver.find_element(By.NAME, "file").send_keys(str(path))
    press(driver, driver.find_element(By.CSS_SELECTOR, "form.paper-upload button"))


@pytest.mark.django_db(transaction=True)
def test_a_paper_batch_refused_then_confirmed_and_its_slips_printed_on_a4(
    request, tmp_path, live_server
):
    volunteer = factories.account("volunteer", role=Role.VOLUNTEER, two_factor=False)
    browser = chromium(request, tmp_path, javascript=False, language="en")
    base = live_server.url
    sign_in(browser, base, volunteer)

    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD.encode("gb18030"))
    upload(browser, base, bad)
    text = page_text(browser)
    assert "4 rows have errors: this batch cannot be confirmed" in text, text
    assert not browser.find_elements(By.CSS_SELECTOR, "form.paper-confirm")
    press(browser, browser.find_element(By.CSS_SELECTOR, "form.paper-discard button"))
    assert "The batch was discarded; nothing was saved." in page_text(browser)
    assert Statement.objects.count() == 0

    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(FIXED.encode("utf-8-sig"))
    upload(browser, base, fixed)
    assert "5 rows are ready." in page_text(browser)
    press(browser, browser.find_element(By.CSS_SELECTOR, "form.paper-confirm button"))
    slips = browser.find_elements(By.CSS_SELECTOR, ".slip")
    assert len(slips) == 5
    codes = [slip.find_element(By.TAG_NAME, "code").text for slip in slips]
    rows = [slip.find_element(By.CLASS_NAME, "slip-row").text for slip in slips]
    assert rows == ["Row 2", "Row 3", "Row 5", "Row 6", "Row 7"]
    for code in codes:
        statement = Statement.objects.by_receipt(code).get()
        assert (statement.channel, statement.status) == (Channel.PAPER, Status.RECEIVED)
    assert PaperBatch.objects.filter(state=PaperBatch.State.CONFIRMED).count() == 1
    assert console_errors(browser) == []

    # On A4 the five slips fit one page; the screen's bar and headings are not printed.
    a4 = PrintOptions()
    a4.page_width, a4.page_height = 21.0, 29.7
    pdf = base64.b64decode(browser.print_page(a4))
    (tmp_path / "slips.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    assert browser.find_element(By.CSS_SELECTOR, ".no-print").is_displayed()

    # Back on the batch page, the codes are gone for good.
    browser.get(f"{base}/volunteer/paper/{PaperBatch.objects.get(state='confirmed').pk}/")
    assert not any(code in page_text(browser) for code in codes)
