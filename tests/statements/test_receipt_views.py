"""The receipt pages as a browser with JavaScript off uses them: the look-up, hiding,
showing again, retracting (with its confirmation), correcting, and the certificate; in
the three languages, without cookies, and with the code never in a URL."""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import override

from statements import receipts, services
from statements.models import AuditEvent, Statement, Status
from tests import factories

LANGUAGES = ["zh-hans", "zh-hant", "en"]
FORM = {"name": "王小明", "organizations": ["party", "youth_league"], "region": "CN-GD"}


def url(name, *args, lang="en"):
    with override(lang):
        return reverse(name, args=args)


def say(message: str, lang: str) -> str:
    """`message` as the page in `lang` shows it ({% translate %} does not escape)."""
    with translation.override(lang):
        return translation.gettext(message)


def check_private(response, code: str) -> None:
    """No cookie, nothing cached, and the code in no address on the page or in a
    redirect: only in the body of posts."""
    assert not response.cookies, list(response.cookies)
    assert "Set-Cookie" not in response.headers
    check_addresses(response, code)


def check_addresses(response, code: str) -> None:
    if response.status_code == 200:
        assert "no-store" in response["Cache-Control"]
    canonical = receipts.normalize(code)
    forms = {code.upper(), canonical, receipts.display(code)} if canonical else {code}
    addresses = re.findall(r'(?:href|action|src)="([^"]*)"', response.content.decode())
    addresses.append(response.get("Location", ""))
    for address in addresses:
        assert not any(f in address.upper() for f in forms), address


def post(client, name, code, lang="en", confirm=None, **headers):
    data = {"receipt": code} if confirm is None else {"receipt": code, "confirm": confirm}
    response = client.post(url(name, lang=lang), data, **headers)
    check_private(response, code)
    return response


@pytest.fixture
def published(reviewer):
    sent = factories.submission(display_name="刘德明", is_alias=True, organizations=["party"])
    services.screen_received()
    factories.approve(sent.statement, reviewer=reviewer)
    sent.statement.refresh_from_db()
    return sent.statement, sent.receipt


def action_forms(html: str) -> dict[str, str]:
    """The receipt page's action forms: their address and the code in each."""
    found = re.findall(
        r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="receipt" '
        r'value="([^"]+)">',
        html,
    )
    return dict(found)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_lookup_offers_what_a_published_statement_allows(client, published, lang):
    statement, code = published
    response = post(client, "statements:receipt", code, lang=lang)
    html = response.content.decode()
    assert response.status_code == 200
    assert statement.registration_display in html
    forms = action_forms(html)
    assert set(forms) == {
        url(name, lang=lang)
        for name in (
            "statements:certificate",
            "statements:receipt_hide",
            "statements:replace",
            "statements:receipt_retract",
        )
    }
    assert set(forms.values()) == {receipts.display(code)}
    assert say("Hide it from the list", lang) in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_hiding_and_showing_again_in_each_language(client, published, lang):
    statement, code = published
    permalink = url("statements:detail", statement.registration_number, lang=lang)
    assert client.get(permalink).status_code == 200

    hidden = post(client, "statements:receipt_hide", code, lang=lang)

    html = hidden.content.decode()
    assert hidden.status_code == 200
    assert (
        say(
            "Your statement is now hidden from the public list. It still counts in the tallies.",
            lang,
        )
        in html
    )
    assert say("Show it on the list again", lang) in html
    assert f'href="{permalink}"' not in html
    assert client.get(permalink).status_code == 404
    assert (
        statement.registration_display
        not in client.get(url("statements:list", lang=lang)).content.decode()
    )
    # A reload posts again: the same page, nothing more written.
    again = post(client, "statements:receipt_hide", code, lang=lang)
    assert again.status_code == 200
    assert AuditEvent.objects.filter(action="hidden").count() == 1

    shown = post(client, "statements:receipt_unhide", code, lang=lang)
    assert say("Your statement is on the public list again.", lang) in shown.content.decode()
    assert client.get(permalink).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_retracting_asks_first_then_is_final(client, published, lang):
    statement, code = published

    asked = post(client, "statements:receipt_retract", code, lang=lang)

    html = asked.content.decode()
    assert asked.status_code == 200
    assert say("This is final.", lang) in html
    assert statement.registration_display in html
    assert Statement.objects.get(pk=statement.pk).status == Status.PUBLISHED
    confirm = re.search(
        r'<form method="post" action="([^"]+)" class="inline">\s*'
        r'<input type="hidden" name="receipt" value="([^"]+)">\s*'
        r'<input type="hidden" name="confirm" value="1">',
        html,
    )
    assert confirm.groups() == (
        url("statements:receipt_retract", lang=lang),
        receipts.display(code),
    )

    done = post(client, "statements:receipt_retract", code, lang=lang, confirm="1")

    assert done.status_code == 200
    html = done.content.decode()
    assert say("Your statement has been retracted.", lang) in html
    assert say("You retracted this statement. It is not published and not counted.", lang) in html
    assert action_forms(html) == {}
    assert Statement.objects.get(pk=statement.pk).status == Status.RETRACTED
    permalink = url("statements:detail", statement.registration_number, lang=lang)
    assert client.get(permalink).status_code == 404
    # Asking again after it is done says so, and offers nothing.
    again = post(client, "statements:receipt_retract", code, lang=lang)
    assert again.status_code == 200
    assert say("Your statement has been retracted.", lang) in again.content.decode()


