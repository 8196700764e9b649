"""The statements as CSV: what the public list shows, one period at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from statements import registration
from statements.models import Statement
from statements.querysets import StatementQuerySet
from tuidang.lib.csv import neutralize

COLUMNS = [
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
# Only what a row shows: the rest of a statement (its hashes, its review) never leaves.
FIELDS = [
    "registration_number",
    "published_day",
    "display_name",
    "is_alias",
    "left_party",
    "left_youth_league",
    "left_young_pioneers",
    "region",
    "text",
]
# Rows per query: large enough that the round trips cost little, small enough that a
# chunk (up to ~5 MB of text at 5,000 characters a statement) is cheap to hold.
CHUNK_ROWS = 1000
# Excel reads a CSV file as the machine's legacy code page (and garbles Chinese) unless
# it starts with a byte order mark; csv readers that know UTF-8 skip it ("utf-8-sig").
BOM = "\ufeff"


class _Echo:
    """A file whose write() hands back the line: csv.writer then formats one row at a
    time instead of into a buffer holding the whole file."""

    def write(self, line: str) -> str:
        return line


def csv_row(statement: Statement) -> list[str]:
    """One statement as the CSV shows it. Flags are 1 or 0 so a spreadsheet can sum them;
    every cell a person wrote is neutralized (tuidang.lib.csv)."""
    return [
        f"{statement.registration_number:0{registration.DIGITS}d}",
        statement.published_day.isoformat(),
        neutralize(statement.display_name),
        "1" if statement.is_alias else "0",
        "1" if statement.left_party else "0",
        "1" if statement.left_youth_league else "0",
        "1" if statement.left_young_pioneers else "0",
        neutralize(statement.region),
        neutralize(statement.text),
    ]


def csv_chunks(statements: StatementQuerySet, *, chunk_rows: int = CHUNK_ROWS) -> Iterator[str]:
    """The header, then `statements` (listed(), with any filters) newest first, a chunk of
    `chunk_rows` at a time, each chunk one keyset page (StatementQuerySet.page).

    Keyset pages, not one server-side cursor: each chunk is its own short query, so an
    export read slowly by a client holds no transaction, no snapshot and no connection
    state between chunks (a cursor held open for a month of statements would keep
    VACUUM from cleaning behind it for as long as the download lasts). The price: a
    statement published or removed while an export runs may be in it or not, as on the
    list's pages.
    """
    writer = csv.writer(_Echo())  # "\r\n" line ends and quoting as RFC 4180 has them
    yield BOM + writer.writerow(COLUMNS)
    rows = statements.only(*FIELDS)
    before = None
    while True:
        page = rows.page(before=before, size=chunk_rows)
        if page.rows:
            yield "".join(writer.writerow(csv_row(statement)) for statement in page.rows)
        if page.older is None:
            return
        before = page.older
