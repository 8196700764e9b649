"""Statements in the reader's script: converted for display on Chinese pages, as written
on English ones, in the API and in the database."""

import gzip
import html
import random
import re

import pytest
from django.urls import reverse
from django.utils.translation import override

from statements.models import Statement
from tests import factories
from tuidang.lib import script

SIMPLIFIED_NAME = "刘晓发"
TRADITIONAL_NAME = "劉曉發"
SIMPLIFIED_TEXT = "我声明退出中国共产党。\n这是我自己的决定，后来才了解真相。"
TRADITIONAL_TEXT = "我聲明退出中國共產黨。\n這是我自己的決定，後來才瞭解真相。"


def url(name, *args, lang):
    with override(lang):
        return reverse(name, args=args)


def page(client, name, *args, lang):
    response = client.get(url(name, *args, lang=lang))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def simplified(reviewer):
    return factories.approved_statement(
        reviewer=reviewer, display_name=SIMPLIFIED_NAME, text=SIMPLIFIED_TEXT
    )


@pytest.fixture
def traditional(reviewer):
    return factories.approved_statement(
        reviewer=reviewer, display_name=TRADITIONAL_NAME, text=TRADITIONAL_TEXT
    )


def test_simplified_becomes_traditional_for_traditional_pages_and_back():
    assert script.to_script(SIMPLIFIED_TEXT, "zh-hant") == TRADITIONAL_TEXT
    assert script.to_script(TRADITIONAL_TEXT, "zh-hans") == SIMPLIFIED_TEXT
    assert script.to_script(SIMPLIFIED_NAME, "zh-hant") == TRADITIONAL_NAME
    assert script.to_script(TRADITIONAL_NAME, "zh-hans") == SIMPLIFIED_NAME


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # Traditional in the forms Taiwan and this site's interface use, a name among
        # them: plain s2t would turn 群 into 羣 and 峰 into 峯.
        (TRADITIONAL_TEXT, "zh-hant"),
        ("林群峰", "zh-hant"),
        ("因為我們裡面著名的人，眾人啟程。", "zh-hant"),
        (SIMPLIFIED_TEXT, "zh-hans"),
        ("张伟", "zh-hans"),
    ],
)
def test_text_already_in_the_page_script_is_left_as_written(text, language):
    assert script.to_script(text, language) == text


def test_long_texts_are_converted_like_short_ones_without_being_remembered():
    long_text = SIMPLIFIED_TEXT * 200
    assert len(long_text) > script.CACHED_MAX_CHARS
    expected = script.to_script(SIMPLIFIED_TEXT, "zh-hant") * 200

    assert script.to_script(long_text, "zh-hant") == expected
    assert script.to_script(long_text, "zh-hant") == expected


@pytest.mark.parametrize("language", ["en", "", None, "fr"])
def test_languages_without_a_script_get_the_text_as_written(language):
    assert script.to_script(SIMPLIFIED_TEXT, language) == SIMPLIFIED_TEXT


def test_words_and_other_characters_are_not_touched():
    # s2twp would make 声明 (statement) into 宣告 and 软件 into 軟體: not ours to change.
    assert script.to_script("这份声明 软件 Zhang Wei 123 ＊＊ 😀", "zh-hant") == (
        "這份聲明 軟件 Zhang Wei 123 ＊＊ 😀"
    )


@pytest.mark.django_db
def test_a_traditional_page_shows_a_simplified_statement_in_traditional(client, simplified):
    detail = page(client, "statements:detail", simplified.registration_number, lang="zh-hant")
    listing = page(client, "statements:list", lang="zh-hant")

    for shown in (detail, listing):
        assert f"<bdi>{TRADITIONAL_NAME}</bdi></a>" in shown
        # The name as written stays visible beside it.
        assert f'<bdi lang="zh-hans">{SIMPLIFIED_NAME}</bdi>' in shown
    converted = script.to_script(SIMPLIFIED_TEXT, "zh-hant").replace("\n", "<br>")
    assert f'<p class="text">{converted}</p>' in detail
    assert f'<p class="text">{converted}</p>' in listing
    assert f"<title>{TRADITIONAL_NAME} · " in detail


@pytest.mark.django_db
def test_the_statement_page_holds_the_text_as_written_without_javascript(client, simplified):
    detail = page(client, "statements:detail", simplified.registration_number, lang="zh-hant")

    original = re.search(
        r'<details class="original" id="original"><summary>[^<]+</summary>'
        r'<p class="text" lang="zh-hans">(.*?)</p></details>',
        detail,
    )
    assert original is not None
    assert original.group(1) == SIMPLIFIED_TEXT.replace("\n", "<br>")
    assert "<script" not in detail