@pytest.mark.django_db
def test_keep_it_on_the_confirmation_goes_back_to_the_status(client, published):
    _statement, code = published
    html = post(client, "statements:receipt_retract", code).content.decode()
    keep = re.search(
        r'<form method="post" action="([^"]+)" class="inline">\s*'
        r'<input type="hidden" name="receipt" value="([^"]+)">\s*<button[^>]*name="keep"',
        html,
    )
    assert keep.groups() == (url("statements:receipt"), receipts.display(code))


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_declined_statement_shows_the_reason_never_the_note_and_cannot_be_retracted(
    client, reviewer, lang
):
    sent = factories.submission()
    services.screen_received()
    factories.reject(sent.statement, reviewer=reviewer, note="内部备注：疑似灌水", code="flood")

    html = post(client, "statements:receipt", sent.receipt, lang=lang).content.decode()

    label = {"en": "Automated flood or fake statement", "zh-hans": "批量灌水或虚假声明"}
    label["zh-hant"] = "批量灌水或虛假聲明"
    assert label[lang] in html
    assert "内部备注" not in html
    assert action_forms(html) == {}
    refused = post(client, "statements:receipt_retract", sent.receipt, lang=lang, confirm="1")
    assert refused.status_code == 409
    assert (
        say("This cannot be done with your statement as it is now.", lang)
        in refused.content.decode()
    )
    assert Statement.objects.get(pk=sent.statement.pk).status == Status.REJECTED


