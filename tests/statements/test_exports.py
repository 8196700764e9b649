"""The statements CSV (GET /api/v1/statements.csv): a month or a day of the list,
streamed in keyset chunks, with every cell a person wrote neutralized."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from statements import exports
from statements.models import Statement, Status
from tests import factories
from tuidang.lib.csv import neutralize
from tuidang.lib.days import tally_zone

HEADER = [
    "registration_number",
    "published_on",
    "name",
    "is_alias",
    "party",
    "youth_league",
    "young_pioneers",
    "region",
    "text",
]


def on(day: date, hour: int = 12):
    """A moment on `day` in the tally time zone."""
    return datetime.combine(day, time(hour), tzinfo=tally_zone())


def csv_get(client, **params):
    return client.get(reverse("api:statements_csv"), params)


def body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def number(statement) -> str:
    return f"{statement.registration_number:016d}"


def named(name: str, **fields) -> Statement:
    statement = factories.published_statement(**fields)
    Statement.objects.filter(pk=statement.pk).update(display_name=name)
    return statement


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("王小明", "王小明"),
        ("1+1", "1+1"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_that_could_start_a_formula_gets_a_leading_quote(cell, shown):
    assert neutralize(cell) == shown


@pytest.mark.django_db
def test_a_months_csv_is_its_listed_statements_newest_first_in_every_column(client):
    older = factories.published_statement(
        published_at=on(date(2026, 11, 2)),
        organizations=("youth_league", "young_pioneers"),
        region="CN-SC",
        text='第一行\n第二行，"引号", 逗号',
    )
    newer = factories.published_statement(
        published_at=on(date(2026, 11, 30), hour=23), is_alias=True
    )
    factories.published_statement(published_at=on(date(2026, 11, 15)), hidden=True)
    factories.published_statement(published_at=on(date(2026, 11, 16)), status=Status.REMOVED)
    factories.published_statement(published_at=on(date(2026, 10, 31), hour=23))
    factories.published_statement(published_at=on(date(2026, 12, 1), hour=0))

    response = csv_get(client, month="2026-11")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="statements-2026-11.csv"'
    # Excel needs the byte order mark to read UTF-8 (and so Chinese) correctly.
    assert body(csv_get(client, month="2026-11")).startswith(b"\xef\xbb\xbf")
    header, *data = rows(response)
    assert header == HEADER
    assert data == [
        [number(newer), "2026-11-30", newer.display_name, "1", "1", "0", "0", "CN-BJ", ""],
        [
            number(older),
            "2026-11-02",
            older.display_name,
            "0",
            "0",
            "1",
            "1",
            "CN-SC",
            '第一行\n第二行，"引号", 逗号',
        ],
    ]


@pytest.mark.django_db
def test_a_days_csv_holds_that_day_only(client):
    day = date(2026, 3, 8)
    statements = [factories.published_statement(published_at=on(day, hour)) for hour in (1, 23)]
    factories.published_statement(published_at=on(date(2026, 3, 9), hour=0))
    factories.published_statement(published_at=on(date(2026, 3, 7), hour=23))

    response = csv_get(client, day="2026-03-08")

    assert response["Content-Disposition"] == 'attachment; filename="statements-2026-03-08.csv"'
    _header, *data = rows(response)
    assert sorted(row[0] for row in data) == sorted(number(s) for s in statements)
    assert {row[1] for row in data} == {"2026-03-08"}


@pytest.mark.django_db
def test_names_and_texts_that_look_like_formulas_are_neutralized(client):
    day = date(2026, 5, 4)
    named('=HYPERLINK("http://evil","x")', published_at=on(day), text="+SUM(1)")
    named("@王", published_at=on(day), text="-1")
    named("李", published_at=on(day), text="\tTAB")

    data = rows(csv_get(client, day=day.isoformat()))[1:]

    cells = {(row[2], row[8]) for row in data}
    assert cells == {
        ('\'=HYPERLINK("http://evil","x")', "'+SUM(1)"),
        ("'@王", "'-1"),
        ("李", "'\tTAB"),
    }


@pytest.mark.django_db
def test_an_empty_period_is_the_header_alone(client):
    assert rows(csv_get(client, month="2001-01")) == [HEADER]


@pytest.mark.django_db
def test_the_export_walks_the_list_in_keyset_chunks(django_assert_num_queries):
    day = date(2026, 7, 1)
    made = [factories.published_statement(published_at=on(day)) for _ in range(5)]
    expected = sorted((number(s) for s in made), reverse=True)

    # Five rows in chunks of two: three short queries, each its own seek, no cursor kept.
    with django_assert_num_queries(3):
        chunks = list(exports.csv_chunks(Statement.objects.listed(), chunk_rows=2))

    assert len(chunks) == 4  # the header, then one string a chunk
    data = list(csv.reader(io.StringIO("".join(chunks).lstrip("\ufeff"), newline="")))[1:]
    assert [row[0] for row in data] == expected


@pytest.mark.django_db
def test_the_export_reads_only_the_columns_it_shows(django_assert_num_queries):
    factories.published_statement()
    with django_assert_num_queries(1) as captured:
        list(exports.csv_chunks(Statement.objects.listed()))
    sql = captured.captured_queries[0]["sql"]
    for private in ("receipt_hash", "content_hash", "published_at", "entered_by", "language"):
        assert private not in sql


@pytest.mark.django_db
def test_the_calendars_last_month_is_a_month_like_any_other(client):
    response = client.get(reverse("api:statements_csv"), {"month": "9999-12"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode().startswith(exports.BOM + "registration")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"month": "2026-11", "day": "2026-11-02"},
        {"month": "2026-13"},
        {"month": "26-11"},
        {"day": "2026-02-30"},
        {"day": "20260202"},
        # Past either end of the calendar, and digits of other scripts: 400, not 500.
        {"month": "0000-01"},
        {"month": "\uff12\uff10\uff12\uff16-11"},
        {"month": "\u0662\u0660\u0662\u0666-11"},
    ],
)
def test_an_export_needs_one_good_month_or_day(client, params):
    response = client.get(reverse("api:statements_csv"), params, HTTP_ACCEPT="text/csv")
    # The error is JSON even for a client that asked for CSV, never a 406.
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()


@pytest.mark.django_db
def test_the_export_is_cached_briefly_but_never_read_whole_for_an_etag(client):
    factories.published_statement(published_at=on(date(2026, 11, 2)))

    response = csv_get(client, month="2026-11")

    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=15" in cache_control
    assert "ETag" not in response
    # One copy for every language: the file has no words in it.
    assert "Accept-Language" not in response.get("Vary", "")
    assert "Content-Language" not in response
    # Still a stream, and still whole: the middleware passed it on unread.
    assert len(rows(response)) == 2
    assert not response.cookies


@pytest.mark.django_db
def test_exports_are_rate_limited_per_client_and_head_costs_nothing(
    client, settings, django_assert_num_queries
):
    settings.EXPORT_RATE = "2/d"
    assert csv_get(client, month="2026-11").status_code == 200
    assert csv_get(client, month="2026-10").status_code == 200
    refused = csv_get(client, month="2026-09")
    assert refused.status_code == 429
    assert "Cache-Control" not in refused or "public" not in refused["Cache-Control"]

    # HEAD answers the headers and neither counts nor reads a row.
    with django_assert_num_queries(0):
        head = client.head(reverse("api:statements_csv"), {"month": "2026-11"})
    assert head.status_code == 200
    assert head["Content-Disposition"] == 'attachment; filename="statements-2026-11.csv"'
    assert b"".join(head.streaming_content) == b""


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_an_export_without_a_period_says_so_in_the_readers_language(client, lang):
    accept = {"zh-hans": "zh-CN", "zh-hant": "zh-TW", "en": "en"}[lang]
    response = client.get(reverse("api:statements_csv"), HTTP_ACCEPT_LANGUAGE=accept)
    with translation.override(lang):
        expected = gettext("Give either a month (month=YYYY-MM) or a day (day=YYYY-MM-DD).")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [expected]}
    if lang != "en":
        assert expected != "Give either a month (month=YYYY-MM) or a day (day=YYYY-MM-DD)."
