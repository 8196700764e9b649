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
    "content_hash": "'h'",
    "receipt_hash": "md5(random()::text)",
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
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM statements_statement")
        assert cursor.fetchone() == (1,)


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
}


@pytest.mark.django_db
@pytest.mark.parametrize("overrides", BAD.values(), ids=BAD.keys())
def test_bad_rows_are_refused_by_postgresql(overrides):
    # A check constraint raises IntegrityError; the varchar length raises DataError.
    with pytest.raises((IntegrityError, DataError)):
        insert(**overrides)