@pytest.mark.django_db
def test_a_statement_waiting_for_review_can_be_corrected_or_retracted(client):
    sent = factories.submission()
    html = post(client, "statements:receipt", sent.receipt).content.decode()
    assert set(action_forms(html)) == {url("statements:replace"), url("statements:receipt_retract")}
    assert post(client, "statements:receipt_hide", sent.receipt).status_code == 409
    assert post(client, "statements:certificate", sent.receipt).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "statements:receipt_hide",
        "statements:receipt_unhide",
        "statements:receipt_retract",
        "statements:certificate",
        "statements:replace",
    ],
)
def test_every_action_checks_like_the_lookup(client, settings, name):
    code = factories.submission().receipt
    # Another site's page cannot post it.
    assert post(client, name, code, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    # Unknown and malformed codes.
    unknown = post(client, name, receipts.new_code())
    assert unknown.status_code == 404
    assert "No statement has this receipt code" in unknown.content.decode()
    assert post(client, name, "1234").status_code == 400
    # A GET (a language link, a bookmark) leads back to the receipt page.
    response = client.get(url(name))
    assert (response.status_code, response["Location"]) == (302, url("statements:receipt"))
    # One limit for every use of a code.
    settings.RECEIPT_LOOKUP_RATE = "2/d"
    cache.clear()
    assert post(client, "statements:receipt", code).status_code == 200
    assert post(client, name, code).status_code != 429
    assert post(client, name, code).status_code == 429
    assert post(client, "statements:receipt", code).status_code == 429


# --- Correcting (replacing) ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_correcting_a_statement_from_the_form_filled_in_with_it(client, lang):
    submitted = client.post(url("statements:submit", lang=lang), {**FORM, "text": "第一版"})
    done = client.get(submitted["Location"])
    code = re.search(r"<code>(.*?)</code>", done.content.decode())[1]
    check_addresses(done, code)
    # The one cookie a submitter gets (the code on its way to this page) is deleted here.
    assert [(c.key, c["max-age"]) for c in done.cookies.values()] == [("receipt", 0)]
    # The confirmation page offers to correct it, by a post carrying the code.
    assert action_forms(done.content.decode()) == {url("statements:replace", lang=lang): code}

    form = post(client, "statements:replace", code, lang=lang)

    html = form.content.decode()
    assert form.status_code == 200
    assert 'value="王小明"' in html and "第一版" in html
    assert f'name="replaces" value="{code}"' in html
    checked = re.findall(r'name="organizations" value="(\w+)"[^>]* checked', html)
    assert checked == ["party", "youth_league"]
    assert 'value="CN-GD" selected' in html
    token = re.search(r'name="token" value="([A-Za-z0-9_-]+)"', html)[1]

    sent = client.post(
        url("statements:submit", lang=lang),
        {**FORM, "text": "改过的第二版", "token": token, "replaces": code},
    )

    assert sent.status_code == 302
    second = client.get(sent["Location"])
    assert say("The statement you corrected has been withdrawn.", lang) in second.content.decode()
    new_code = re.search(r"<code>(.*?)</code>", second.content.decode())[1]
    assert new_code != code
    assert Statement.objects.by_receipt(code).get().status == Status.RETRACTED
    assert Statement.objects.by_receipt(new_code).get().text == "改过的第二版"


@pytest.mark.django_db
def test_the_blank_form_explains_the_replaces_field(client):
    html = client.get(url("statements:submit")).content.decode()
    assert 'name="replaces"' in html
    assert "Only to correct a statement you sent before" in html


@pytest.mark.django_db
def test_a_mistyped_code_to_replace_is_shown_next_to_the_field_and_nothing_is_stored(client):
    factories.submission()
    for typed, message in [
        (receipts.new_code(), "No statement has this receipt code."),
        ("12345", "A receipt code has 20 letters and digits"),
    ]:
        response = client.post(url("statements:submit"), {**FORM, "replaces": typed})
        assert response.status_code == 400
        group = re.search(
            r'<div class="field">((?:(?!<div class="field">).)*name="replaces".*?)</div>',
            response.content.decode(),
            re.S,
        )
        assert message in group.group(1)
    assert Statement.objects.count() == 1
    assert Statement.objects.get().status == Status.RECEIVED


@pytest.mark.django_db
def test_a_submission_replacing_another_counts_against_the_receipt_limit(client, settings):
    settings.RECEIPT_LOOKUP_RATE = "1/d"
    code = factories.submission().receipt
    assert client.post(url("statements:submit"), {**FORM, "replaces": code}).status_code == 302
    assert client.post(url("statements:submit"), {**FORM, "replaces": code}).status_code == 429
    # Without a code to try, the statement form is not limited by it.
    assert client.post(url("statements:submit"), FORM).status_code == 302


# --- The certificate ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "chinese", "certificate"),
    [
        ("zh-hans", "zh-hans", "退出声明证明"),
        ("zh-hant", "zh-hant", "退出聲明證明"),
        ("en", "zh-hans", "退出声明证明"),
    ],
)
def test_the_certificate_is_in_chinese_and_english_whatever_the_page(
    client, published, lang, chinese, certificate
):
    statement, code = published

    response = post(client, "statements:certificate", code, lang=lang)

    html = response.content.decode()
    assert response.status_code == 200
    article = re.search(r'<article class="certificate">(.*?)</article>', html, re.S).group(1)
    assert "刘德明" in article
    assert statement.registration_display in article
    assert f'lang="{chinese}"' in article and 'lang="en"' in article
    assert certificate in article and "Certificate of withdrawal" in article
    # The alias is said so, in both.
    assert say("(alias)", chinese) in article and "(alias)" in article
    # The organizations and the day, in both.
    assert say("the Communist Party", chinese) in article and "the Communist Party" in article
    assert f'datetime="{statement.published_day:%Y-%m-%d}"' in article
    assert f"{statement.published_day.year}年" in article
    assert str(statement.published_day.year) in article
    # Printing: its own stylesheet from this site, and the hint to use the browser's print.
    assert re.search(
        r'<link rel="stylesheet" href="/static/css/certificate\.[0-9a-f]+\.css">', html
    )
    assert "<script" not in html
    hint = (
        "To print it, use your browser's Print command (Ctrl+P, or Command+P on a Mac) and "
        "choose A4 paper; you can also save it as a PDF there. Only the certificate is printed."
    )
    assert say(hint, lang) in html


@pytest.mark.django_db
def test_the_certificate_of_an_english_page_follows_the_statement_s_script(client, reviewer):
    sent = factories.submission(language="zh-hant")
    services.screen_received()
    factories.approve(sent.statement, reviewer=reviewer)
    html = post(client, "statements:certificate", sent.receipt, lang="en").content.decode()
    assert 'lang="zh-hant"' in html and "退出聲明證明" in html


@pytest.mark.django_db
def test_a_hidden_statement_still_has_its_certificate(client, published):
    statement, code = published
    post(client, "statements:receipt_hide", code)
    response = post(client, "statements:certificate", code)
    assert response.status_code == 200
    assert statement.registration_display in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_certificate_for_a_statement_not_published(client, published, lang):
    _statement, code = published
    post(client, "statements:receipt_retract", code, confirm="1")
    response = post(client, "statements:certificate", code, lang=lang)
    assert response.status_code == 404
    assert (
        say("A certificate is available only for a published statement.", lang)
        in response.content.decode()
    )


def test_the_certificate_prints_on_a4_with_nothing_from_elsewhere():
    css = Path(finders.find("css/certificate.css")).read_text(encoding="utf-8")
    assert re.search(r"@page\s*{[^}]*size:\s*A4", css)
    assert "@media print" in css
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
