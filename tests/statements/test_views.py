"""The public pages as a browser with JavaScript off uses them: plain GETs and form posts."""

import re
from datetime import timedelta

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from statements import receipts, services
from statements.models import Statement, Status
from tests import factories

FORM = {
    "name": "王小明",
    "organizations": ["party", "youth_league"],
    "region": "CN-GD",
    "text": "声明退出。",
}


def url(name, *args, lang="zh-hans"):
    with override(lang):
        return reverse(name, args=args)


@pytest.mark.django_db
def test_submit_form_renders_every_field(client):
    response = client.get(url("statements:submit"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("name", "is_alias", "organizations", "region", "text"):
        assert f'name="{name}"' in html
    assert 'action="/zh-hans/submit/"' in html


@pytest.mark.django_db
def test_submitting_redirects_and_shows_the_receipt_once(client):
    response = client.post(url("statements:submit"), FORM)

    assert response.status_code == 302
    assert response["Location"] == url("statements:submit_done")
    statement = Statement.objects.get()
    assert statement.status == Status.RECEIVED
    assert statement.organizations == ["party", "youth_league"]
    assert statement.language == "zh-hans"

    done = client.get(response["Location"])
    code = re.search(r"<code>([0-9A-Z-]{24})</code>", done.content.decode()).group(1)
    assert statement.receipt_hash == receipts.digest(code)
    assert done["Cache-Control"].startswith("max-age=0")
    assert "no-store" in done["Cache-Control"]
    # The code was never in a URL, and the page does not show it a second time.
    assert code not in response["Location"]
    again = client.get(response["Location"]).content.decode()
    assert code not in again
    assert "<code>" not in again


@pytest.mark.django_db
def test_statement_language_follows_the_page_language(client):
    client.post(url("statements:submit", lang="zh-hant"), FORM)
    assert Statement.objects.get().language == "zh-hant"


@pytest.mark.django_db
def test_invalid_form_is_shown_again_with_errors_next_to_fields_and_writes_nothing(client):
    response = client.post(
        url("statements:submit", lang="en"), {**FORM, "organizations": [], "name": "  "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    # Each error sits in the same field group as its input.
    for field, message in [
        ("organizations", "Choose at least one organization."),
        ("name", "This field is required."),
    ]:
        group = re.search(
            rf'<div class="field">((?:(?!<div class="field">).)*name="{field}".*?)</div>',
            html,
            re.S,
        )
        assert group is not None
        assert message in group.group(1)
    # What the person typed is kept for them to correct.
    assert "声明退出。" in html
    assert Statement.objects.count() == 0


@pytest.mark.django_db
def test_form_refuses_text_over_5000_characters(client):
    response = client.post(url("statements:submit"), {**FORM, "text": "退" * 5001})
    assert response.status_code == 400
    assert Statement.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "null"},
        # Sec-Fetch-Site decides over a matching Origin: only the browser can set it.
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_form_posts_from_other_sites_are_refused(client, headers):
    response = client.post(url("statements:submit"), FORM, **headers)
    assert response.status_code == 403
    assert Statement.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "headers",
    [
        # What Chromium sends for its own form post when a page's referrer policy is
        # no-referrer: the reason Origin alone cannot decide.
        {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {},
    ],
)
def test_form_posts_as_browsers_send_them_are_accepted(client, headers):
    response = client.post(url("statements:submit"), FORM, **headers)
    assert response.status_code == 302


@pytest.mark.django_db
def test_pages_keep_a_referrer_policy_that_preserves_origin(client):
    # Under no-referrer, browsers send "Origin: null" on same-origin posts, which the
    # volunteer sign-in's CSRF check (rightly) refuses.
    response = client.get(url("statements:submit"))
    assert response["Referrer-Policy"] == "same-origin"
    assert 'name="referrer"' not in response.content.decode()


@pytest.mark.django_db
def test_form_posts_from_this_site_are_accepted(client):
    response = client.post(
        url("statements:submit"),
        FORM,
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_form_over_the_rate_limit_gets_429(client, settings):
    settings.INTAKE_RATE = "1/d"
    assert client.post(url("statements:submit"), FORM).status_code == 302
    assert client.post(url("statements:submit"), FORM).status_code == 429
    assert Statement.objects.count() == 1


@pytest.mark.django_db
def test_receipt_page_tells_the_status(client, reviewer):
    client.post(url("statements:submit", lang="en"), FORM)
    code = re.search(
        r"<code>(.*?)</code>", client.get(url("statements:submit_done", lang="en")).content.decode()
    )[1]
    receipt_url = url("statements:receipt", lang="en")

    waiting = client.post(receipt_url, {"receipt": code})
    assert waiting.status_code == 200
    assert "waiting for review" in waiting.content.decode()

    statement = Statement.objects.get()
    services.screen_received()
    factories.approve(statement, reviewer=reviewer)
    published = client.post(receipt_url, {"receipt": code.lower()}).content.decode()
    assert "has been published" in published
    statement.refresh_from_db()
    assert url("statements:detail", statement.registration_number, lang="en") in published


@pytest.mark.django_db
def test_receipt_page_unknown_and_malformed_codes(client):
    receipt_url = url("statements:receipt", lang="en")
    unknown = client.post(receipt_url, {"receipt": receipts.new_code()})
    assert unknown.status_code == 404
    assert "No statement has this receipt code" in unknown.content.decode()
    malformed = client.post(receipt_url, {"receipt": "1234"})
    assert malformed.status_code == 400
    assert "20 letters and digits" in malformed.content.decode()


@pytest.mark.django_db
def test_statement_list_pages_by_keyset_links(client):
    base = timezone.now() - timedelta(days=3)
    rows = [
        factories.published_statement(published_at=base + timedelta(hours=i)) for i in range(120)
    ]

    seen, next_url = [], url("statements:list")
    while next_url:
        html = client.get(next_url).content.decode()
        seen += [int(n) for n in re.findall(r'href="/zh-hans/statements/(\d{16})/"', html)]
        link = re.search(r'href="(\?before=[0-9-]+)" rel="next"', html)
        next_url = url("statements:list") + link.group(1) if link else None

    newest_first = sorted(rows, key=lambda s: (s.published_day, s.registration_number))[::-1]
    assert seen == [s.registration_number for s in newest_first]

    # Back from the oldest page, by the "newer" links, to the newest.
    back, html = [], client.get(url("statements:list") + "?" + _before(rows)).content.decode()
    while link := re.search(r'href="(\?after=[0-9-]+)" rel="prev"', html):
        html = client.get(url("statements:list") + link.group(1)).content.decode()
        back = [int(n) for n in re.findall(r'href="/zh-hans/statements/(\d{16})/"', html)] + back
    assert back == seen[:-50]


def _before(rows) -> str:
    """The cursor past the 70 newest rows: the oldest page holds the last 50."""
    oldest = sorted(rows, key=lambda s: (s.published_day, s.registration_number))[50]
    return f"before={oldest.published_day:%Y%m%d}-{oldest.registration_number}"


@pytest.mark.django_db
def test_later_pages_link_back_to_the_newest(client):
    for _ in range(51):
        factories.published_statement()
    first = client.get(url("statements:list")).content.decode()
    assert "Newest" not in client.get(url("statements:list", lang="en")).content.decode()
    later = re.search(r'href="(\?before=[0-9-]+)" rel="next"', first).group(1)
    html = client.get(url("statements:list", lang="en") + later).content.decode()
    assert '<a href="/en/statements/">Newest statements</a>' in html


@pytest.mark.django_db
def test_statement_list_with_a_bad_cursor_is_400(client):
    assert client.get(url("statements:list"), {"before": "x.y"}).status_code == 400


@pytest.mark.django_db
def test_statement_page_only_for_published(client, reviewer):
    published = factories.approved_statement(reviewer=reviewer, text="我退出。")
    waiting = factories.received_statement()
    hidden = factories.published_statement(hidden=True)
    assert waiting.registration_number is None
    assert client.get(url("statements:detail", hidden.registration_number)).status_code == 404
    page = client.get(url("statements:detail", published.registration_number))
    assert page.status_code == 200
    assert "我退出。" in page.content.decode()
    assert published.registration_display in page.content.decode()
    # The internal id is no address.
    assert client.get(f"/zh-hans/statements/{published.pk}/").status_code == 404


@pytest.mark.django_db
def test_statement_list_is_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(60):
        factories.published_statement()
    with django_assert_max_num_queries(1):
        assert client.get(url("statements:list")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/zh-hans/", "/en/statements/", "/zh-hant/submit/", "/en/receipt/"]
)
def test_public_pages_answer_head_requests(client, path):
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.django_db
@pytest.mark.parametrize("origin", ["http://[", "://", "http://testserver:99999999999"])
def test_malformed_origin_is_refused_not_an_error(client, origin):
    response = client.post(url("statements:submit"), FORM, HTTP_ORIGIN=origin)
    assert response.status_code == 403
    assert Statement.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["//[/", "/zh-hans/\xff\xfe/", "/en/statements/abc/", "/en/[::1/"])
def test_junk_paths_are_404_pages(path):
    # Straight to the WSGI handler: the test client cannot even build some of these URLs.
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    statuses = []
    body = b"".join(WSGIHandler()(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["404 Not Found"]
    assert b"<html" in body


def _token(html: str) -> str:
    return re.search(r'name="token" value="([A-Za-z0-9_-]+)"', html).group(1)


def _receipt_after(client, response) -> str:
    return re.search(r"<code>(.*?)</code>", client.get(response["Location"]).content.decode())[1]


@pytest.mark.django_db
def test_every_blank_form_carries_its_own_hidden_token(client):
    first, second = (client.get(url("statements:submit")).content.decode() for _ in range(2))
    assert _token(first) != _token(second)
    assert 'type="hidden" name="token"' in first
    assert ">Token<" not in first


@pytest.mark.django_db
def test_the_same_form_sent_twice_stores_one_statement_with_one_receipt(client):
    token = _token(client.get(url("statements:submit")).content.decode())

    first = client.post(url("statements:submit"), {**FORM, "token": token})
    first_receipt = _receipt_after(client, first)
    second = client.post(url("statements:submit"), {**FORM, "token": token})
    second_receipt = _receipt_after(client, second)

    assert Statement.objects.count() == 1
    assert first_receipt == second_receipt
    assert Statement.objects.get().receipt_hash == receipts.digest(first_receipt)


@pytest.mark.django_db
def test_the_same_form_sent_again_with_other_content_is_a_new_statement(client):
    token = _token(client.get(url("statements:submit")).content.decode())

    first = _receipt_after(client, client.post(url("statements:submit"), {**FORM, "token": token}))
    edited = {**FORM, "text": "改过的文字", "token": token}
    second = _receipt_after(client, client.post(url("statements:submit"), edited))

    assert Statement.objects.count() == 2
    assert first != second


@pytest.mark.django_db
def test_a_mangled_token_costs_only_the_double_click_protection(client):
    response = client.post(url("statements:submit"), {**FORM, "token": "短"})
    assert response.status_code == 302
    assert Statement.objects.count() == 1


@pytest.mark.django_db
def test_the_same_form_sent_again_as_an_alias_is_a_new_statement(client):
    token = _token(client.get(url("statements:submit")).content.decode())
    client.post(url("statements:submit"), {**FORM, "token": token})
    client.post(url("statements:submit"), {**FORM, "token": token, "is_alias": "on"})
    assert sorted(Statement.objects.values_list("is_alias", flat=True)) == [False, True]


@pytest.mark.django_db
def test_the_search_box_leads_to_the_statement_of_a_registration_number(client):
    statement = factories.published_statement()
    typed = statement.registration_display  # with its spaces, as printed
    response = client.get(url("statements:list"), {"number": typed})
    assert response.status_code == 302
    assert response["Location"] == url("statements:detail", statement.registration_number)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed, status, message",
    [
        ("1234", 400, "A registration number has 16 digits"),
        ("4000 0000 0000 0003", 400, "A registration number has 16 digits"),  # check digit
        ("4000 0000 0000 0002", 404, "No published statement has this registration number"),
    ],
)
def test_the_search_box_explains_a_number_it_cannot_find(client, typed, status, message):
    factories.published_statement()
    response = client.get(url("statements:list", lang="en"), {"number": typed})
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.django_db
def test_a_hidden_statement_cannot_be_found_by_its_number(client):
    hidden = factories.published_statement(hidden=True)
    response = client.get(url("statements:list"), {"number": str(hidden.registration_number)})
    assert response.status_code == 404
