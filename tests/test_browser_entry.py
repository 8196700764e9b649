"""A volunteer's stand in a real browser: headless Chromium (tests/browser.py) with
JavaScript off enters 20 statements in a row in batch mode with the keyboard alone, and
the slip is printed to PDF at A4 and on a 58 mm roll (Chromium's own print engine), then
read back with poppler (pdfinfo, pdftotext; pdftoppm makes PNGs to look at).

SLIP_PDF_DIR=/some/dir keeps the PDFs and PNGs there, to look at when the CSS changes.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from statements import receipts
from statements.models import AuditEvent, Statement
from tests import factories
from tests.browser import WAIT, chromium, console_errors, gone, page_text
from volunteers.roles import Role

pytestmark = pytest.mark.process

ENTRIES = 20
# Chromium's paper sizes are in inches.
A4 = {"paperWidth": 8.27, "paperHeight": 11.69}
ROLL_58MM = {"paperWidth": 58 / 25.4, "paperHeight": 120 / 25.4}


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} not found: install poppler-utils (Debian) to check the slip's PDF"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


def keys(driver, *sequence) -> None:
    """Keys to whatever has the focus, as a person types them."""
    driver.switch_to.active_element.send_keys(*sequence)


def focused_name(driver) -> str:
    return driver.switch_to.active_element.get_attribute("name") or ""


def wait_for_focus(driver, name: str) -> None:
    """The browser applies autofocus once the new page has rendered, a moment after it
    has loaded: wait for it, as a person's next key press would."""
    WebDriverWait(driver, WAIT).until(lambda d: focused_name(d) == name)


def sign_in(driver, base: str, user) -> None:
    driver.get(f"{base}/volunteer/login/")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    password = driver.find_element(By.NAME, "password")
    password.send_keys(factories.PASSWORD)
    password.send_keys(Keys.ENTER)
    WebDriverWait(driver, WAIT).until(gone(password))
    assert urlsplit(driver.current_url).path != "/volunteer/login/", page_text(driver)


def choose_kept_fields(driver) -> None:
    """On the first form, back from the name up to the kept fields: batch mode on, the
    person's language, region and how it came, chosen by typing, then down to the name."""
    keys(driver, Keys.SHIFT, Keys.TAB)
    assert focused_name(driver) == "batch"
    keys(driver, Keys.SPACE)
    keys(driver, Keys.SHIFT, Keys.TAB)
    assert focused_name(driver) == "language"
    keys(driver, "English")
    keys(driver, Keys.SHIFT, Keys.TAB)
    assert focused_name(driver) == "region"
    keys(driver, "Guangdong")
    keys(driver, Keys.SHIFT, Keys.TAB)
    assert focused_name(driver) == "channel"
    keys(driver, "Paper")
    for _ in range(4):
        keys(driver, Keys.TAB)
    assert focused_name(driver) == "name"


def enter_one(driver, n: int) -> str:
    """One entry from the name down, keys only; returns the code on its slip."""
    wait_for_focus(driver, "name")
    keys(driver, f"测试{n}")
    keys(driver, Keys.TAB)  # "This is an alias"
    keys(driver, Keys.TAB)  # the first organization
    keys(driver, Keys.SPACE)
    keys(driver, Keys.TAB, Keys.TAB, Keys.TAB)  # past the other two, to the statement
    assert focused_name(driver) == "text"
    keys(driver, "我自愿退出。")
    keys(driver, Keys.TAB)
    assert focused_name(driver) == "confirmed"
    keys(driver, Keys.SPACE)
    keys(driver, Keys.TAB)
    button = driver.switch_to.active_element
    assert button.get_attribute("type") == "submit"
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, WAIT).until(gone(button))
    assert urlsplit(driver.current_url).path == "/volunteer/enter/slip/", page_text(driver)
    groups = [g.text for g in driver.find_elements(By.CSS_SELECTOR, ".slip .code span")]
    assert len(groups) == 5 and all(re.fullmatch(r"[0-9A-Z]{4}", g) for g in groups), groups
    assert driver.find_elements(By.CSS_SELECTOR, ".slip .qr svg")
    return "-".join(groups)


def print_pdf(driver, paper: dict, path: Path) -> Path:
    result = driver.execute_cdp_cmd(
        "Page.printToPDF", {**paper, "printBackground": False, "preferCSSPageSize": False}
    )
    path.write_bytes(base64.b64decode(result["data"]))
    return path


def pdf_pages(path: Path) -> int:
    info = subprocess.run([poppler("pdfinfo"), path], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        [poppler("pdftotext"), "-layout", path, "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.mark.django_db(transaction=True)
def test_twenty_entries_in_a_row_with_the_keyboard_and_the_slip_prints(
    request, tmp_path, live_server
):
    for tool in ("pdfinfo", "pdftotext", "pdftoppm"):
        poppler(tool)
    volunteer = factories.account("stand-volunteer", role=Role.VOLUNTEER, two_factor=False)
    driver = chromium(request, tmp_path, javascript=False, language="en")
    base = live_server.url
    sign_in(driver, base, volunteer)

    driver.get(f"{base}/volunteer/enter/")
    wait_for_focus(driver, "name")
    choose_kept_fields(driver)
    codes = []
    for n in range(ENTRIES):
        codes.append(enter_one(driver, n))
        text = page_text(driver)
        assert "cannot be printed again" in text
        if n < ENTRIES - 1:
            # The next entry's link has the focus: Enter, and the name is focused again.
            WebDriverWait(driver, WAIT).until(
                lambda d: (d.switch_to.active_element.get_attribute("href") or "").endswith(
                    "/volunteer/enter/"
                )
            )
            link = driver.switch_to.active_element
            keys(driver, Keys.ENTER)
            WebDriverWait(driver, WAIT).until(gone(link))
            assert driver.find_element(By.NAME, "batch").is_selected()
    assert not console_errors(driver)

    stored = Statement.objects.filter(entered_by=volunteer).order_by("id")
    assert stored.count() == ENTRIES
    assert {(s.channel, s.region, s.language) for s in stored} == {("paper", "CN-GD", "en")}
    assert [s.receipt_hash for s in stored] == [receipts.digest(c) for c in codes]
    assert AuditEvent.objects.filter(action="entered", actor=volunteer).count() == ENTRIES

    # The last slip, printed by Chromium at A4 and on a 58 mm roll: one page each, the code
    # readable as text. PNGs of both are made to look at (SLIP_PDF_DIR keeps them).
    out = Path(os.environ.get("SLIP_PDF_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    for name, paper in (("slip-a4", A4), ("slip-58mm", ROLL_58MM)):
        pdf = print_pdf(driver, paper, out / f"{name}.pdf")
        assert pdf_pages(pdf) == 1, name
        text = pdf_text(pdf)
        assert codes[-1].replace("-", "") in "".join(text.split()), (name, text)
        assert "Enter" not in text and "printed again" not in text  # only the slip prints
        subprocess.run(
            [poppler("pdftoppm"), "-png", "-r", "150", "-singlefile", pdf, out / name],
            check=True,
        )
        assert (out / f"{name}.png").stat().st_size > 0

    # Reloading the slip shows no code: it was never stored.
    driver.get(f"{base}/volunteer/enter/slip/")
    assert not driver.find_elements(By.CSS_SELECTOR, ".slip .code span")
    assert "cannot be shown again" in page_text(driver)
