"""The database itself refuses bad rows, whatever code (or person) writes them."""

import pytest
from django.db import DataError, IntegrityError, connection, transaction

GOOD = {
    "display_name": "'王小明'",
    "is_alias": "false",
    "left_party": "true",
    "left_youth_league": "false",
    "left_young_pioneers": "false",
    "region": "'CN-GD'",
    "text": "''",
    "channel": "'web'",
    "language": "'zh-hans'",
    "status": "'received'",
    "screening_flags": "'[]'",
    "content_hash": "decode(md5('h'), 'hex')",
    "receipt_hash": "decode(md5(random()::text), 'hex')",
    "rejection_reason": "''",
    "created_at": "now()",
    "published_at": "NULL",
    "status_changed_at": "now()",
}


def insert(**overrides):
    values = {**GOOD, **overrides}
    sql = (
        f"INSERT INTO statements_statement ({', '.join(values)}) "  # noqa: S608 - test literals
        f"VALUES ({', '.join(values.values())})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
def test_a_good_row_goes_in():
    insert()
    insert(
        status="'published'",
        published_at="now()",
        published_day="current_date",
        registration_number="4000000000000002",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM statements_statement")
        assert cursor.fetchone() == (2,)


BAD = {
    "no organization": {"left_party": "false"},
    "unknown status": {"status": "'approved'"},
    "unknown region": {"region": "'CN-XX'"},
    "unknown channel": {"channel": "'fax'"},
    "unknown language": {"language": "'fr'"},
    "empty name": {"display_name": "''"},
    "whitespace name": {"display_name": "'   '"},
    "name too long": {"display_name": "repeat('名', 101)"},
    "text too long": {"text": "repeat('退', 5001)"},
    "published without a time": {"status": "'published'"},
    "published without a number": {
        "status": "'published'",
        "published_at": "now()",
        "published_day": "current_date",
    },
    "published without a day": {
        "status": "'published'",
        "published_at": "now()",
        "registration_number": "4000000000000002",
    },
    "hash as hex text": {"content_hash": "convert_to(md5('h'), 'UTF8')"},
    "short receipt hash": {"receipt_hash": "'\\x00'::bytea"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("overrides", BAD.values(), ids=BAD.keys())
def test_bad_rows_are_refused_by_postgresql(overrides):
    # A check constraint raises IntegrityError; the varchar length raises DataError.
    with pytest.raises((IntegrityError, DataError)):
        insert(**overrides)