@pytest.mark.django_db
def test_the_list_links_a_converted_statement_to_its_text_as_written(client, simplified):
    listing = page(client, "statements:list", lang="zh-hant")
    permalink = url("statements:detail", simplified.registration_number, lang="zh-hant")

    assert f'<a href="{permalink}#original">' in listing
    # Only the statement's own page carries the original text, so the list stays small.
    assert SIMPLIFIED_TEXT.split("\n")[1] not in listing
    assert "<details" not in listing


@pytest.mark.django_db
def test_a_simplified_page_shows_a_traditional_statement_in_simplified(client, traditional):
    detail = page(client, "statements:detail", traditional.registration_number, lang="zh-hans")

    assert f"<bdi>{SIMPLIFIED_NAME}</bdi></a>" in detail
    assert f'<bdi lang="zh-hant">{TRADITIONAL_NAME}</bdi>' in detail
    assert f'<p class="text">{SIMPLIFIED_TEXT.replace(chr(10), "<br>")}</p>' in detail
    assert f'<p class="text" lang="zh-hant">{TRADITIONAL_TEXT.replace(chr(10), "<br>")}</p>' in (
        detail
    )


@pytest.mark.django_db
def test_a_statement_already_in_the_page_script_shows_once(client, simplified):
    detail = page(client, "statements:detail", simplified.registration_number, lang="zh-hans")
    listing = page(client, "statements:list", lang="zh-hans")

    for shown in (detail, listing):
        assert f"<bdi>{SIMPLIFIED_NAME}</bdi></a>" in shown
        assert 'class="original"' not in shown
        assert "#original" not in shown


@pytest.mark.django_db
def test_english_pages_show_the_statement_as_written(client, simplified, traditional):
    detail = page(client, "statements:detail", simplified.registration_number, lang="en")
    listing = page(client, "statements:list", lang="en")

    assert f'<p class="text">{SIMPLIFIED_TEXT.replace(chr(10), "<br>")}</p>' in detail
    for name in (SIMPLIFIED_NAME, TRADITIONAL_NAME):
        assert f"<bdi>{name}</bdi></a>" in listing
    assert 'class="original"' not in detail + listing


@pytest.mark.django_db
def test_what_is_stored_and_what_the_api_returns_is_the_text_as_written(client, api, simplified):
    page(client, "statements:detail", simplified.registration_number, lang="zh-hant")
    page(client, "statements:list", lang="zh-hant")

    stored = Statement.objects.get(pk=simplified.pk)
    assert (stored.display_name, stored.text) == (SIMPLIFIED_NAME, SIMPLIFIED_TEXT)
    answer = api.get(
        reverse("api:statement_detail", args=[simplified.registration_number]),
        HTTP_ACCEPT_LANGUAGE="zh-TW",
    ).json()
    assert (answer["name"], answer["text"]) == (SIMPLIFIED_NAME, SIMPLIFIED_TEXT)


@pytest.mark.django_db
def test_converted_text_is_escaped_like_any_other(client, reviewer):
    statement = factories.approved_statement(
        reviewer=reviewer, display_name="发<b>", text='后来<script>alert("x")</script>'
    )
    response = client.get(url("statements:detail", statement.registration_number, lang="zh-hant"))
    body = response.content.decode()

    assert "<script>" not in body and "<b>" not in body
    assert "後來&lt;script&gt;" in body


@pytest.mark.django_db
def test_a_long_statement_shows_its_start_on_the_list_and_all_of_it_on_its_page(client, reviewer):
    text = "我声明退出共青团和少先队。" * 100
    statement = factories.approved_statement(reviewer=reviewer, text=text)
    listing = page(client, "statements:list", lang="zh-hant")
    detail = page(client, "statements:detail", statement.registration_number, lang="zh-hant")
    converted = script.to_script(text, "zh-hant")
    permalink = url("statements:detail", statement.registration_number, lang="zh-hant")

    shown = re.search(r'<p class="text">([^<]*)</p>', listing).group(1)
    assert shown.endswith("…")
    assert converted.startswith(shown[:-1])
    assert len(shown) < len(text) / 2
    assert f'<a href="{permalink}">' in listing
    assert f'<p class="text">{converted}</p>' in detail


@pytest.mark.django_db
def test_a_page_of_fifty_statements_of_the_greatest_length_stays_small(client):
    # The worst case for compression: names and texts of the greatest length, of
    # characters drawn at random, names in a script that is converted (so the name as
    # written is shown too).
    rng = random.Random(7)
    convertible = "们这说时发国会学过经动还产种头进实业见两长问应题书东间义话写车师边门开给电"

    def ideographs(n):
        return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n))

    for _ in range(50):
        row = factories.published_statement()
        name = "".join(rng.choice(convertible) for _ in range(100))
        Statement.objects.filter(pk=row.pk).update(display_name=name, text=ideographs(5000))

    for lang in ("zh-hant", "zh-hans", "en"):
        response = client.get(url("statements:list", lang=lang))
        assert response.content.decode().count('<article class="statement">') == 50
        assert len(gzip.compress(response.content, compresslevel=6)) < 60 * 1024, lang
