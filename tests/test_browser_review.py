"""A reviewer's and a coordinator's day in a real browser: headless Chromium
(tests/browser.py), JavaScript on and off, in each of the site's languages.

The test client cannot show what only a browser does: send Origin and the cookies as
scoped and flagged, enforce the Content-Security-Policy, run review.js against the real
page, follow Accept-Language. These tests sign in through the forms, work through a
batch as a reviewer does (and with the keyboard, with no page reload per statement), and
do a coordinator's rounds, checking the database after each step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.urls import resolve
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext, ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from counts.services import rollup_review_figures
from statements import review
from statements.models import AuditEvent, Flag, RejectionReason, ReviewLease, Statement, Status
from tests import factories
from tests.browser import WAIT, chromium, console_errors, gone, page_text, press
from volunteers import workspace
from volunteers.models import AccountEvent
from volunteers.roles import Role, role_of
from volunteers.services import setup_tokens

# Starts processes of its own: `make test-fast` leaves it out.
pytestmark = pytest.mark.process

LANGUAGES = ["zh-hans", "zh-hant", "en"]
MASK = review.MASK
PHONE_TEXT = "我自愿退出中共。有事请打我的电话13812345678。"
ADDRESS = "科技园路1号"
ADDRESS_TEXT = f"我自愿退出共青团。我住在深圳市南山区{ADDRESS}。"
EMAIL = "someone@example.org"
EMAIL_TEXT = f"我自愿退出少先队。联系我：{EMAIL}"
COPY_NAME = "王小明"
COPY_TEXT = "我自愿退出中共及其一切组织。"
OVERRIDE = "号码是公开的求助热线"


# --- What the pages say, in the language the browser asks for --------------------------------
def say(language: str, message, **values) -> str:
    """`message` (a msgid, or a lazy label such as a choice's) as `language` has it."""
    with translation.override(language):
        text = str(message) if isinstance(message, Promise) else gettext(message)
    return text % values if values else text


def say_n(language: str, singular: str, plural: str, n: int) -> str:
    with translation.override(language):
        return ngettext(singular, plural, n) % {"n": n}


def shown_messages(driver) -> list[str]:
    return [li.text for li in driver.find_elements(By.CSS_SELECTOR, "ul.messages li")]


def assert_language(driver, language: str) -> None:
    """The page is in `language`: <html lang> says so, and in Chinese no heading, label
    or button is left in English (a string not marked for translation, or missing)."""
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
    if language == "en":
        return
    parts = driver.find_elements(
        By.CSS_SELECTOR, "main h1, main h2, main legend, main label, main dt, main thead th, button"
    )
    english = [p.text for p in parts if re.search(r"[A-Za-z]{2}", p.text)]
    assert english == [], f"not in {language}: {english}"


# --- Setup -----------------------------------------------------------------------------------
@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture
def reason(db):
    """A reason from the coordinators' list, with its own label in each language."""
    reason, _created = RejectionReason.objects.update_or_create(
        code="not-a-statement",
        defaults={
            "label_zh_hans": "不是退出声明",
            "label_zh_hant": "不是退出聲明",
            "label_en": "Not a withdrawal statement",
            "is_active": True,
        },
    )
    return reason


def label_of(reason: RejectionReason, language: str) -> str:
    with translation.override(language):
        return reason.label


@dataclass
class Batch:
    """A reviewer's batch, in queue order."""

    publish_1: Statement
    publish_2: Statement
    decline: Statement
    skip: Statement
    phone: Statement  # blocked: a phone number
    copy_1: Statement
    copy_2: Statement  # the same statement again: flagged as a copy
    address: Statement  # blocked: a street address, to be masked
    plain: Statement
    email: Statement  # blocked: left for the next reviewer

    @property
    def all(self) -> list[Statement]:
        return list(vars(self).values())


@pytest.fixture
def batch(db) -> Batch:
    made = Batch(
        publish_1=factories.in_review_statement(),
        publish_2=factories.in_review_statement(),
        decline=factories.in_review_statement(),
        skip=factories.in_review_statement(),
        phone=factories.in_review_statement(text=PHONE_TEXT),
        copy_1=factories.in_review_statement(display_name=COPY_NAME, text=COPY_TEXT),
        copy_2=factories.in_review_statement(display_name=COPY_NAME, text=COPY_TEXT),
        address=factories.in_review_statement(text=ADDRESS_TEXT),
        plain=factories.in_review_statement(),
        email=factories.in_review_statement(text=EMAIL_TEXT),
    )
    assert made.phone.screening_flags == [Flag.CONTACT_NUMBER]
    assert made.copy_1.screening_flags == []
    assert made.copy_2.screening_flags == [Flag.DUPLICATE]
    assert made.address.screening_flags == [Flag.STREET_ADDRESS]
    assert made.email.screening_flags == [Flag.EMAIL]
    return made


def status_of(*statements: Statement) -> list[str]:
    by_id = dict(
        Statement.objects.filter(pk__in=[s.pk for s in statements]).values_list("pk", "status")
    )
    return [by_id[s.pk] for s in statements]


def actions_on(statement: Statement) -> list[str]:
    return list(
        AuditEvent.objects.filter(statement=statement)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )


def sign_in(driver, base: str, language: str, user, second_factor: str) -> None:
    """Through the two forms: password, then the code from the authenticator (or a
    recovery code). Lands on the volunteer home."""
    driver.get(f"{base}/volunteer/login/")
    assert_language(driver, language)
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    press(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert urlsplit(driver.current_url).path == "/volunteer/login/code/", page_text(driver)
    assert_language(driver, language)
    driver.find_element(By.NAME, "code").send_keys(second_factor)
    press(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    assert driver.current_url == f"{base}/volunteer/", page_text(driver)


def row(driver, statement: Statement):
    return driver.find_element(By.ID, f"statement-{statement.pk}")


def choose(driver, statement: Statement, choice: str) -> None:
    row(driver, statement).find_element(
        By.CSS_SELECTOR, f"input[type=radio][value='{choice}']"
    ).click()


def send_decisions(driver) -> None:
    press(driver, driver.find_element(By.CSS_SELECTOR, "form#batch .actions button"))


def button(scope, label: str):
    """The button in `scope` (an element, or the driver: <main>) that reads `label`, as
    a person finds it."""
    if not hasattr(scope, "tag_name"):
        scope = scope.find_element(By.TAG_NAME, "main")
    for candidate in scope.find_elements(By.TAG_NAME, "button"):
        if candidate.text.strip() == label:
            return candidate
    raise AssertionError(f"no button {label!r} in:\n{scope.text}")


def claim_batch(driver, base: str, language: str, batch: Batch, reviewer) -> ReviewLease:
    assert_language(driver, language)
    assert say(language, "You hold no batch of statements.") in page_text(driver)
    press(driver, button(driver, say(language, "Claim a batch")))
    assert driver.current_url == f"{base}/volunteer/review/", page_text(driver)
    lease = review.live_lease(reviewer=reviewer)
    assert lease is not None
    held = Statement.objects.filter(lease=lease, status=Status.IN_REVIEW)
    assert set(held.values_list("pk", flat=True)) == {s.pk for s in batch.all}
    shown = [a.get_attribute("data-id") for a in driver.find_elements(By.CSS_SELECTOR, "article")]
    assert shown == [str(s.pk) for s in batch.all]
    assert AccountEvent.objects.filter(
        subject=reviewer, action=AccountEvent.Action.CLAIMED
    ).exists()

    # In the browser's language: the controls, the flags, the reasons, the copies.
    assert_language(driver, language)
    text = page_text(driver)
    for message in ("Review", "Publish", "Decline", "Send decisions", "Characters to mask"):
        assert say(language, message) in text, message
    flagged = [
        (batch.phone, Flag.CONTACT_NUMBER),
        (batch.address, Flag.STREET_ADDRESS),
        (batch.email, Flag.EMAIL),
        (batch.copy_2, Flag.DUPLICATE),
    ]
    for statement, flag in flagged:
        assert say(language, flag.label) in row(driver, statement).text, flag
    copies = say_n(language, "%(n)s copy waiting for review", "%(n)s copies waiting for review", 2)
    assert copies in row(driver, batch.copy_1).text
    options = Select(row(driver, batch.decline).find_element(By.TAG_NAME, "select")).options
    assert label_of(RejectionReason.objects.get(code="not-a-statement"), language) in [
        o.text for o in options
    ]
    return lease


# --- A reviewer's day, without JavaScript -----------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_reviewers_day_without_javascript(
    request, tmp_path, live_server, language, reviewer, reason, batch
):
    browser = chromium(request, tmp_path, javascript=False, language=language)
    base = live_server.url
    sign_in(browser, base, language, reviewer, factories.totp_code(reviewer))
    lease = claim_batch(browser, base, language, batch, reviewer)
    # Without JavaScript the page says nothing about keys.
    assert not browser.find_element(By.ID, "review-keys").is_displayed()

    # One send: publish two, decline one with a reason and a note, skip one, and try to
    # publish the one with a phone number without saying why.
    choose(browser, batch.publish_1, "approve")
    choose(browser, batch.publish_2, "approve")
    choose(browser, batch.decline, "reject")
    Select(row(browser, batch.decline).find_element(By.TAG_NAME, "select")).select_by_value(
        str(reason.pk)
    )
    row(browser, batch.decline).find_element(By.NAME, f"{batch.decline.pk}-note").send_keys("广告")
    choose(browser, batch.skip, "skip")
    choose(browser, batch.phone, "approve")
    send_decisions(browser)
    assert browser.current_url == f"{base}/volunteer/review/"
    assert shown_messages(browser) == [
        say_n(language, "%(n)s statement published.", "%(n)s statements published.", 2),
        say_n(language, "%(n)s statement declined.", "%(n)s statements declined.", 1),
        say_n(language, "%(n)s statement skipped.", "%(n)s statements skipped.", 1),
        say(
            language,
            "#%(id)s was not decided: %(why)s.",
            id=batch.phone.pk,
            why=say(
                language,
                "it contains personal details: mask them or give a reason to publish anyway",
            ),
        ),
    ]
    assert status_of(batch.publish_1, batch.publish_2, batch.decline, batch.skip, batch.phone) == [
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.REJECTED,
        Status.IN_REVIEW,
        Status.IN_REVIEW,
    ]
    declined = Statement.objects.get(pk=batch.decline.pk)
    assert (declined.rejection_id, declined.rejection_reason) == (reason.pk, "广告")
    assert actions_on(batch.publish_1)[-1] == AuditEvent.Action.APPROVED
    assert actions_on(batch.decline)[-1] == AuditEvent.Action.REJECTED
    assert actions_on(batch.skip)[-1] == AuditEvent.Action.SKIPPED
    assert Statement.objects.get(pk=batch.skip.pk).lease_id is None  # behind the queue
    assert actions_on(batch.phone) == [AuditEvent.Action.SCREENED]
    # Decided and skipped statements leave the page; the refused one stays.
    ids = {a.get_attribute("data-id") for a in browser.find_elements(By.CSS_SELECTOR, "article")}
    assert ids == {
        str(s.pk)
        for s in (batch.phone, batch.copy_1, batch.copy_2, batch.address, batch.plain, batch.email)
    }

    # The phone number is published only with a written reason.
    choose(browser, batch.phone, "approve")
    row(browser, batch.phone).find_element(By.NAME, f"{batch.phone.pk}-override").send_keys(
        OVERRIDE
    )
    send_decisions(browser)
    assert shown_messages(browser) == [
        say_n(language, "%(n)s statement published.", "%(n)s statements published.", 1)
    ]
    approval = AuditEvent.objects.get(statement=batch.phone, action=AuditEvent.Action.APPROVED)
    assert (approval.reason, approval.detail) == (OVERRIDE, {"override": [Flag.CONTACT_NUMBER]})

    # The street address is masked by typing it: the statement is screened again.
    address = row(browser, batch.address)
    address.find_element(By.NAME, "characters").send_keys(ADDRESS)
    press(browser, address.find_element(By.CSS_SELECTOR, ".mask button"))
    assert shown_messages(browser) == [
        say(language, "#%(id)s: masked and screened again.", id=batch.address.pk)
    ]
    masked = Statement.objects.get(pk=batch.address.pk)
    assert masked.text == ADDRESS_TEXT.replace(ADDRESS, MASK * len(ADDRESS))
    assert masked.screening_flags == []
    assert MASK * len(ADDRESS) in row(browser, batch.address).text
    redaction = AuditEvent.objects.get(statement=batch.address, action=AuditEvent.Action.REDACTED)
    start = ADDRESS_TEXT.index(ADDRESS)
    assert redaction.detail == {"field": "text", "spans": [[start, start + len(ADDRESS)]]}
    assert ADDRESS not in str(redaction.detail) + redaction.reason

    # Undo: the first statement published goes back into this batch.
    undo_first(browser, language, batch.publish_1)
    assert status_of(batch.publish_1) == [Status.IN_REVIEW]
    assert Statement.objects.get(pk=batch.publish_1.pk).lease_id == lease.pk
    assert row(browser, batch.publish_1).is_displayed()

    # The two copies are declined together.
    copy = row(browser, batch.copy_1)
    Select(copy.find_element(By.TAG_NAME, "select")).select_by_value(str(reason.pk))
    press(browser, copy.find_element(By.CSS_SELECTOR, "button[name=cluster]"))
    assert shown_messages(browser) == [
        say_n(language, "%(n)s copy declined.", "%(n)s copies declined.", 2)
    ]
    assert status_of(batch.copy_1, batch.copy_2) == [Status.REJECTED, Status.REJECTED]

    # Publish every statement without flags: the undone one, the masked one, the plain
    # one. The one with an email address is left.
    press(browser, button(browser, say(language, "Publish every statement without flags")))
    assert shown_messages(browser) == [
        say_n(language, "%(n)s statement published.", "%(n)s statements published.", 3),
        say_n(
            language,
            "%(n)s flagged statement was left for you to decide.",
            "%(n)s flagged statements were left for you to decide.",
            1,
        ),
    ]
    assert status_of(batch.publish_1, batch.address, batch.plain, batch.email) == [
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.IN_REVIEW,
    ]

    # The rest goes back to the queue.
    press(browser, button(browser, say(language, "Give the rest back to the queue")))
    assert shown_messages(browser) == [say(language, "Your batch went back to the queue.")]
    assert say(language, "You hold no batch of statements.") in page_text(browser)
    assert Statement.objects.get(pk=batch.email.pk).lease_id is None
    lease.refresh_from_db()
    assert lease.end == ReviewLease.End.RELEASED
    assert AccountEvent.objects.filter(
        subject=reviewer, action=AccountEvent.Action.RELEASED
    ).exists()
    assert console_errors(browser) == []


def undo_first(driver, language: str, statement: Statement) -> None:
    """Press Undo on the statement in "Your decisions of the last few minutes"."""
    item = driver.find_element(
        By.XPATH, f"//ul[@class='recent']/li[a[@href='/volunteer/statements/{statement.pk}/']]"
    )
    press(driver, item.find_element(By.TAG_NAME, "button"))
    assert shown_messages(driver) == [say(language, "#%(id)s is back in review.", id=statement.pk)]
    assert actions_on(statement)[-1] == AuditEvent.Action.REOPENED


# --- A reviewer's day, with the keyboard ------------------------------------------------------
def keys(driver, *sequence: str) -> None:
    """Type keys as the reviewer does, into whatever has the focus."""
    ActionChains(driver).send_keys(*sequence).perform()


def wait_until(driver, condition, what: str) -> None:
    """Wait for `condition`; if it never comes, fail saying `what` and what the console
    logged (read only then: reading the console empties it)."""
    try:
        WebDriverWait(driver, WAIT).until(condition)
    except TimeoutException:
        pytest.fail(f"{what}; console: {console_errors(driver)}")


def wait_for_result(driver, statement: Statement, expected: str) -> None:
    def shown(d):
        return row(d, statement).find_element(By.CSS_SELECTOR, ".result").text == expected

    wait_until(driver, shown, f"#{statement.pk} does not show {expected!r}")


def select_text(driver, element, characters: str) -> None:
    """Select `characters` in `element`'s text, as a reviewer does with the mouse."""
    driver.execute_script(
        """
        const text = arguments[0].firstChild;
        const start = text.data.indexOf(arguments[1]);
        const range = document.createRange();
        range.setStart(text, start);
        range.setEnd(text, start + arguments[1].length);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
        """,
        element,
        characters,
    )
    assert driver.execute_script("return window.getSelection().toString()") == characters


def current(driver) -> str:
    return driver.find_element(By.CSS_SELECTOR, "article.current").get_attribute("data-id")


@pytest.mark.django_db(transaction=True)
def test_a_reviewers_day_with_the_keyboard(
    request, tmp_path, live_server, language, reviewer, reason, batch
):
    browser = chromium(request, tmp_path, javascript=True, language=language)
    base = live_server.url
    sign_in(browser, base, language, reviewer, factories.totp_code(reviewer))
    lease = claim_batch(browser, base, language, batch, reviewer)
    # The script runs: it shows the keys and starts on the first statement.
    wait_until(
        browser, lambda d: d.find_element(By.ID, "review-keys").is_displayed(), "no keys shown"
    )
    assert current(browser) == str(batch.publish_1.pk)
    # Set on this page; a reload would lose it.
    browser.execute_script("window.sameReviewPage = true;")

    published, declined = say(language, "Published"), say(language, "Declined")
    # A quick reviewer: two statements published with two keys in a row, the second
    # pressed before the first answer is back.
    keys(browser, "a", "a")
    wait_for_result(browser, batch.publish_1, published)
    wait_for_result(browser, batch.publish_2, published)
    assert status_of(batch.publish_1, batch.publish_2) == [Status.PUBLISHED, Status.PUBLISHED]

    # r: decline with a reason, chosen in the list it focuses; Enter there sends it.
    assert current(browser) == str(batch.decline.pk)
    keys(browser, "r")
    select = row(browser, batch.decline).find_element(By.TAG_NAME, "select")
    assert browser.switch_to.active_element == select
    select.send_keys(Keys.ENTER)  # no reason yet: refused, and the reviewer stays here
    wait_for_result(browser, batch.decline, say(language, "Choose a reason to decline."))
    assert browser.switch_to.active_element == select
    assert status_of(batch.decline) == [Status.IN_REVIEW]
    Select(select).select_by_value(str(reason.pk))
    select.send_keys(Keys.ENTER)
    wait_for_result(browser, batch.decline, declined)
    assert status_of(batch.decline) == [Status.REJECTED]
    assert Statement.objects.get(pk=batch.decline.pk).rejection_id == reason.pk

    # j past the one to skip; the phone number is refused without a written reason...
    assert current(browser) == str(batch.skip.pk)
    keys(browser, "j")
    assert current(browser) == str(batch.phone.pk)
    keys(browser, "a")
    wait_for_result(
        browser,
        batch.phone,
        say(language, "it contains personal details: mask them or give a reason to publish anyway"),
    )
    assert status_of(batch.phone) == [Status.IN_REVIEW]
    assert current(browser) == str(batch.phone.pk)
    # ... and published with one (typed in its field; then back to the statement).
    phone = row(browser, batch.phone)
    phone.find_element(By.NAME, f"{batch.phone.pk}-override").send_keys(OVERRIDE)
    phone.find_element(By.CSS_SELECTOR, ".meta").click()
    keys(browser, "a")
    wait_for_result(browser, batch.phone, published)
    approval = AuditEvent.objects.get(statement=batch.phone, action=AuditEvent.Action.APPROVED)
    assert approval.reason == OVERRIDE

    # x masks the selected characters, wherever the focus is.
    assert current(browser) == str(batch.copy_1.pk)
    address = row(browser, batch.address)
    select_text(browser, address.find_element(By.CSS_SELECTOR, ".text"), ADDRESS)
    keys(browser, "x")
    masked_text = ADDRESS_TEXT.replace(ADDRESS, MASK * len(ADDRESS))
    wait_until(
        browser,
        lambda d: row(d, batch.address).find_element(By.CSS_SELECTOR, ".text").text == masked_text,
        "not masked on the page",
    )
    address = row(browser, batch.address)
    assert address.find_elements(By.CSS_SELECTOR, ".flags li") == []
    assert "blocked" not in address.get_attribute("class")
    masked = Statement.objects.get(pk=batch.address.pk)
    assert (masked.text, masked.screening_flags) == (masked_text, [])
    assert actions_on(batch.address)[-1] == AuditEvent.Action.REDACTED

    # j and k move; the masked statement is published without an override now.
    keys(browser, "j", "j", "j")
    assert current(browser) == str(batch.plain.pk)
    keys(browser, "k")
    assert current(browser) == str(batch.address.pk)
    keys(browser, "a")
    wait_for_result(browser, batch.address, published)
    assert AuditEvent.objects.get(statement=batch.address, action="approved").reason == ""

    # Back past the decided ones (the focus moved on to the next undecided) to the
    # first copy, and decline it alone.
    assert current(browser) == str(batch.plain.pk)
    keys(browser, "k", "k", "k")
    assert current(browser) == str(batch.copy_1.pk)
    keys(browser, "r")
    select = row(browser, batch.copy_1).find_element(By.TAG_NAME, "select")
    Select(select).select_by_value(str(reason.pk))
    select.send_keys(Keys.ENTER)
    wait_for_result(browser, batch.copy_1, declined)

    # All of it without a page load.
    assert browser.execute_script("return window.sameReviewPage === true;")
    assert status_of(
        batch.publish_1, batch.publish_2, batch.decline, batch.phone, batch.address, batch.copy_1
    ) == [
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.REJECTED,
        Status.PUBLISHED,
        Status.PUBLISHED,
        Status.REJECTED,
    ]
    assert status_of(batch.skip, batch.copy_2, batch.plain, batch.email) == [Status.IN_REVIEW] * 4
    assert console_errors(browser) == []

    # On a statement's own page, x masks too (and the page reloads to show its history).
    press(browser, row(browser, batch.email).find_element(By.CSS_SELECTOR, "h2 a"))
    assert browser.current_url == f"{base}/volunteer/statements/{batch.email.pk}/"
    assert_language(browser, language)
    select_text(browser, browser.find_element(By.CSS_SELECTOR, "main p.text"), EMAIL)
    text = browser.find_element(By.CSS_SELECTOR, "main p.text")
    keys(browser, "x")
    wait_until(browser, gone(text), "the statement page did not reload")
    masked_text = EMAIL_TEXT.replace(EMAIL, MASK * len(EMAIL))
    assert browser.find_element(By.CSS_SELECTOR, "main p.text").text == masked_text
    assert say(language, "Text masked") in page_text(browser)
    assert Statement.objects.get(pk=batch.email.pk).screening_flags == []
    assert actions_on(batch.email)[-1] == AuditEvent.Action.REDACTED
    press(browser, browser.find_element(By.LINK_TEXT, say(language, "Review")))

    # Enter sends the form: the skip chosen on its row, and nothing decided twice.
    choose(browser, batch.skip, "skip")
    skip = row(browser, batch.skip)
    skip.find_element(By.CSS_SELECTOR, ".meta").click()
    keys(browser, Keys.ENTER)
    wait_until(browser, gone(skip), "Enter did not send the form")
    assert shown_messages(browser) == [
        say_n(language, "%(n)s statement skipped.", "%(n)s statements skipped.", 1)
    ]
    assert actions_on(batch.skip)[-1] == AuditEvent.Action.SKIPPED
    assert status_of(batch.skip) == [Status.IN_REVIEW]

    # After the reload, the decisions made with keys are listed; undo one.
    listed = browser.find_elements(By.CSS_SELECTOR, "ul.recent li > a")
    assert {a.text for a in listed} == {
        f"#{s.pk}"
        for s in (
            batch.publish_1,
            batch.publish_2,
            batch.decline,
            batch.phone,
            batch.address,
            batch.copy_1,
        )
    }
    undo_first(browser, language, batch.publish_2)
    assert status_of(batch.publish_2) == [Status.IN_REVIEW]
    assert row(browser, batch.publish_2).is_displayed()

    press(browser, button(browser, say(language, "Give the rest back to the queue")))
    assert shown_messages(browser) == [say(language, "Your batch went back to the queue.")]
    lease.refresh_from_db()
    assert lease.end == ReviewLease.End.RELEASED
    left = Statement.objects.filter(
        pk__in=[s.pk for s in (batch.publish_2, batch.copy_2, batch.plain, batch.email)]
    )
    assert {(s.status, s.lease_id) for s in left} == {(Status.IN_REVIEW, None)}
    assert console_errors(browser) == []


# --- A coordinator's day ----------------------------------------------------------------------
RECOVERY_CODE = "abcd2345"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_a_coordinators_day(
    request, tmp_path, live_server, language, javascript, coordinator, reviewer, other_reviewer
):
    # Yesterday's work, today: one published, one declined by the reviewer; three waiting,
    # two of them in another reviewer's batch.
    published = factories.approved_statement(reviewer=reviewer)
    factories.reject(factories.in_review_statement(), reviewer=reviewer)
    factories.in_review_statement(text=PHONE_TEXT)
    factories.in_review_statement()
    factories.in_review_statement()
    held = workspace.claim(reviewer=other_reviewer, size=2)
    assert Statement.objects.filter(lease=held).count() == 2
    rollup_review_figures()
    recovery = StaticDevice.objects.create(user=coordinator, name="recovery", confirmed=True)
    recovery.token_set.create(token=RECOVERY_CODE)

    browser = chromium(request, tmp_path, javascript=javascript, language=language)
    base = live_server.url

    # Signs in with a recovery code (the phone is at home); it works once.
    sign_in(browser, base, language, coordinator, "ABCD-2345")
    assert not StaticToken.objects.filter(device=recovery).exists()
    assert AccountEvent.objects.filter(
        subject=coordinator, action=AccountEvent.Action.RECOVERY_CODE_USED
    ).exists()

    # The dashboard, reached from the bar.
    press(browser, browser.find_element(By.LINK_TEXT, say(language, "Coordinator dashboard")))
    assert browser.current_url == f"{base}/volunteer/dashboard/"
    assert_language(browser, language)
    figures = {
        div.find_element(By.TAG_NAME, "dt").text: div.find_element(By.TAG_NAME, "dd").text
        for div in browser.find_elements(By.CSS_SELECTOR, "dl.figures div")
    }
    assert figures[say(language, "Waiting for review")] == "3"
    assert figures[say(language, "Of those, in a reviewer's batch")] == "2"
    assert figures[say(language, "Received today")] == "5"
    heading = say(language, "Flagged by screening today")
    flagged = dict(
        tuple(td.text for td in tr.find_elements(By.TAG_NAME, "td"))
        for tr in browser.find_elements(
            By.XPATH, f"//h2[text()='{heading}']/following-sibling::table[1]/tbody/tr"
        )
    )
    assert flagged[say(language, Flag.CONTACT_NUMBER.label)] == "1"
    assert flagged[say(language, Flag.EMAIL.label)] == "0"
    hours = browser.find_element(By.CSS_SELECTOR, "table.hours tbody tr")
    assert hours.find_element(By.TAG_NAME, "th").text == reviewer.username
    assert hours.find_elements(By.TAG_NAME, "td")[0].text == "2"

    # Breaks the other reviewer's claim from the list of batches being reviewed.
    leases = browser.find_element(By.XPATH, "//table[.//td[text()='reviewer2']]")
    press(browser, leases.find_element(By.TAG_NAME, "button"))
    assert browser.current_url == f"{base}/volunteer/dashboard/"
    assert shown_messages(browser) == [
        say(
            language,
            "The claim of %(name)s is broken; its statements are back in the queue.",
            name="reviewer2",
        )
    ]
    assert say(language, "No one holds a batch.") in page_text(browser)
    held.refresh_from_db()
    assert held.end == ReviewLease.End.BROKEN
    assert not Statement.objects.filter(lease=held, status=Status.IN_REVIEW).exists()
    assert AccountEvent.objects.filter(
        subject=other_reviewer, actor=coordinator, action=AccountEvent.Action.LEASE_BROKEN
    ).exists()

    # Creates a volunteer on the team page and reads the setup link to pass on.
    press(browser, browser.find_element(By.LINK_TEXT, say(language, "Team")))
    assert browser.current_url == f"{base}/volunteer/team/"
    assert_language(browser, language)
    browser.find_element(By.NAME, "username").send_keys("newcomer")
    Select(browser.find_element(By.CSS_SELECTOR, "main form select[name=role]")).select_by_value(
        Role.REVIEWER
    )
    press(browser, button(browser, say(language, "Create and show the setup link")))
    newcomer = type(coordinator).objects.get(username="newcomer")
    assert role_of(newcomer) == Role.REVIEWER
    link = browser.find_element(By.CSS_SELECTOR, "section.receipt code").text
    match = resolve(urlsplit(link).path)
    assert match.view_name == "volunteers:setup", link
    assert force_str(urlsafe_base64_decode(match.kwargs["uidb64"])) == str(newcomer.pk)
    assert setup_tokens.check_token(newcomer, match.kwargs["token"])
    assert set(
        AccountEvent.objects.filter(subject=newcomer, actor=coordinator).values_list(
            "action", flat=True
        )
    ) == {AccountEvent.Action.CREATED, AccountEvent.Action.SETUP_LINK}

    # Changes the newcomer's role, and resets the reviewer's lost second factor.
    team_row = browser.find_element(By.XPATH, "//tr[td[1][text()='newcomer']]")
    Select(team_row.find_element(By.NAME, "role")).select_by_value(Role.VOLUNTEER)
    press(browser, team_row.find_element(By.CSS_SELECTOR, "form button"))
    assert shown_messages(browser) == [
        say(
            language,
            "%(name)s is now: %(role)s.",
            name="newcomer",
            role=say(language, Role.VOLUNTEER.label),
        )
    ]
    assert role_of(type(coordinator).objects.get(pk=newcomer.pk)) == Role.VOLUNTEER

    team_row = browser.find_element(By.XPATH, "//tr[td[1][text()='reviewer']]")
    press(browser, button(team_row, say(language, "Reset second factor")))
    assert say(
        language,
        "The second factor of %(name)s is reset and their sessions have ended. "
        "Give them this new setup link:",
        name="reviewer",
    ) in page_text(browser)
    assert (
        resolve(
            urlsplit(browser.find_element(By.CSS_SELECTOR, "section.receipt code").text).path
        ).view_name
        == "volunteers:setup"
    )
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert AccountEvent.objects.filter(
        subject=reviewer, actor=coordinator, action=AccountEvent.Action.TWO_FACTOR_RESET
    ).exists()

    # Deactivates the other reviewer.
    team_row = browser.find_element(By.XPATH, "//tr[td[1][text()='reviewer2']]")
    press(browser, button(team_row, say(language, "Deactivate")))
    assert shown_messages(browser) == [
        say(
            language,
            "%(name)s is deactivated: signed out, API tokens revoked, claims released.",
            name="reviewer2",
        )
    ]
    team_row = browser.find_element(By.XPATH, "//tr[td[1][text()='reviewer2']]")
    assert say(language, "deactivated") in team_row.text
    assert not type(coordinator).objects.get(pk=other_reviewer.pk).is_active
    assert AccountEvent.objects.filter(
        subject=other_reviewer, actor=coordinator, action=AccountEvent.Action.DEACTIVATED
    ).exists()

    # Finds a published statement by its number and removes it, with a reason.
    browser.find_element(By.ID, "find-id").send_keys(str(published.pk))
    press(
        browser,
        button(browser.find_element(By.CSS_SELECTOR, ".volunteer-bar"), say(language, "Open")),
    )
    assert browser.current_url == f"{base}/volunteer/statements/{published.pk}/"
    assert_language(browser, language)
    assert say(language, "Published") in page_text(browser)
    browser.find_element(By.ID, "remove-reason").send_keys("提交者要求撤下")
    press(browser, button(browser.find_element(By.TAG_NAME, "main"), say(language, "Remove")))
    assert shown_messages(browser) == [
        say(
            language, "Statement #%(id)s is removed from the list and the tallies.", id=published.pk
        )
    ]
    assert status_of(published) == [Status.REMOVED]
    removal = AuditEvent.objects.get(statement=published, action=AuditEvent.Action.REMOVED)
    assert (removal.actor_id, removal.reason) == (coordinator.pk, "提交者要求撤下")
    # Coordinators see who decided: the reviewer's publication and their own removal.
    history = browser.find_element(By.XPATH, "//h2/following-sibling::table[1]").text
    assert reviewer.username in history and coordinator.username in history
    assert say(language, "Removed") in page_text(browser)
    if javascript:
        # The page's one script came from this site and was let run.
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('/static/volunteer/review.')).map(e => e.responseStatus)"
        )
        assert loaded == [200]
    assert console_errors(browser) == []
